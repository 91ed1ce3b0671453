//! Replicas sharing one PostgreSQL database keep in step: a content reload or a
//! catalog import done through one replica's admin API is announced with
//! `NOTIFY pasar_changes`, and every replica listening does the same on its own
//! copy (its content folder, its index of the stored catalog). On SQLite there is
//! one process, and nothing to tell.

use super::{admin, SharedApp};

/// The PostgreSQL channel.
pub const CHANNEL: &str = "pasar_changes";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Content,
    Catalog,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Content => "content",
            Change::Catalog => "catalog",
        }
    }

    fn parse(s: &str) -> Option<Change> {
        match s {
            "content" => Some(Change::Content),
            "catalog" => Some(Change::Catalog),
            _ => None,
        }
    }
}

/// Tells the other replicas; a failure is logged (they catch up on restart).
pub async fn announce(app: &SharedApp, change: Change) {
    let store = app.shop.store();
    if !store.is_postgres() {
        return;
    }
    let payload = format!("{}:{}", change.as_str(), app.replica);
    if let Err(e) = store.notify(CHANNEL, &payload).await {
        tracing::warn!(error = %e, change = change.as_str(), "the other replicas could not be told");
    }
}

/// Listens for the other replicas' changes (PostgreSQL only), reconnecting after a
/// lost connection.
pub fn listen(app: SharedApp) -> Option<tokio::task::JoinHandle<()>> {
    if !app.shop.store().is_postgres() {
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            match sqlx::postgres::PgListener::connect(&app.settings.database_url).await {
                Ok(mut listener) => match listener.listen(CHANNEL).await {
                    Ok(()) => {
                        tracing::info!(channel = CHANNEL, "listening for other replicas");
                        loop {
                            match listener.recv().await {
                                Ok(n) => heard(&app, n.payload()).await,
                                Err(e) => {
                                    tracing::warn!(error = %e, "the replica channel dropped");
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot listen for other replicas"),
                },
                Err(e) => tracing::warn!(error = %e, "cannot connect to listen for other replicas"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    }))
}

async fn heard(app: &SharedApp, payload: &str) {
    let Some((what, from)) = payload.split_once(':') else {
        return;
    };
    if from == app.replica {
        return;
    }
    match Change::parse(what) {
        Some(Change::Content) => {
            if admin::reload_content(app).await.is_err() {
                tracing::warn!("another replica reloaded content this one cannot load");
            }
        }
        Some(Change::Catalog) => {
            if let Err(e) = admin::reload_catalog(app).await {
                tracing::warn!(
                    code = e.code,
                    "the catalog another replica imported did not load"
                );
            }
        }
        None => tracing::warn!(payload, "an unknown change on the replica channel"),
    }
}
