//! One error type for the HTTP API. Every refusal is `{"error": {"code", "message"}}`
//! with a status decided here, in one place, from what went wrong: the caller's
//! mistakes are 4xx with a stable snake_case code; the store failing is 503.

use crate::shop::ShopError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API error.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
    /// Extra fields of the error object (`available` for out_of_stock).
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            details: Default::default(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this session belongs to another customer",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {retry_after} s"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> ApiError {
        self.details.insert(key.to_string(), value.into());
        self
    }
}

impl From<ShopError> for ApiError {
    fn from(e: ShopError) -> ApiError {
        let message = e.to_string();
        match e {
            ShopError::OutOfStock { sku, available } => {
                ApiError::new(StatusCode::CONFLICT, "out_of_stock", message)
                    .with("sku", sku)
                    .with("available", available)
            }
            ShopError::VoucherNotApplicable { code, reason } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "voucher_not_applicable",
                message,
            )
            .with("voucher_code", code)
            .with("reason", reason.key()),
            ShopError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
            }
            ShopError::EmptyCart => ApiError::new(StatusCode::CONFLICT, "empty_cart", message),
            ShopError::NotCancellable { status, .. } => {
                ApiError::new(StatusCode::CONFLICT, "not_cancellable", message)
                    .with("status", status)
            }
            ShopError::NoPrice { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_price", message)
            }
            ShopError::Quantity(_) => ApiError::bad_request("invalid_quantity", message),
            ShopError::Store(e) => {
                tracing::error!(error = %e, "the store failed");
                ApiError::unavailable("the store is not answering; try again shortly")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::Map::new();
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.into());
        error.extend(self.details);
        let mut response = (self.status, axum::Json(json!({ "error": error }))).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// A JSON body whose problems are [`ApiError`]s (axum's own rejections are plain text).
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.body_text(),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => {
                Err(ApiError::bad_request("invalid_json", e.body_text()))
            }
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "the request body is larger than the limit",
                ))
            }
            Err(e) => Err(ApiError::bad_request("invalid_body", e.body_text())),
        }
    }
}
