//! Who is asking. A customer identity comes as `Authorization: Bearer <JWT>` signed
//! by the storefront (HS256 with `PASAR_CUSTOMER_JWT_SECRET`, expiry checked; `sub`
//! is the customer id). Admin endpoints want `PASAR_ADMIN_TOKEN`, compared in
//! constant time, and are closed when it is unset.

use super::error::ApiError;
use axum::http::{header, HeaderMap, StatusCode};
use serde::Deserialize;
use subtle::ConstantTimeEq;

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The customer a request speaks for: from a valid token when a secret is set
/// (the body's `customer_id` must then agree), else the body's `customer_id`.
pub fn customer(
    headers: &HeaderMap,
    secret: Option<&str>,
    claimed: Option<&str>,
    admin_token: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let Some(secret) = secret else {
        return Ok(claimed.map(str::to_string));
    };
    // the admin token is not a customer token
    let token = bearer(headers).filter(|t| admin_token.is_none_or(|a| !same(t, a)));
    let Some(token) = token else {
        if claimed.is_some() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "customer_id needs the storefront's signed token (Authorization: Bearer)",
            ));
        }
        return Ok(None);
    };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map_err(|e| {
        let why = match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => "the token has expired",
            jsonwebtoken::errors::ErrorKind::InvalidSignature => "the token's signature is wrong",
            _ => "the token is not a valid HS256 JWT with sub and exp",
        };
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", why)
    })?;
    if claimed.is_some_and(|c| c != data.claims.sub) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "customer_id does not match the token",
        ));
    }
    Ok(Some(data.claims.sub))
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// True when the request carries the admin token (never when none is configured).
pub fn is_admin(headers: &HeaderMap, admin_token: Option<&str>) -> bool {
    match (admin_token, bearer(headers)) {
        (Some(expected), Some(given)) => same(given, expected),
        _ => false,
    }
}

/// The admin check of the admin endpoints: 401 without the token, 403 with a wrong
/// one, 403 when no token is configured (closed).
pub fn require_admin(headers: &HeaderMap, admin_token: Option<&str>) -> Result<(), ApiError> {
    let Some(expected) = admin_token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "admin_closed",
            "admin endpoints are closed: set PASAR_ADMIN_TOKEN",
        ));
    };
    match bearer(headers) {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "admin endpoints need Authorization: Bearer <admin token>",
        )),
        Some(given) if same(given, expected) => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the admin token is wrong",
        )),
    }
}
