//! Storage with sqlx: SQLite by default (the file is created on first run),
//! PostgreSQL by URL, one API over both through sqlx's `Any` driver. Migrations for
//! each backend live in `migrations/sqlite` and `migrations/postgres` and are
//! compiled into the binary. The store keeps chat sessions (their state as JSON),
//! messages, and the catalog (products as JSON, variants with stock as columns).

pub mod history;

use crate::catalog::import::from_products;
use crate::catalog::{Catalog, Product};
use crate::dialogue::Session;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::{SystemTime, UNIX_EPOCH};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?} (expected sqlite://FILE or postgres://...)")]
    UnsupportedUrl(String),
    #[error("cannot connect to {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One persisted message.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MessageRecord {
    pub id: String,
    pub session_id: String,
    pub seq: i64,
    pub role: String,
    pub text: String,
    pub intent: Option<String>,
    pub confidence: Option<f64>,
    pub source: Option<String>,
    pub constraints: Option<String>,
    pub template: Option<String>,
    pub latency_us: Option<i64>,
    pub created_at: i64,
    /// On a reply the LLM was asked for: the provider and the tokens used.
    pub llm_provider: Option<String>,
    pub llm_prompt_tokens: Option<i64>,
    pub llm_completion_tokens: Option<i64>,
}

/// The store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Rows per multi-row `INSERT`: well under SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_STATEMENT: usize = 100;

/// "($1, $2), ($3, $4)": the bind parameters of `rows` rows of `width` values.
fn values(width: usize, rows: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", r * width + c + 1));
        }
        out.push(')');
    }
    out
}

/// The default database: `pasar.db` in the working directory.
pub const DEFAULT_URL: &str = "sqlite://pasar.db";

impl Store {
    /// Connects (creating a SQLite file when missing) and migrates.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') || url.contains(":memory:") {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let sqlite = backend == Backend::Sqlite;
        let mut options = AnyPoolOptions::new();
        if sqlite {
            // a write-ahead log synced at checkpoints: a cart turn's commit does not
            // wait for the disk twice (still durable against a crashed process)
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options
            // one writer at a time on SQLite (kept open: an in-memory database
            // lives as long as its connection); several on PostgreSQL
            .max_connections(if sqlite { 1 } else { 8 })
            .min_connections(u32::from(sqlite))
            .idle_timeout((!sqlite).then(|| std::time::Duration::from_secs(600)))
            .max_lifetime((!sqlite).then(|| std::time::Duration::from_secs(1800)))
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                url: url.clone(),
                source,
            })?;
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Saves sessions' states (insert or update) and appends messages, in one
    /// transaction of multi-row statements: what the history writer does with a
    /// batch of turns.
    pub async fn save_turns(
        &self,
        sessions: &[(Session, Option<String>)],
        messages: Vec<MessageRecord>,
    ) -> Result<(), StoreError> {
        if sessions.is_empty() && messages.is_empty() {
            return Ok(());
        }
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        for chunk in sessions.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO sessions (id, customer_id, lang, state, created_at, updated_at) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET lang = excluded.lang, state = excluded.state, \
                 customer_id = COALESCE(excluded.customer_id, sessions.customer_id), \
                 updated_at = excluded.updated_at",
                values(6, chunk.len())
            );
            // only parameter numbers are formatted in; the values are bound
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (s, customer) in chunk {
                let state =
                    serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                q = q
                    .bind(s.id.clone())
                    .bind(customer.clone())
                    .bind(s.lang.map(|l| l.code()))
                    .bind(state)
                    .bind(now)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        let mut rest = messages.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<MessageRecord> = rest.by_ref().take(ROWS_PER_STATEMENT).collect();
            let sql = format!(
                "INSERT INTO messages (id, session_id, seq, role, text, intent, confidence, source, \
                 constraints, template, latency_us, created_at, llm_provider, llm_prompt_tokens, \
                 llm_completion_tokens) VALUES {}",
                values(15, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for m in chunk {
                q = q
                    .bind(m.id)
                    .bind(m.session_id)
                    .bind(m.seq)
                    .bind(m.role)
                    .bind(m.text)
                    .bind(m.intent)
                    .bind(m.confidence)
                    .bind(m.source)
                    .bind(m.constraints)
                    .bind(m.template)
                    .bind(m.latency_us)
                    .bind(m.created_at)
                    .bind(m.llm_provider)
                    .bind(m.llm_prompt_tokens)
                    .bind(m.llm_completion_tokens);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// `NOTIFY channel, payload` (PostgreSQL).
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// LLM tokens used by replies written since `millis` (the day's budget after a
    /// restart).
    pub async fn llm_tokens_since(&self, millis: i64) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(COALESCE(llm_prompt_tokens, 0) + COALESCE(llm_completion_tokens, 0)), 0) AS BIGINT) AS used \
             FROM messages WHERE created_at >= $1 AND llm_provider IS NOT NULL",
        )
        .bind(millis)
        .fetch_one(&self.pool)
        .await?;
        let used: i64 = row.try_get("used")?;
        Ok(used.max(0) as u64)
    }

    pub async fn load_session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query("SELECT state FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let state: String = r.try_get("state")?;
            serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }

    /// Deletes a session and its messages; false when there was none.
    pub async fn delete_session(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM messages WHERE session_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn messages(&self, session_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, session_id, seq, role, text, intent, confidence, source, constraints, \
             template, latency_us, created_at, llm_provider, llm_prompt_tokens, llm_completion_tokens \
             FROM messages WHERE session_id = $1 ORDER BY seq, role DESC",
        )
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// Adds or updates the catalog's products in one transaction: a product already
    /// stored is replaced and its variants updated. Stock goes through the ledger: a
    /// new variant is a restock, a changed count an adjustment (never under what
    /// carts hold).
    pub async fn import_catalog(&self, catalog: &Catalog) -> Result<usize, StoreError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        let start: i64 = sqlx::query("SELECT COUNT(*) AS n FROM products")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let mut known = std::collections::HashMap::new();
        for r in sqlx::query("SELECT sku, stock FROM variants")
            .fetch_all(&mut *tx)
            .await?
        {
            known.insert(
                r.try_get::<String, _>("sku")?,
                r.try_get::<i64, _>("stock")?,
            );
        }
        // products and new variants go in by rows of CHUNK; changed counts one by one
        const CHUNK: usize = 200;
        let products = catalog.products();
        for (c, chunk) in products.chunks(CHUNK).enumerate() {
            let sql = format!(
                "INSERT INTO products (id, position, category, data) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET category = excluded.category, data = excluded.data",
                values(4, chunk.len())
            );
            // only parameter numbers are formatted in; the values are bound
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, p) in chunk.iter().enumerate() {
                let data =
                    serde_json::to_string(p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                q = q
                    .bind(p.id.clone())
                    .bind(start + (c * CHUNK + i) as i64)
                    .bind(p.category.clone())
                    .bind(data);
            }
            q.execute(&mut *tx).await?;
        }
        let variants: Vec<(&crate::catalog::Product, &crate::catalog::Variant)> = products
            .iter()
            .flat_map(|p| p.variants.iter().map(move |v| (p, v)))
            .collect();
        for chunk in variants.chunks(CHUNK) {
            // a stored variant keeps its stock here; a changed count is adjusted below
            let sql = format!(
                "INSERT INTO variants (sku, product_id, size, color, stock) VALUES {} \
                 ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id, \
                 size = excluded.size, color = excluded.color",
                values(5, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (p, v) in chunk {
                q = q
                    .bind(v.sku.clone())
                    .bind(p.id.clone())
                    .bind(v.size.clone())
                    .bind(v.color.clone())
                    .bind(known.get(&v.sku).copied().unwrap_or(v.stock));
            }
            q.execute(&mut *tx).await?;
            // a new variant's stock is a restock in the ledger
            let fresh: Vec<&crate::catalog::Variant> = chunk
                .iter()
                .filter(|(_, v)| !known.contains_key(&v.sku))
                .map(|(_, v)| *v)
                .collect();
            if !fresh.is_empty() {
                let sql = format!(
                    "INSERT INTO stock_movements (sku, kind, stock_delta, reserved_delta, stock_before, \
                     stock_after, reserved_before, reserved_after, reference, created_at) VALUES {}",
                    values(10, fresh.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for v in &fresh {
                    q = q
                        .bind(v.sku.clone())
                        .bind("restock")
                        .bind(v.stock)
                        .bind(0i64)
                        .bind(0i64)
                        .bind(v.stock)
                        .bind(0i64)
                        .bind(0i64)
                        .bind("import")
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
            }
            for (_, v) in chunk {
                if known.get(&v.sku).is_some_and(|&old| old != v.stock) {
                    crate::shop::stock::adjust(&mut tx, &v.sku, v.stock, "import", now)
                        .await
                        .map_err(|e| match e {
                            crate::shop::ShopError::Store(e) => e,
                            other => StoreError::Corrupt(other.to_string()),
                        })?;
                }
            }
        }
        tx.commit().await?;
        Ok(catalog.len())
    }

    /// Imports `catalog` when the store has no products yet; true when it did.
    pub async fn seed_catalog(&self, catalog: &Catalog) -> Result<bool, StoreError> {
        if self.product_count().await? > 0 {
            return Ok(false);
        }
        self.import_catalog(catalog).await?;
        Ok(true)
    }

    /// Stores a rating of a conversation (or one of its replies); its id.
    pub async fn add_feedback(
        &self,
        session_id: &str,
        message_id: Option<&str>,
        rating: i64,
        comment: Option<&str>,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO feedback (id, session_id, message_id, rating, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(session_id)
        .bind(message_id)
        .bind(rating)
        .bind(comment)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn product_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM products")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// The stored catalog, with each variant's stock as the store holds it.
    pub async fn load_catalog(&self) -> Result<Catalog, StoreError> {
        let rows = sqlx::query("SELECT data FROM products ORDER BY position, id")
            .fetch_all(&self.pool)
            .await?;
        let mut products: Vec<Product> = Vec::with_capacity(rows.len());
        for r in &rows {
            let data: String = r.try_get("data")?;
            products
                .push(serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        let stock = sqlx::query("SELECT sku, stock - reserved AS free FROM variants")
            .fetch_all(&self.pool)
            .await?;
        let mut free = std::collections::HashMap::new();
        for r in &stock {
            let sku: String = r.try_get("sku")?;
            let n: i64 = r.try_get("free")?;
            free.insert(sku, n);
        }
        for p in &mut products {
            for v in &mut p.variants {
                if let Some(n) = free.get(&v.sku) {
                    v.stock = (*n).max(0);
                }
            }
        }
        from_products(products, "the stored catalog")
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

fn message(r: &AnyRow) -> Result<MessageRecord, StoreError> {
    Ok(MessageRecord {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        seq: r.try_get("seq")?,
        role: r.try_get("role")?,
        text: r.try_get("text")?,
        intent: r.try_get("intent")?,
        confidence: r.try_get("confidence")?,
        source: r.try_get("source")?,
        constraints: r.try_get("constraints")?,
        template: r.try_get("template")?,
        latency_us: r.try_get("latency_us")?,
        created_at: r.try_get("created_at")?,
        llm_provider: r.try_get("llm_provider")?,
        llm_prompt_tokens: r.try_get("llm_prompt_tokens")?,
        llm_completion_tokens: r.try_get("llm_completion_tokens")?,
    })
}
