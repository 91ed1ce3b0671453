//! The HTTP API through `Router::oneshot`: every endpoint and its errors, the
//! customer token and the admin token from the refusing side, rate limits with
//! `Retry-After`, body limits, hot reload that keeps the old content when the new
//! one is broken.

use super::{assistant, block_on, content_copy, shop};
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use pasar::server::config::Settings;
use pasar::server::{router, App, SharedApp};
use serde_json::{json, Value};
use tower::ServiceExt;

const ADMIN: &str = "admin-secret-for-tests";
const JWT_SECRET: &str = "storefront-signing-key";

fn settings() -> Settings {
    let mut s = Settings::defaults();
    s.admin_token = Some(ADMIN.into());
    s
}

fn app(settings: Settings) -> (SharedApp, Router) {
    let shop = shop();
    block_on(async move {
        let app = App::new(settings, assistant().clone(), shop);
        (app.clone(), router(app))
    })
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

fn call(r: &Router, method: Method, uri: &str, auth: Option<&str>, body: Option<Value>) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(token) = auth {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("a request");
    raw(r, req)
}

fn raw(r: &Router, req: Request<Body>) -> Answer {
    block_on(async {
        let response = r.clone().oneshot(req).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Answer {
            status,
            headers,
            body,
        }
    })
}

fn chat(r: &Router, body: Value) -> Answer {
    call(r, Method::POST, "/v1/chat", None, Some(body))
}

fn error_code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or("")
}

fn token(sub: &str, exp_offset_s: i64) -> String {
    let exp = (pasar::store::now_millis() / 1000) + exp_offset_s;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": sub, "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("a token")
}

#[test]
fn a_chat_turn_answers_in_the_contracts_shape_and_the_session_goes_on() {
    let (_, r) = app(settings());
    let a = chat(
        &r,
        json!({"message": "ada sepatu lari merah di bawah 500rb?"}),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let b = &a.body;
    let session = b["session_id"].as_str().expect("a session id").to_string();
    assert!(session.len() >= 32, "an unguessable id: {session}");
    assert!(b["message_id"].is_string());
    assert_eq!(b["intent"], "product_search");
    assert_eq!(b["source"], "rules");
    assert!(b["confidence"].as_f64().unwrap_or(0.0) > 0.5);
    assert!(b["reply"]["text"].as_str().unwrap_or("").contains("Rp"));
    assert!(b["reply"]["quick_replies"].is_array());
    let p = &b["products"][0];
    for key in ["id", "name", "price", "currency", "in_stock"] {
        assert!(!p[key].is_null(), "products[0].{key} in {p}");
    }
    assert_eq!(b["cart"]["items"], 0);
    assert!(b.get("trace").is_none(), "no trace without debug");
    // the next message continues the conversation
    let a = chat(
        &r,
        json!({"session_id": session, "message": "yang kedua masukin keranjang ya"}),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["intent"], "cart_add");
    assert_eq!(a.body["cart"]["items"], 1);
    assert_eq!(a.body["cart"]["currency"], "IDR");
    // the messages are there, in order
    let s = call(
        &r,
        Method::GET,
        &format!("/v1/sessions/{session}"),
        None,
        None,
    );
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let messages = s.body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[1]["role"], "assistant");
    // deleting removes it
    let d = call(
        &r,
        Method::DELETE,
        &format!("/v1/sessions/{session}"),
        None,
        None,
    );
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    let s = call(
        &r,
        Method::GET,
        &format!("/v1/sessions/{session}"),
        None,
        None,
    );
    assert_eq!(s.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&s), "not_found");
}

#[test]
fn bad_chat_requests_get_a_4xx_with_a_stable_code() {
    let mut s = settings();
    s.body_bytes = 4096;
    let (_, r) = app(s);
    let cases: Vec<(Answer, StatusCode, &str)> = vec![
        (
            chat(&r, json!({"message": "   "})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_message",
        ),
        (
            chat(&r, json!({"message": "a".repeat(2_001)})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "message_too_long",
        ),
        (
            chat(&r, json!({"message": "halo", "lang": "fr"})),
            StatusCode::BAD_REQUEST,
            "invalid_lang",
        ),
        (
            chat(&r, json!({"mesage": "halo"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            chat(&r, json!({"message": "halo", "session_id": "nope"})),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            raw(
                &r,
                Request::post("/v1/chat")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{\"message\": "))
                    .unwrap(),
            ),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            raw(
                &r,
                Request::post("/v1/chat")
                    .body(Body::from("message=halo"))
                    .unwrap(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            chat(&r, json!({"message": "x".repeat(5_000)})),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            call(&r, Method::GET, "/v1/nothing-here", None, None),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (a, status, code) in cases {
        assert_eq!((a.status, error_code(&a)), (status, code), "{}", a.body);
        assert!(a.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn a_customers_session_is_theirs_alone() {
    let mut s = settings();
    s.customer_jwt_secret = Some(JWT_SECRET.into());
    let (_, r) = app(s);
    let alice = token("alice", 3600);
    let a = call(
        &r,
        Method::POST,
        "/v1/chat",
        Some(&alice),
        Some(json!({"message": "halo kak"})),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let session = a.body["session_id"].as_str().unwrap().to_string();
    let path = format!("/v1/sessions/{session}");
    assert_eq!(
        call(&r, Method::GET, &path, Some(&alice), None).status,
        StatusCode::OK
    );
    // another customer, or nobody, is refused
    let bob = token("bob", 3600);
    let refused = call(&r, Method::GET, &path, Some(&bob), None);
    assert_eq!(
        (refused.status, error_code(&refused)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert_eq!(
        call(&r, Method::GET, &path, None, None).status,
        StatusCode::FORBIDDEN
    );
    let turn = call(
        &r,
        Method::POST,
        "/v1/chat",
        Some(&bob),
        Some(json!({"session_id": session, "message": "lihat keranjang"})),
    );
    assert_eq!(turn.status, StatusCode::FORBIDDEN);
    assert_eq!(
        call(
            &r,
            Method::GET,
            &format!("/v1/cart?session_id={session}"),
            Some(&bob),
            None
        )
        .status,
        StatusCode::FORBIDDEN
    );
    // expired, forged, or a bare customer_id without a token
    let expired = call(&r, Method::GET, &path, Some(&token("alice", -120)), None);
    assert_eq!(
        (expired.status, error_code(&expired)),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "alice", "exp": 9_999_999_999i64}),
        &jsonwebtoken::EncodingKey::from_secret(b"not the secret"),
    )
    .unwrap();
    assert_eq!(
        call(&r, Method::GET, &path, Some(&forged), None).status,
        StatusCode::UNAUTHORIZED
    );
    let bare = chat(&r, json!({"message": "halo", "customer_id": "alice"}));
    assert_eq!(
        (bare.status, error_code(&bare)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let mismatch = call(
        &r,
        Method::POST,
        "/v1/chat",
        Some(&alice),
        Some(json!({"message": "halo", "customer_id": "bob"})),
    );
    assert_eq!(mismatch.status, StatusCode::FORBIDDEN);
}

#[test]
fn admin_endpoints_want_the_admin_token_and_debug_traces_are_for_admins() {
    let (_, r) = app(settings());
    let none = call(&r, Method::POST, "/admin/reload", None, None);
    assert_eq!(
        (none.status, error_code(&none)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let wrong = call(&r, Method::POST, "/admin/reload", Some("guess"), None);
    assert_eq!(
        (wrong.status, error_code(&wrong)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let ok = call(&r, Method::POST, "/admin/reload", Some(ADMIN), None);
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["reloaded"], true);
    assert_eq!(
        call(&r, Method::GET, "/admin/handoffs", Some(ADMIN), None).status,
        StatusCode::OK
    );
    assert_eq!(
        call(&r, Method::GET, "/admin/handoffs", None, None).status,
        StatusCode::UNAUTHORIZED
    );
    // debug: a trace for the admin only
    let plain = chat(&r, json!({"message": "cari sepatu", "debug": true}));
    assert!(plain.body.get("trace").is_none(), "{}", plain.body);
    let admin = call(
        &r,
        Method::POST,
        "/v1/chat",
        Some(ADMIN),
        Some(json!({"message": "cari sepatu", "debug": true})),
    );
    assert!(admin.body["trace"]["stages"].is_array(), "{}", admin.body);
    assert!(admin.body["trace"]["template"].is_string());
    // without a configured token the admin endpoints are closed
    let mut closed = settings();
    closed.admin_token = None;
    let (_, r) = app(closed);
    let c = call(&r, Method::POST, "/admin/reload", Some(ADMIN), None);
    assert_eq!(
        (c.status, error_code(&c)),
        (StatusCode::FORBIDDEN, "admin_closed")
    );
}

#[test]
fn invalid_content_is_refused_with_its_errors_and_the_old_content_keeps_serving() {
    let dir = content_copy();
    let mut s = settings();
    s.content_dir = dir.path().to_path_buf();
    let (_, r) = app(s);
    let p = dir.path().join("rules/commerce.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replacen("reservation_minutes: 30", "reservation_minutes: -1", 1),
    )
    .unwrap();
    let a = call(&r, Method::POST, "/admin/reload", Some(ADMIN), None);
    assert_eq!(
        (a.status, error_code(&a)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_content")
    );
    let problems = a.body["error"]["problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap_or("").contains("commerce.yaml:")),
        "{problems:?}"
    );
    let still = chat(&r, json!({"message": "cari sepatu lari"}));
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(still.body["intent"], "product_search");
    let metrics = call(&r, Method::GET, "/metrics", None, None);
    assert!(metrics
        .body
        .as_str()
        .unwrap_or("")
        .contains("pasar_reloads_total{outcome=\"invalid\"} 1"));
}

#[test]
fn rate_limits_answer_429_with_retry_after() {
    let mut s = settings();
    s.session_per_minute = 2;
    let (_, r) = app(s);
    let first = chat(&r, json!({"message": "halo"}));
    let session = first.body["session_id"].as_str().unwrap().to_string();
    let mut last = None;
    for _ in 0..3 {
        last = Some(chat(
            &r,
            json!({"session_id": session, "message": "cari sepatu"}),
        ));
    }
    let a = last.unwrap();
    assert_eq!(
        (a.status, error_code(&a)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    let wait: u64 = a.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // per address too
    let mut s = settings();
    s.address_per_minute = 3;
    let (_, r) = app(s);
    let codes: Vec<StatusCode> = (0..5)
        .map(|_| chat(&r, json!({"message": "halo"})).status)
        .collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2,
        "{codes:?}"
    );
}

#[test]
fn the_catalog_is_searchable_and_categories_are_counted() {
    let (_, r) = app(settings());
    let a = call(
        &r,
        Method::GET,
        "/v1/products?category=shoes&color=black&price_max=500000&limit=3",
        None,
        None,
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let products = a.body["products"].as_array().unwrap();
    assert!(!products.is_empty() && products.len() <= 3);
    assert!(products
        .iter()
        .all(|p| p["price"].as_i64().unwrap() <= 500_000));
    let vi = call(
        &r,
        Method::GET,
        "/v1/products?q=giay&lang=vi&limit=1",
        None,
        None,
    );
    assert_eq!(vi.body["products"][0]["currency"], "VND");
    let id = products[0]["id"].as_str().unwrap();
    let one = call(&r, Method::GET, &format!("/v1/products/{id}"), None, None);
    assert_eq!(one.status, StatusCode::OK);
    assert!(
        one.body["variants"][0]["available"].is_i64(),
        "{}",
        one.body
    );
    let cats = call(&r, Method::GET, "/v1/categories", None, None);
    let list = cats.body.as_array().unwrap();
    assert_eq!(list.len(), 20);
    assert_eq!(
        list.iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum::<u64>(),
        600
    );
    for (uri, code) in [
        ("/v1/products?category=spaceships", "invalid_category"),
        ("/v1/products?limit=0", "invalid_limit"),
        ("/v1/products?sort=random", "invalid_sort"),
        ("/v1/products?price_min=abc", "invalid_query"),
        ("/v1/products?lang=xx", "invalid_lang"),
    ] {
        let a = call(&r, Method::GET, uri, None, None);
        assert_eq!(
            (a.status, error_code(&a)),
            (StatusCode::BAD_REQUEST, code),
            "{uri}"
        );
    }
    assert_eq!(
        call(&r, Method::GET, "/v1/products/nope", None, None).status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn the_cart_and_orders_over_http() {
    let (_, r) = app(settings());
    let s = chat(&r, json!({"message": "halo kak"})).body["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    // a variant with its free units
    let p = call(&r, Method::GET, "/v1/products/shoe-0004", None, None);
    let v = p.body["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["available"].as_i64().unwrap() > 0)
        .unwrap()
        .clone();
    let sku = v["sku"].as_str().unwrap();
    let free = v["available"].as_i64().unwrap();
    let add = call(
        &r,
        Method::POST,
        "/v1/cart/items",
        None,
        Some(json!({"session_id": s, "variant_sku": sku, "quantity": 1})),
    );
    assert_eq!(add.status, StatusCode::CREATED, "{}", add.body);
    assert_eq!(add.body["items"], 1);
    assert_eq!(add.body["lines"][0]["sku"], sku);
    // more than is free: 409 with what is available
    let over = call(
        &r,
        Method::POST,
        "/v1/cart/items",
        None,
        Some(json!({"session_id": s, "variant_sku": sku, "quantity": free})),
    );
    assert_eq!(
        (over.status, error_code(&over)),
        (StatusCode::CONFLICT, "out_of_stock"),
        "{}",
        over.body
    );
    assert_eq!(over.body["error"]["available"], free - 1);
    // the chat sees the cart
    let view = chat(&r, json!({"session_id": s, "message": "lihat keranjang"}));
    assert_eq!(view.body["cart"]["items"], 1);
    // a voucher that does not apply says why
    let bad = call(
        &r,
        Method::POST,
        "/v1/orders",
        None,
        Some(json!({"session_id": s, "voucher_code": "GLOWING15"})),
    );
    assert_eq!(
        (bad.status, error_code(&bad)),
        (StatusCode::UNPROCESSABLE_ENTITY, "voucher_not_applicable")
    );
    assert_eq!(bad.body["error"]["reason"], "voucher_wrong_category");
    let bad_pay = call(
        &r,
        Method::POST,
        "/v1/orders",
        None,
        Some(json!({"session_id": s, "payment_method": "bitcoin"})),
    );
    assert_eq!(error_code(&bad_pay), "invalid_payment_method");
    let order = call(
        &r,
        Method::POST,
        "/v1/orders",
        None,
        Some(
            json!({"session_id": s, "address": "Jl. Uji No. 1, Bandung", "payment_method": "cod"}),
        ),
    );
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let id = order.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("PSR-"));
    assert_eq!(order.body["lines"][0]["sku"], sku);
    let list = call(
        &r,
        Method::GET,
        &format!("/v1/orders?session_id={s}"),
        None,
        None,
    );
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let one = call(
        &r,
        Method::GET,
        &format!("/v1/orders/{id}?session_id={s}"),
        None,
        None,
    );
    assert_eq!(one.body["status"], "pending");
    // another session cannot see it; the cart is empty now
    let other = chat(&r, json!({"message": "halo"})).body["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(
            &r,
            Method::GET,
            &format!("/v1/orders/{id}?session_id={other}"),
            None,
            None
        )
        .status,
        StatusCode::NOT_FOUND
    );
    let cart = call(
        &r,
        Method::GET,
        &format!("/v1/cart?session_id={s}"),
        None,
        None,
    );
    assert_eq!(cart.body["items"], 0);
    let empty = call(
        &r,
        Method::POST,
        "/v1/orders",
        None,
        Some(json!({"session_id": s})),
    );
    assert_eq!(
        (empty.status, error_code(&empty)),
        (StatusCode::CONFLICT, "empty_cart")
    );
    // add by product id, change the quantity, remove, clear
    let add = call(
        &r,
        Method::POST,
        "/v1/cart/items",
        None,
        Some(json!({"session_id": s, "product_id": "shoe-0004"})),
    );
    let sku = add.body["lines"][0]["sku"].as_str().unwrap().to_string();
    let set = call(
        &r,
        Method::PATCH,
        &format!("/v1/cart/items/{sku}?session_id={s}"),
        None,
        Some(json!({"quantity": 2})),
    );
    assert_eq!(set.body["lines"][0]["quantity"], 2, "{}", set.body);
    let removed = call(
        &r,
        Method::DELETE,
        &format!("/v1/cart/items/{sku}?session_id={s}"),
        None,
        None,
    );
    assert_eq!(removed.body["items"], 0);
    let gone = call(
        &r,
        Method::DELETE,
        &format!("/v1/cart/items/{sku}?session_id={s}"),
        None,
        None,
    );
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let cleared = call(
        &r,
        Method::DELETE,
        &format!("/v1/cart?session_id={s}"),
        None,
        None,
    );
    assert_eq!(cleared.status, StatusCode::OK);
    let neither = call(
        &r,
        Method::POST,
        "/v1/cart/items",
        None,
        Some(json!({"session_id": s})),
    );
    assert_eq!(neither.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = call(&r, Method::GET, "/v1/cart", None, None);
    assert_eq!(
        (missing.status, error_code(&missing)),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );
}

#[test]
fn feedback_health_readiness_metrics_and_the_storefront_page() {
    let (_, r) = app(settings());
    let s = chat(&r, json!({"message": "halo kak"})).body["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let f = call(
        &r,
        Method::POST,
        "/v1/feedback",
        None,
        Some(json!({"session_id": s, "rating": 5, "comment": "mantap"})),
    );
    assert_eq!(f.status, StatusCode::CREATED, "{}", f.body);
    let bad = call(
        &r,
        Method::POST,
        "/v1/feedback",
        None,
        Some(json!({"session_id": s, "rating": 6})),
    );
    assert_eq!(
        (bad.status, error_code(&bad)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_rating")
    );
    let unknown = call(
        &r,
        Method::POST,
        "/v1/feedback",
        None,
        Some(json!({"session_id": "nope", "rating": 3})),
    );
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&r, Method::GET, "/health", None, None).body["status"],
        "ok"
    );
    let ready = call(&r, Method::GET, "/ready", None, None);
    assert_eq!(
        (ready.status, ready.body["products"].as_u64()),
        (StatusCode::OK, Some(600))
    );
    let m = call(&r, Method::GET, "/metrics", None, None);
    let text = m.body.as_str().unwrap_or("");
    assert!(
        text.contains("pasar_turns_total{intent=\"greeting\",source=\"rules\",lang=\"id\"} 1"),
        "{text}"
    );
    assert!(text.contains("pasar_stage_seconds_bucket"));
    assert!(text.contains("pasar_errors_total{code=\"invalid_rating\"} 1"));
    // a request id is made up, or echoed
    let echoed = raw(
        &r,
        Request::get("/health")
            .header("x-request-id", "req-42")
            .body(Body::empty())
            .unwrap(),
    );
    assert_eq!(echoed.headers["x-request-id"], "req-42");
    assert!(
        raw(&r, Request::get("/health").body(Body::empty()).unwrap())
            .headers
            .contains_key("x-request-id")
    );
    let page = call(&r, Method::GET, "/", None, None);
    assert!(page.body.as_str().unwrap_or("").contains("/assets/app.js"));
    assert_eq!(
        call(&r, Method::GET, "/assets/app.js", None, None).status,
        StatusCode::OK
    );
}

#[test]
fn with_watching_on_a_saved_content_file_is_reloaded() {
    let dir = content_copy();
    let mut s = settings();
    s.content_dir = dir.path().to_path_buf();
    let (app, r) = app(s);
    let _watcher =
        block_on(async { pasar::server::admin::watch_content(app.clone()) }).expect("a watcher");
    let p = dir.path().join("templates/id/conversation.yaml");
    let text = std::fs::read_to_string(&p).unwrap();
    // a greeting the shipped content never says
    let marker = "Selamat datang di toko uji";
    let changed = text.replacen(
        "variants:\n",
        &format!("variants:\n      - \"{marker}\"\n"),
        1,
    );
    assert_ne!(changed, text);
    std::fs::write(&p, &changed).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let m = call(&r, Method::GET, "/metrics", None, None);
        if m.body
            .as_str()
            .unwrap_or("")
            .contains("pasar_reloads_total{outcome=\"ok\"} 1")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no reload after saving {}",
            p.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn escalated_chat_turns_reach_the_llm_and_it_shows_in_metrics_and_history() {
    use pasar::llm::fake::{FakeProvider, Step};
    use pasar::llm::{Llm, LlmSettings, ProviderConfig};
    let fake = block_on(FakeProvider::start(vec![
        Step::reply("Dạ em chỉ hỗ trợ mua sắm thôi ạ. Anh/chị cần tìm sản phẩm gì không ạ?"),
        Step::status(500),
        Step::status(500),
        Step::status(500),
    ]))
    .expect("a fake provider");
    let mut provider = ProviderConfig::new("fake", &fake.base_url(), "scripted");
    provider.backoff = std::time::Duration::from_millis(5);
    let llm = std::sync::Arc::new(Llm::new(LlmSettings::new(vec![provider])));
    let mut s = settings();
    let dir = content_copy();
    s.content_dir = dir.path().to_path_buf();
    let shop = shop();
    let (app, r) = block_on(async move {
        let app = App::new(s, assistant().clone().with_llm(llm), shop);
        (app.clone(), router(app))
    });
    let a = chat(
        &r,
        json!({"message": "em ơi viết giúp anh bài thơ tình", "lang": "vi"}),
    );
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    assert_eq!(a.body["source"], "llm");
    assert!(a.body["reply"]["text"]
        .as_str()
        .unwrap_or("")
        .starts_with("Dạ em"));
    // a reload keeps the running LLM
    let reload = call(&r, Method::POST, "/admin/reload", Some(ADMIN), None);
    assert_eq!(reload.status, StatusCode::OK, "{:?}", reload.body);
    let session = a.body["session_id"].as_str().unwrap_or("").to_string();
    let b = chat(
        &r,
        json!({"session_id": session, "message": "chị muốn đi chạy bộ buổi sáng mà không biết mặc gì cho êm"}),
    );
    assert_eq!(b.status, StatusCode::OK);
    assert_eq!(b.body["source"], "fallback");
    assert!(!b.body["reply"]["text"].as_str().unwrap_or("").is_empty());
    let metrics = call(&r, Method::GET, "/metrics", None, None);
    let text = metrics.body.as_str().unwrap_or("");
    for line in [
        "pasar_llm_calls_total{provider=\"fake\",outcome=\"ok\"} 1",
        "pasar_llm_calls_total{provider=\"fake\",outcome=\"status\"} 1",
        "pasar_llm_retries_total{provider=\"fake\"} 2",
        "pasar_llm_fallbacks_total{reason=\"status\"} 1",
        "pasar_llm_answers_total{reason=\"validated\"} 1",
        "pasar_llm_breaker_state{provider=\"fake\"} 0",
        "pasar_llm_tokens_total{provider=\"fake\",kind=\"completion\"} 20",
    ] {
        assert!(text.contains(line), "no {line:?} in\n{text}");
    }
    // the reply's cost is in the history
    block_on(app.history.flush());
    let stored = block_on(app.shop.store().messages(&session)).expect("history");
    let reply = stored
        .iter()
        .find(|m| m.role == "assistant")
        .expect("a reply");
    assert_eq!(reply.llm_provider.as_deref(), Some("fake"));
    assert_eq!(reply.llm_prompt_tokens, Some(100));
}

#[test]
fn a_guests_cart_moves_into_the_customers_when_they_log_in() {
    let mut s = settings();
    s.customer_jwt_secret = Some(JWT_SECRET.into());
    let (app, r) = app(s);
    let who = format!("cust-merge-{}", uuid::Uuid::new_v4().simple());
    let jwt = token(&who, 600);
    let start = |auth: Option<&str>| {
        call(
            &r,
            Method::POST,
            "/v1/chat",
            auth,
            Some(json!({"message": "halo kak"})),
        )
        .body["session_id"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let add = |session: &str, auth: Option<&str>, sku: &str, n: i64| {
        let a = call(
            &r,
            Method::POST,
            "/v1/cart/items",
            auth,
            Some(json!({"session_id": session, "variant_sku": sku, "quantity": n})),
        );
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    };
    let skus: Vec<String> = ["shoe-0004", "bag-0005"]
        .iter()
        .map(|id| {
            let p = call(&r, Method::GET, &format!("/v1/products/{id}"), None, None);
            p.body["variants"]
                .as_array()
                .and_then(|v| v.iter().find(|v| v["available"].as_i64() > Some(5)))
                .and_then(|v| v["sku"].as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect();
    // the customer's own cart on another device, and a guest cart on this one
    let theirs = start(Some(&jwt));
    add(&theirs, Some(&jwt), &skus[0], 1);
    let guest = start(None);
    add(&guest, None, &skus[0], 2);
    add(&guest, None, &skus[1], 1);
    // logging in on the guest session: one cart, the same variant added up
    let turn = chat_as(
        &r,
        &jwt,
        json!({"session_id": guest, "message": "lihat keranjang"}),
    );
    assert_eq!(turn.status, StatusCode::OK, "{}", turn.body);
    assert_eq!(turn.body["cart"]["items"], 2, "{}", turn.body);
    let cart = call(
        &r,
        Method::GET,
        &format!("/v1/cart?session_id={theirs}"),
        Some(&jwt),
        None,
    );
    let lines = cart.body["lines"].as_array().cloned().unwrap_or_default();
    let quantity = |sku: &str| {
        lines
            .iter()
            .find(|l| l["sku"] == sku)
            .and_then(|l| l["quantity"].as_i64())
    };
    assert_eq!(
        (quantity(&skus[0]), quantity(&skus[1])),
        (Some(3), Some(1)),
        "{}",
        cart.body
    );
    // the holds moved with the lines: the ledger still adds up
    for sku in &skus {
        let audit = block_on(app.shop.audit(sku)).expect("an audit");
        assert!(audit.is_sound(), "{sku}: {audit:?}");
    }
    // and the session is now the customer's alone
    let other = token("someone-else", 600);
    let refused = chat_as(&r, &other, json!({"session_id": guest, "message": "halo"}));
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

fn chat_as(r: &Router, jwt: &str, body: Value) -> Answer {
    call(r, Method::POST, "/v1/chat", Some(jwt), Some(body))
}

/// A replica of the service on the PostgreSQL database at `url`.
fn replica(url: &str) -> (SharedApp, Router) {
    block_on(async {
        let store = pasar::store::Store::open(url).await.expect("PostgreSQL");
        let mut s = settings();
        s.database_url = url.to_string();
        let app = App::new(s, assistant().clone(), pasar::shop::Shop::new(store));
        (app.clone(), router(app))
    })
}

#[test]
fn a_catalog_import_on_one_replica_reaches_the_others_on_postgres() {
    let url = match std::env::var("PASAR_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            eprintln!("skipping a_catalog_import_on_one_replica_reaches_the_others_on_postgres: PASAR_TEST_POSTGRES_URL is not set");
            return;
        }
    };
    let (_one, r1) = replica(&url);
    let (two, _) = replica(&url);
    block_on(async { pasar::server::replicas::listen(two.clone()) }).expect("a listener");
    // the listener connects and LISTENs before the import is announced
    std::thread::sleep(std::time::Duration::from_millis(700));
    let id = format!("rep-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let catalog = json!({"products": [{
        "id": id, "category": "shoes", "name": {"id": "Sepatu Replika", "vi": "Giày bản sao", "en": "Replica shoes"},
        "prices": {"IDR": 250000, "VND": 420000},
        "variants": [{"sku": format!("{id}-40"), "size": "40", "stock": 4}]
    }]});
    let a = call(
        &r1,
        Method::POST,
        "/admin/catalog",
        Some(ADMIN),
        Some(catalog),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while two.assistant.load().shelf.catalog().get(&id).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the other replica never indexed {id}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let from = |r: &Router, addr: &str| {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/v1/chat")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", format!("{addr}, 10.0.0.1"))
            .body(Body::from(json!({"message": "halo"}).to_string()))
            .expect("a request");
        raw(r, req).status
    };
    let mut s = settings();
    s.address_per_minute = 2;
    s.trust_forwarded_for = true;
    let (_, r) = app(s.clone());
    let a: Vec<StatusCode> = (0..3).map(|_| from(&r, "203.0.113.7")).collect();
    let b = from(&r, "198.51.100.9");
    assert_eq!(a[2], StatusCode::TOO_MANY_REQUESTS, "{a:?}");
    assert_eq!(
        b,
        StatusCode::OK,
        "another client is not limited by the first"
    );
    // not trusted (the default): the header is ignored, every request is the peer's
    s.trust_forwarded_for = false;
    let (_, r) = app(s);
    let mixed = [
        from(&r, "203.0.113.7"),
        from(&r, "198.51.100.9"),
        from(&r, "192.0.2.1"),
    ];
    assert_eq!(mixed[2], StatusCode::TOO_MANY_REQUESTS, "{mixed:?}");
}
