//! The catalog, cart and order endpoints. Searches run on the same shelf as chat;
//! cart and order calls name their session (`session_id`) and go through the same
//! shop functions as chat, so the same checks and errors apply: 409
//! `out_of_stock` with what is available, 422 `voucher_not_applicable` with the
//! reason, 404 `not_found`.

use super::chat::{caller, counted};
use super::error::{ApiError, ApiJson};
use super::{LiveSession, SharedApp};
use crate::canon;
use crate::dialogue::act::request;
use crate::dialogue::views::ProductCard;
use crate::extract::{language_currency, Constraints};
use crate::lang::{Currency, Lang};
use crate::shop::order::{CheckoutRequest, Order, Quote};
use crate::shop::{Cart, Owner};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductQuery {
    q: Option<String>,
    category: Option<String>,
    brand: Option<String>,
    color: Option<String>,
    size: Option<String>,
    price_min: Option<i64>,
    price_max: Option<i64>,
    sort: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    lang: Option<String>,
    currency: Option<String>,
}

#[derive(Serialize)]
pub struct ProductList {
    total: usize,
    limit: usize,
    offset: usize,
    products: Vec<ProductCard>,
}

fn lang_of(text: Option<&str>) -> Result<Lang, ApiError> {
    match text {
        None | Some("") => Ok(Lang::Id),
        Some(l) => l.parse().map_err(|e: crate::lang::UnknownLang| {
            ApiError::bad_request("invalid_lang", e.to_string())
        }),
    }
}

fn currency_of(text: Option<&str>, lang: Lang, app: &SharedApp) -> Result<Currency, ApiError> {
    match text {
        None | Some("") => Ok(language_currency(
            lang,
            app.assistant.load().content.store.default_currency,
        )),
        Some(c) => c.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_currency",
                format!("unknown currency {c:?}; IDR, VND or USD"),
            )
        }),
    }
}

fn query_error<T>(
    r: Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, ApiError> {
    r.map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
}

pub async fn products(
    State(app): State<SharedApp>,
    q: Result<Query<ProductQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ProductList>, ApiError> {
    let r = (|| {
        let q = query_error(q)?;
        let lang = lang_of(q.lang.as_deref())?;
        let currency = currency_of(q.currency.as_deref(), lang, &app)?;
        let limit = q.limit.unwrap_or(20);
        if !(1..=50).contains(&limit) {
            return Err(ApiError::bad_request("invalid_limit", "limit is 1 to 50"));
        }
        if let Some(c) = q
            .category
            .as_deref()
            .filter(|c| !canon::CATEGORIES.contains(c))
        {
            return Err(ApiError::bad_request(
                "invalid_category",
                format!("unknown category {c:?}; see GET /v1/categories"),
            ));
        }
        if let Some(s) = q.sort.as_deref().filter(|s| !canon::SORTS.contains(s)) {
            return Err(ApiError::bad_request(
                "invalid_sort",
                format!("unknown sort {s:?}; one of {}", canon::SORTS.join(", ")),
            ));
        }
        if let Some(c) = q.color.as_deref().filter(|c| !canon::COLORS.contains(c)) {
            return Err(ApiError::bad_request(
                "invalid_color",
                format!("unknown colour {c:?}; one of {}", canon::COLORS.join(", ")),
            ));
        }
        if q.price_min.is_some_and(|p| p < 0) || q.price_max.is_some_and(|p| p < 0) {
            return Err(ApiError::bad_request(
                "invalid_price",
                "prices are 0 or more",
            ));
        }
        let c = Constraints {
            query: q.q.clone().filter(|t| !t.trim().is_empty()),
            category: q.category.clone(),
            brands: q.brand.iter().map(|b| b.to_lowercase()).collect(),
            colors: q.color.iter().cloned().collect(),
            sizes: q.size.iter().map(|s| s.to_uppercase()).collect(),
            price_min: q.price_min,
            price_max: q.price_max,
            currency: (q.price_min.is_some() || q.price_max.is_some()).then_some(currency),
            sort: q.sort.clone(),
            ..Constraints::default()
        };
        let assistant = app.assistant.load();
        let mut req = request(&c, &assistant.shelf, currency, limit, &[]);
        req.offset = q.offset.unwrap_or(0);
        let found = assistant.shelf.search(&req);
        let catalog = assistant.shelf.catalog();
        Ok(Json(ProductList {
            total: found.total,
            limit,
            offset: req.offset,
            products: found
                .hits
                .iter()
                .map(|&i| ProductCard::new(&catalog.products()[i as usize], lang, currency))
                .collect(),
        }))
    })();
    counted(&app, r)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    lang: Option<String>,
    currency: Option<String>,
}

#[derive(Serialize)]
pub struct VariantOut {
    sku: String,
    size: Option<String>,
    color: Option<String>,
    /// Units that can be bought now (stock less what carts hold).
    available: i64,
}

#[derive(Serialize)]
pub struct ProductOut {
    #[serde(flatten)]
    card: ProductCard,
    category: String,
    variants: Vec<VariantOut>,
}

pub async fn product(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    q: Result<Query<LangQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ProductOut>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let lang = lang_of(q.lang.as_deref())?;
        let currency = currency_of(q.currency.as_deref(), lang, &app)?;
        let assistant = app.assistant.load_full();
        let p = assistant
            .shelf
            .catalog()
            .get(&id)
            .ok_or_else(|| ApiError::not_found("product"))?;
        let mut variants = Vec::with_capacity(p.variants.len());
        for v in &p.variants {
            let level = app.shop.level(&v.sku).await?;
            variants.push(VariantOut {
                sku: v.sku.clone(),
                size: v.size.clone(),
                color: v.color.clone(),
                available: level.free(),
            });
        }
        Ok(Json(ProductOut {
            card: ProductCard::new(p, lang, currency),
            category: p.category.clone(),
            variants,
        }))
    }
    .await;
    counted(&app, r)
}

#[derive(Serialize)]
pub struct CategoryOut {
    slug: &'static str,
    name: String,
    count: usize,
}

pub async fn categories(
    State(app): State<SharedApp>,
    q: Result<Query<LangQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<CategoryOut>>, ApiError> {
    let r = (|| {
        let q = query_error(q)?;
        let lang = lang_of(q.lang.as_deref())?;
        let assistant = app.assistant.load();
        let words = assistant.content.words(lang);
        let products = assistant.shelf.catalog().products();
        Ok(Json(
            canon::CATEGORIES
                .iter()
                .map(|&slug| CategoryOut {
                    slug,
                    name: words.category_name(slug).to_string(),
                    count: products.iter().filter(|p| p.category == slug).count(),
                })
                .collect(),
        ))
    })();
    counted(&app, r)
}

/// A session the caller may use, and its owner and currency.
async fn session_for(
    app: &SharedApp,
    headers: &HeaderMap,
    id: &str,
) -> Result<(LiveSession, Owner, Lang, Currency), ApiError> {
    let customer = caller(app, headers)?;
    let live = app.owned_session(id, customer.as_deref()).await?;
    let s = live.lock().await;
    let lang = s.lang.unwrap_or(Lang::Id);
    let owner = s.owner();
    drop(s);
    let currency = language_currency(lang, app.assistant.load().content.store.default_currency);
    Ok((live, owner, lang, currency))
}

#[derive(Serialize)]
pub struct CartOut {
    session_id: String,
    items: usize,
    #[serde(flatten)]
    quote: Quote,
}

async fn cart_out(
    app: &SharedApp,
    session_id: &str,
    live: &LiveSession,
    owner: &Owner,
    lang: Lang,
    currency: Currency,
) -> Result<CartOut, ApiError> {
    let assistant = app.assistant.load_full();
    let (cart, quote): (Cart, Quote) = app
        .shop
        .quote(
            owner,
            assistant.shelf.catalog(),
            &assistant.content.commerce,
            currency,
            lang,
            app.shop.now(),
        )
        .await?;
    // chat reports the cart from the session's copy
    live.lock().await.cart = cart.clone();
    Ok(CartOut {
        session_id: session_id.to_string(),
        items: cart.lines.len(),
        quote,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionQuery {
    session_id: String,
}

pub async fn cart(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    q: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CartOut>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let (live, owner, lang, currency) = session_for(&app, &headers, &q.session_id).await?;
        Ok(Json(
            cart_out(&app, &q.session_id, &live, &owner, lang, currency).await?,
        ))
    }
    .await;
    counted(&app, r)
}

pub async fn clear_cart(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    q: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CartOut>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let (live, owner, lang, currency) = session_for(&app, &headers, &q.session_id).await?;
        app.shop.clear_cart(&owner, app.shop.now()).await?;
        Ok(Json(
            cart_out(&app, &q.session_id, &live, &owner, lang, currency).await?,
        ))
    }
    .await;
    counted(&app, r)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    session_id: String,
    #[serde(default)]
    variant_sku: Option<String>,
    #[serde(default)]
    product_id: Option<String>,
    #[serde(default = "one")]
    quantity: i64,
}

fn one() -> i64 {
    1
}

pub async fn add_item(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AddItem>,
) -> Result<(StatusCode, Json<CartOut>), ApiError> {
    let r = async {
        let (live, owner, lang, currency) = session_for(&app, &headers, &req.session_id).await?;
        let assistant = app.assistant.load_full();
        let sku = match (&req.variant_sku, &req.product_id) {
            (Some(sku), _) => sku.clone(),
            (None, Some(id)) => {
                let p = assistant
                    .shelf
                    .catalog()
                    .get(id)
                    .ok_or_else(|| ApiError::not_found("product"))?;
                // the first variant in stock; the store decides whether it still is
                p.variants
                    .iter()
                    .find(|v| v.stock > 0)
                    .or(p.variants.first())
                    .map(|v| v.sku.clone())
                    .ok_or_else(|| ApiError::not_found("variant"))?
            }
            (None, None) => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    "name the item by variant_sku or product_id",
                ))
            }
        };
        let hold = assistant.content.commerce.reservation_ms;
        app.shop
            .add_to_cart(&owner, &sku, req.quantity, hold, app.shop.now())
            .await?;
        let out = cart_out(&app, &req.session_id, &live, &owner, lang, currency).await?;
        Ok((StatusCode::CREATED, Json(out)))
    }
    .await;
    counted(&app, r)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetItem {
    quantity: i64,
}

pub async fn set_item(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Path(sku): Path<String>,
    q: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
    ApiJson(req): ApiJson<SetItem>,
) -> Result<Json<CartOut>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let (live, owner, lang, currency) = session_for(&app, &headers, &q.session_id).await?;
        let hold = app.assistant.load().content.commerce.reservation_ms;
        app.shop
            .set_quantity(&owner, &sku, req.quantity, hold, app.shop.now())
            .await?;
        Ok(Json(
            cart_out(&app, &q.session_id, &live, &owner, lang, currency).await?,
        ))
    }
    .await;
    counted(&app, r)
}

pub async fn remove_item(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Path(sku): Path<String>,
    q: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CartOut>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let (live, owner, lang, currency) = session_for(&app, &headers, &q.session_id).await?;
        app.shop
            .remove_from_cart(&owner, &sku, app.shop.now())
            .await?;
        Ok(Json(
            cart_out(&app, &q.session_id, &live, &owner, lang, currency).await?,
        ))
    }
    .await;
    counted(&app, r)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrder {
    session_id: String,
    #[serde(default)]
    voucher_code: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    payment_method: Option<String>,
}

pub async fn place_order(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PlaceOrder>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let r = async {
        let (live, owner, lang, currency) = session_for(&app, &headers, &req.session_id).await?;
        let assistant = app.assistant.load_full();
        let rules = &assistant.content.commerce;
        if let Some(m) = req
            .payment_method
            .as_deref()
            .filter(|m| rules.payment_method(m).is_none())
        {
            let known: Vec<&str> = rules
                .payment_methods
                .iter()
                .map(|p| p.id.as_str())
                .collect();
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_payment_method",
                format!("unknown payment method {m:?}; one of {}", known.join(", ")),
            ));
        }
        let now = app.shop.now();
        if let Some(code) = &req.voucher_code {
            let (_, quote) = app
                .shop
                .quote(
                    &owner,
                    assistant.shelf.catalog(),
                    rules,
                    currency,
                    lang,
                    now,
                )
                .await?;
            app.shop
                .apply_voucher(
                    &owner,
                    rules.voucher(code),
                    code,
                    &quote.basket_lines(),
                    currency,
                    now,
                )
                .await?;
        }
        let session = live.lock().await.clone();
        let address = req.address.clone().or(session.address.clone());
        let payment = req.payment_method.clone().or(session.payment.clone());
        let checkout = CheckoutRequest {
            owner: &owner,
            session_id: &session.id,
            customer_id: session.customer.as_deref(),
            currency,
            lang,
            address: address.as_deref(),
            payment_method: payment.as_deref(),
        };
        let order = app
            .shop
            .checkout(&checkout, assistant.shelf.catalog(), rules, now)
            .await?;
        live.lock().await.cart = Cart::default();
        Ok((StatusCode::CREATED, Json(order)))
    }
    .await;
    counted(&app, r)
}

pub async fn orders(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    q: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Order>>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let (live, ..) = session_for(&app, &headers, &q.session_id).await?;
        let customer = live.lock().await.customer.clone();
        Ok(Json(
            app.shop.orders(&q.session_id, customer.as_deref()).await?,
        ))
    }
    .await;
    counted(&app, r)
}

pub async fn order(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Order>, ApiError> {
    let r = async {
        let q = query_error(q)?;
        let (live, ..) = session_for(&app, &headers, &q.session_id).await?;
        let customer = live.lock().await.customer.clone();
        app.shop
            .order(&id, &q.session_id, customer.as_deref())
            .await?
            .map(Json)
            .ok_or_else(|| ApiError::not_found("order"))
    }
    .await;
    counted(&app, r)
}
