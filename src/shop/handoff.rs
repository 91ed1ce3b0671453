//! Handoffs to a human: a complaint or a request for a person is recorded with the
//! message that asked, so the shop can list what waits for it.

use super::{Shop, ShopError};
use crate::lang::Lang;
use sqlx::Row;

/// One handoff record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handoff {
    pub id: String,
    pub session_id: String,
    pub customer_id: Option<String>,
    /// The intent that asked for a human (`complaint`, `human_handoff`).
    pub reason: String,
    pub message: String,
    pub lang: Option<String>,
    pub status: String,
    pub created_at: i64,
}

impl Shop {
    /// Records a handoff; its id (a ticket number the reply can quote).
    pub async fn hand_off(
        &self,
        session_id: &str,
        customer_id: Option<&str>,
        reason: &str,
        message: &str,
        lang: Lang,
        now: i64,
    ) -> Result<String, ShopError> {
        let id = format!(
            "HO-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8].to_ascii_uppercase()
        );
        sqlx::query(
            "INSERT INTO handoffs (id, session_id, customer_id, reason, message, lang, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
        )
        .bind(&id)
        .bind(session_id)
        .bind(customer_id)
        .bind(reason)
        .bind(message)
        .bind(lang.code())
        .bind(now)
        .execute(self.store.pool())
        .await?;
        Ok(id)
    }

    /// Handoffs, newest first; only those with `status` when given.
    pub async fn handoffs(&self, status: Option<&str>) -> Result<Vec<Handoff>, ShopError> {
        let rows = sqlx::query(
            "SELECT id, session_id, customer_id, reason, message, lang, status, created_at \
             FROM handoffs WHERE $1 = '' OR status = $1 ORDER BY created_at DESC, id",
        )
        .bind(status.unwrap_or(""))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Handoff {
                    id: r.try_get("id")?,
                    session_id: r.try_get("session_id")?,
                    customer_id: r.try_get("customer_id")?,
                    reason: r.try_get("reason")?,
                    message: r.try_get("message")?,
                    lang: r.try_get("lang")?,
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
