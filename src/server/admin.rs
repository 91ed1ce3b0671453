//! Operations: `/health` (the process answers), `/ready` (the store answers and
//! content is loaded), `/metrics` (Prometheus text), and the admin endpoints behind
//! the admin token: reload content (compiled off the request path and swapped in
//! atomically; invalid content answers 422 with the same messages as `pasar check`
//! while the old content keeps serving), import a catalog, list handoffs.

use super::auth::require_admin;
use super::chat::counted;
use super::error::ApiError;
use super::SharedApp;
use crate::catalog::import::{parse, Format};
use crate::content::Content;
use crate::dialogue::Assistant;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use std::sync::Arc;

pub async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(app): State<SharedApp>) -> Result<Json<serde_json::Value>, ApiError> {
    if !app.shop.store().ping().await {
        return Err(ApiError::unavailable("the store does not answer"));
    }
    let products = app.assistant.load().shelf.catalog().len();
    Ok(Json(json!({ "status": "ready", "products": products })))
}

pub async fn metrics(State(app): State<SharedApp>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
}

/// Builds an assistant off the request path; it keeps the running LLM (its
/// breakers, budget and cache).
async fn rebuild(
    app: &SharedApp,
    content: Arc<Content>,
    catalog: Arc<crate::catalog::Catalog>,
) -> Result<Assistant, ApiError> {
    let llm = app.assistant.load().llm.clone();
    tokio::task::spawn_blocking(move || Assistant::build(content, catalog))
        .await
        .map_err(|e| ApiError::unavailable(format!("indexing stopped: {e}")))?
        .map_err(|e| ApiError::unavailable(format!("indexing failed: {e}")))
        .map(|a| a.with_llm(llm))
}

/// Loads the content folders again and swaps them in; the old content keeps
/// serving when the new one is invalid (422 with every problem).
pub async fn reload_content(app: &SharedApp) -> Result<serde_json::Value, ApiError> {
    let _one = app.reloading.lock().await;
    let dir = app.settings.content_dir.clone();
    let loaded = tokio::task::spawn_blocking(move || Content::load(&dir))
        .await
        .map_err(|e| ApiError::unavailable(format!("loading stopped: {e}")))?;
    let content = match loaded {
        Ok(c) => c,
        Err(errors) => {
            app.metrics.reload(false);
            let problems: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
            tracing::warn!(
                problems = problems.len(),
                "the new content is invalid; the old content keeps serving"
            );
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_content",
                format!(
                    "{} problem(s); the old content keeps serving",
                    problems.len()
                ),
            )
            .with("problems", problems));
        }
    };
    let catalog = app.assistant.load().shelf.catalog().clone();
    let intents = content.intents.len();
    let templates: usize = content.templates.by_lang.iter().map(Vec::len).sum();
    let assistant = rebuild(app, Arc::new(content), catalog).await?;
    app.assistant.store(Arc::new(assistant));
    app.metrics.reload(true);
    tracing::info!(intents, templates, "content reloaded");
    Ok(json!({ "reloaded": true, "intents": intents, "templates": templates }))
}

pub async fn reload(
    State(app): State<SharedApp>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let r = async {
        require_admin(&headers, app.settings.admin_token.as_deref())?;
        let done = reload_content(&app).await?;
        super::replicas::announce(&app, super::replicas::Change::Content).await;
        Ok(Json(done))
    }
    .await;
    counted(&app, r)
}

/// Reloads content when a file under the content folders changes (`watch_content`
/// in pasar.toml): changes are gathered until the folders are quiet for half a
/// second, then one reload runs.
pub fn watch_content(app: SharedApp) -> notify::Result<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| e.kind.is_modify() || e.kind.is_create() || e.kind.is_remove()) {
            let _ = tx.send(());
        }
    })?;
    for folder in ["intents", "lexicons", "rules", "templates"] {
        let dir = app.settings.content_dir.join(folder);
        if dir.is_dir() {
            watcher.watch(&dir, RecursiveMode::Recursive)?;
        }
    }
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // quiet for half a second: an editor's save is several events
            while let Ok(Some(())) =
                tokio::time::timeout(std::time::Duration::from_millis(500), rx.recv()).await
            {
            }
            if reload_content(&app).await.is_err() {
                tracing::warn!("a content change did not load; fix it and save again");
            }
        }
    });
    Ok(watcher)
}

/// Indexes the stored catalog again and swaps it in; the number of products.
pub async fn reload_catalog(app: &SharedApp) -> Result<usize, ApiError> {
    let _one = app.reloading.lock().await;
    let stored = app
        .shop
        .store()
        .load_catalog()
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let content = app.assistant.load().content.clone();
    let assistant = rebuild(app, content, Arc::new(stored)).await?;
    let total = assistant.shelf.catalog().len();
    app.assistant.store(Arc::new(assistant));
    tracing::info!(products = total, "catalog indexed again");
    Ok(total)
}

pub async fn import_catalog(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let r = async {
        require_admin(&headers, app.settings.admin_token.as_deref())?;
        let kind = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let format = if kind.starts_with("text/csv") {
            Format::Csv
        } else if kind.starts_with("application/json") {
            Format::Json
        } else {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the catalog as application/json or text/csv",
            ));
        };
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("invalid_body", "the catalog is not UTF-8"))?;
        let catalog = parse(text, format, "the request body").map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_catalog",
                "nothing was imported",
            )
            .with(
                "problems",
                e.to_string()
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            )
        })?;
        let n = {
            let _one = app.reloading.lock().await;
            app.shop
                .store()
                .import_catalog(&catalog)
                .await
                .map_err(|e| ApiError::unavailable(e.to_string()))?
        };
        let total = reload_catalog(&app).await?;
        super::replicas::announce(&app, super::replicas::Change::Catalog).await;
        Ok(Json(json!({ "imported": n, "products": total })))
    }
    .await;
    counted(&app, r)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffQuery {
    status: Option<String>,
}

pub async fn handoffs(
    State(app): State<SharedApp>,
    headers: HeaderMap,
    Query(q): Query<HandoffQuery>,
) -> Result<Json<Vec<crate::shop::Handoff>>, ApiError> {
    let r = async {
        require_admin(&headers, app.settings.admin_token.as_deref())?;
        let status = q.status.as_deref().filter(|s| *s != "all");
        Ok(Json(app.shop.handoffs(status).await?))
    }
    .await;
    counted(&app, r)
}
