//! `POST /v1/chat`, the session endpoints and feedback. A turn runs under its
//! session's lock; its history is queued for the batching writer, never written on
//! the request path. The reply always comes: the turn itself never fails (store
//! trouble inside it becomes a polite reply), and an unreadable session store
//! starts a fresh conversation rather than refusing the customer.

use super::auth;
use super::error::{ApiError, ApiJson};
use super::{ClientIp, LiveSession, SharedApp};
use crate::dialogue::views::{CartSummary, ProductCard};
use crate::dialogue::{Session, TurnScratch};
use crate::lang::Lang;
use crate::store::history::{turn_messages, TurnRecord};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Mutex;

/// The body of `POST /v1/chat` (and of a WebSocket `user_message`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    #[serde(default)]
    pub session_id: Option<String>,
    pub message: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub debug: bool,
}

#[derive(Debug, Serialize)]
pub struct ReplyOut {
    pub text: String,
    pub quick_replies: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CartOut {
    pub items: usize,
    pub total: i64,
    pub currency: crate::lang::Currency,
}

impl From<&CartSummary> for CartOut {
    fn from(c: &CartSummary) -> Self {
        CartOut {
            items: c.items,
            total: c.total,
            currency: c.currency,
        }
    }
}

/// The answer of `POST /v1/chat` (CONTRACT.md section 6).
#[derive(Debug, Serialize)]
pub struct ChatResponse {
    pub session_id: String,
    pub message_id: String,
    pub reply: ReplyOut,
    pub intent: Option<&'static str>,
    pub confidence: f32,
    pub source: &'static str,
    pub products: Vec<ProductCard>,
    pub cart: CartOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<serde_json::Value>,
}

fn new_session_id() -> String {
    // 122 random bits
    uuid::Uuid::new_v4().simple().to_string()
}

/// One turn, as the HTTP and WebSocket endpoints run it.
pub async fn run_turn(
    app: &SharedApp,
    headers: &HeaderMap,
    ip: std::net::IpAddr,
    req: ChatRequest,
) -> Result<ChatResponse, ApiError> {
    app.limits.check_address(ip)?;
    let settings = &app.settings;
    let message = req.message.trim();
    if message.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_message",
            "the message is empty",
        ));
    }
    let chars = message.chars().count();
    if chars > settings.message_chars {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message_too_long",
            format!(
                "the message has {chars} characters; at most {} are read",
                settings.message_chars
            ),
        ));
    }
    let lang = match req.lang.as_deref() {
        None | Some("") => None,
        Some(l) => Some(
            l.parse::<Lang>()
                .map_err(|e| ApiError::bad_request("invalid_lang", e.to_string()))?,
        ),
    };
    let customer = auth::customer(
        headers,
        settings.customer_jwt_secret.as_deref(),
        req.customer_id.as_deref(),
        settings.admin_token.as_deref(),
    )?;
    let debug = req.debug && auth::is_admin(headers, settings.admin_token.as_deref());
    let live: LiveSession = match req.session_id.as_deref() {
        Some(id) => {
            app.limits.check_session(id)?;
            match app.session(id).await {
                Ok(Some(live)) => live,
                Ok(None) => return Err(ApiError::not_found("session")),
                // the store is down: the customer still gets an answer
                Err(_) => Arc::new(Mutex::new(Session::new(id))),
            }
        }
        None => {
            let mut s = Session::new(new_session_id());
            s.customer = customer.clone();
            let live = Arc::new(Mutex::new(s.clone()));
            app.sessions.insert(s.id.clone(), live.clone());
            live
        }
    };
    let mut session = live.lock().await;
    match (&session.customer, &customer) {
        (Some(owner), c) if c.as_deref() != Some(owner.as_str()) => {
            return Err(ApiError::forbidden());
        }
        (None, Some(c)) => app.claim(&mut session, c).await,
        _ => {}
    }
    let assistant = app.assistant.load_full();
    let started = Instant::now();
    let mut scratch = TurnScratch::default();
    let out = assistant
        .turn(&app.shop, &mut session, message, lang, debug, &mut scratch)
        .await;
    let elapsed = started.elapsed();
    let messages = turn_messages(&session.id, message, &out, elapsed.as_micros() as i64);
    let message_id = messages.last().map(|m| m.id.clone()).unwrap_or_default();
    app.history
        .record(TurnRecord {
            session: session.clone(),
            customer: session.customer.clone(),
            messages,
        })
        .await;
    observe(app, &out, elapsed);
    let trace = debug.then(|| {
        serde_json::json!({
            "stages": out.trace,
            "template": out.template,
            "escalate": out.escalate,
            "escalate_reason": out.escalate_reason.map(|r| r.as_str()),
            "constraints": out.constraints,
        })
    });
    Ok(ChatResponse {
        session_id: session.id.clone(),
        message_id,
        reply: ReplyOut {
            text: out.reply.text,
            quick_replies: out.reply.quick_replies,
        },
        intent: out.intent.map(|i| i.name()),
        confidence: out.confidence,
        source: out.source.as_str(),
        products: out.products,
        cart: CartOut::from(&out.cart),
        trace,
    })
}

fn observe(app: &SharedApp, out: &crate::dialogue::TurnOutcome, elapsed: std::time::Duration) {
    use super::metrics::{ReasonLabels, StageLabels, TurnLabels};
    let m = &app.metrics;
    m.turns
        .get_or_create(&TurnLabels {
            intent: out.intent.map_or("none", |i| i.name()).to_string(),
            source: out.source.as_str().to_string(),
            lang: out.lang.code().to_string(),
        })
        .inc();
    m.turn_seconds.observe(elapsed.as_secs_f64());
    for s in &out.trace {
        m.stage_seconds
            .get_or_create(&StageLabels {
                stage: s.stage.to_string(),
            })
            .observe(s.nanos as f64 / 1e9);
    }
    if let Some(r) = out.escalate_reason.filter(|_| out.escalate) {
        m.escalations
            .get_or_create(&ReasonLabels {
                reason: r.as_str().to_string(),
            })
            .inc();
    }
}

/// Counts an error in the metrics on its way out.
pub fn counted<T>(app: &SharedApp, r: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(e) = &r {
        app.metrics.error(e.code);
    }
    r
}

pub async fn chat(
    State(app): State<SharedApp>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ChatRequest>,
) -> Result<Json<ChatResponse>, ApiError> {
    counted(&app, run_turn(&app, &headers, ip, req).await.map(Json))
}

/// The customer a request speaks for (from the token, when a secret is set).
pub fn caller(app: &SharedApp, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    auth::customer(
        headers,
        app.settings.customer_jwt_secret.as_deref(),
        None,
        app.settings.admin_token.as_deref(),
    )
}

#[derive(Serialize)]
pub struct SessionOut {
    pub session_id: String,
    pub lang: Option<Lang>,
    pub messages: Vec<crate::store::MessageRecord>,
}

pub async fn session_messages(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<SessionOut>, ApiError> {
    let r = async {
        let customer = caller(&app, &headers)?;
        let live = app.owned_session(&id, customer.as_deref()).await?;
        let lang = live.lock().await.lang;
        // what is queued is written first, so the list is complete
        app.history.flush().await;
        let messages = app
            .shop
            .store()
            .messages(&id)
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))?;
        Ok(Json(SessionOut {
            session_id: id.clone(),
            lang,
            messages,
        }))
    }
    .await;
    counted(&app, r)
}

pub async fn delete_session(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let r = async {
        let customer = caller(&app, &headers)?;
        app.owned_session(&id, customer.as_deref()).await?;
        app.history.flush().await;
        app.sessions.invalidate(&id);
        app.shop
            .store()
            .delete_session(&id)
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))?;
        Ok(StatusCode::NO_CONTENT)
    }
    .await;
    counted(&app, r)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    pub session_id: String,
    #[serde(default)]
    pub message_id: Option<String>,
    pub rating: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

pub async fn feedback(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let r = async {
        if !(1..=5).contains(&req.rating) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_rating",
                format!("a rating of {} (expected 1 to 5)", req.rating),
            ));
        }
        if req
            .comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > 2_000)
        {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "comment_too_long",
                "a comment has at most 2000 characters",
            ));
        }
        let customer = caller(&app, &headers)?;
        app.owned_session(&req.session_id, customer.as_deref())
            .await?;
        let id = app
            .shop
            .store()
            .add_feedback(
                &req.session_id,
                req.message_id.as_deref(),
                req.rating,
                req.comment.as_deref(),
            )
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))?;
        Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
    }
    .await;
    counted(&app, r)
}
