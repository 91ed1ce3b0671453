//! The HTTP service (CONTRACT.md section 6): axum routes over the same assistant,
//! shop and store the CLI uses. [`App`] is the shared state: the compiled content
//! and index behind an `ArcSwap` (a reload swaps them while requests in flight
//! finish on the old ones), the shop, the chat-history writer, a cache of live
//! sessions (each behind its own lock, so one session's turns run in order), rate
//! limits and metrics. [`router`] builds the routes with their middleware;
//! [`serve`] is `pasar serve`.

pub mod admin;
pub mod auth;
pub mod chat;
pub mod config;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod page;
pub mod replicas;
pub mod shop_api;
pub mod ws;

use crate::dialogue::{Assistant, Session};
use crate::shop::{Owner, Shop};
use crate::store::history::HistoryWriter;
use arc_swap::ArcSwap;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderName, Method, StatusCode};
use axum::routing::{delete, get, post};
use axum::Router;
use config::Settings;
use error::ApiError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::Mutex;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// A live session: its state behind a lock, so one session's turns run in order.
pub type LiveSession = Arc<Mutex<Session>>;

/// The state every handler shares.
pub struct App {
    pub assistant: ArcSwap<Assistant>,
    pub shop: Shop,
    pub history: HistoryWriter,
    pub sessions: moka::sync::Cache<String, LiveSession>,
    pub settings: Settings,
    pub limits: limits::Limits,
    pub metrics: metrics::Metrics,
    /// One reload or catalog import at a time.
    pub reloading: Mutex<()>,
    /// This process among the replicas (it ignores its own announcements).
    pub replica: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("App")
    }
}

pub type SharedApp = Arc<App>;

impl App {
    /// The state over an assistant and a shop (call inside a tokio runtime: the
    /// history writer is a task).
    pub fn new(settings: Settings, assistant: Assistant, shop: Shop) -> SharedApp {
        let metrics = metrics::Metrics::with_llm(&assistant.llm.metrics);
        Arc::new(App {
            assistant: ArcSwap::from_pointee(assistant),
            history: HistoryWriter::start(shop.store().clone()),
            shop,
            sessions: moka::sync::Cache::builder()
                // live sessions only: the store holds them all, a miss is one read.
                // Least recently used goes first (TinyLFU would refuse new sessions,
                // and each of their turns would read the store)
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .max_capacity(20_000)
                .time_to_idle(std::time::Duration::from_secs(15 * 60))
                .build(),
            limits: limits::Limits::new(settings.session_per_minute, settings.address_per_minute),
            metrics,
            settings,
            reloading: Mutex::new(()),
            replica: uuid::Uuid::new_v4().simple().to_string(),
        })
    }

    /// A session by id: the live one, else the stored one; `None` when unknown.
    pub async fn session(&self, id: &str) -> Result<Option<LiveSession>, ApiError> {
        if let Some(s) = self.sessions.get(id) {
            return Ok(Some(s));
        }
        let load = || async {
            self.shop.store().load_session(id).await.map_err(|e| {
                tracing::error!(error = %e, "loading a session failed");
                ApiError::unavailable("the store is not answering; try again shortly")
            })
        };
        let mut loaded = load().await?;
        if loaded.is_none() {
            // it may still be waiting in the history queue
            self.history.flush().await;
            loaded = load().await?;
        }
        Ok(loaded.map(|s| {
            let live = Arc::new(Mutex::new(s));
            self.sessions.insert(id.to_string(), live.clone());
            live
        }))
    }

    /// The session `id` when the caller may use it: 404 when unknown, 403 when it
    /// belongs to another customer.
    pub async fn owned_session(
        &self,
        id: &str,
        customer: Option<&str>,
    ) -> Result<LiveSession, ApiError> {
        let live = self
            .session(id)
            .await?
            .ok_or_else(|| ApiError::not_found("session"))?;
        let mut session = live.lock().await;
        match (&session.customer, customer) {
            (Some(owner), c) if c != Some(owner.as_str()) => return Err(ApiError::forbidden()),
            (None, Some(c)) => self.claim(&mut session, c).await,
            _ => {}
        }
        drop(session);
        Ok(live)
    }

    /// A guest session becomes `customer`'s: its cart moves into theirs. The move
    /// failing is logged; the customer keeps shopping (the guest's holds expire).
    pub async fn claim(&self, session: &mut Session, customer: &str) {
        session.customer = Some(customer.to_string());
        let guest = Owner::Session(session.id.clone());
        let theirs = Owner::Customer(customer.to_string());
        match self
            .shop
            .merge_carts(&guest, &theirs, self.shop.now())
            .await
        {
            Ok(cart) => session.cart = cart,
            Err(e) => tracing::error!(error = %e, "moving a guest's cart to the customer failed"),
        }
    }
}

/// The caller's address (from the connection; unknown in in-process tests).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<SharedApp> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &SharedApp,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if !app.settings.trust_forwarded_for {
            return Ok(ClientIp(peer));
        }
        // behind the shop's own proxy: the client is the first address it names
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|first| first.trim().parse::<IpAddr>().ok());
        Ok(ClientIp(forwarded.unwrap_or(peer)))
    }
}

/// Every route with its middleware.
pub fn router(app: SharedApp) -> Router {
    let settings = &app.settings;
    let x_request_id = HeaderName::from_static("x-request-id");
    let mut router = Router::new()
        .route("/", get(page::index))
        .route("/assets/app.js", get(page::script))
        .route("/assets/style.css", get(page::style))
        .route("/v1/chat", post(chat::chat))
        .route("/v1/ws", get(ws::upgrade))
        .route(
            "/v1/sessions/{id}",
            get(chat::session_messages).delete(chat::delete_session),
        )
        .route("/v1/feedback", post(chat::feedback))
        .route("/v1/products", get(shop_api::products))
        .route("/v1/products/{id}", get(shop_api::product))
        .route("/v1/categories", get(shop_api::categories))
        .route("/v1/cart", get(shop_api::cart).delete(shop_api::clear_cart))
        .route("/v1/cart/items", post(shop_api::add_item))
        .route(
            "/v1/cart/items/{sku}",
            delete(shop_api::remove_item).patch(shop_api::set_item),
        )
        .route(
            "/v1/orders",
            get(shop_api::orders).post(shop_api::place_order),
        )
        .route("/v1/orders/{id}", get(shop_api::order))
        .route("/health", get(admin::health))
        .route("/ready", get(admin::ready))
        .route("/metrics", get(admin::metrics))
        .route("/admin/reload", post(admin::reload))
        .route("/admin/catalog", post(admin::import_catalog))
        .route("/admin/handoffs", get(admin::handoffs))
        .fallback(|| async { ApiError::not_found("route") })
        .layer(DefaultBodyLimit::max(settings.body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ));
    if !settings.cors_origins.is_empty() {
        let origins: Vec<_> = settings
            .cors_origins
            .iter()
            .filter_map(|o| o.parse().ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::PATCH])
                .allow_headers([
                    axum::http::header::CONTENT_TYPE,
                    axum::http::header::AUTHORIZATION,
                    x_request_id.clone(),
                ]),
        );
    }
    router
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                // the path and method only: message text is never logged at info
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(app)
}

/// Opens the store (migrating, importing the demo store into an empty one, or the
/// catalog named), loads content and indexes what the store holds: the state a
/// server runs on.
pub async fn start(settings: Settings) -> anyhow::Result<SharedApp> {
    let store = crate::store::Store::open(&settings.database_url).await?;
    let named = settings.catalog.is_some();
    let path = settings
        .catalog
        .clone()
        .unwrap_or_else(crate::catalog::demo_catalog_path);
    if named || store.product_count().await? == 0 {
        let catalog = crate::catalog::import::read_file(&path)?;
        let n = store.import_catalog(&catalog).await?;
        tracing::info!(products = n, file = %path.display(), "catalog imported");
    }
    let dir = settings.content_dir.clone();
    let content = tokio::task::spawn_blocking(move || crate::content::Content::load(&dir))
        .await?
        .map_err(|e| {
            anyhow::anyhow!(
                "the content in {} is invalid:\n{e}",
                settings.content_dir.display()
            )
        })?;
    let catalog = store.load_catalog().await?;
    let assistant =
        tokio::task::spawn_blocking(move || Assistant::build(Arc::new(content), Arc::new(catalog)))
            .await??;
    let sweep = std::time::Duration::from_millis(assistant.content.commerce.sweep_ms as u64);
    let shop = Shop::new(store);
    let llm = crate::llm::Llm::open(
        settings.llm.clone(),
        shop.store(),
        assistant.content.commerce.utc_offset,
        shop.now(),
    )
    .await;
    if llm.is_configured() {
        tracing::info!(providers = ?llm.provider_names(), "escalated turns go to the LLM");
    } else {
        tracing::info!("no LLM configured: escalated turns are answered in fallback mode");
    }
    let assistant = assistant.with_llm(Arc::new(llm));
    shop.spawn_sweeper(sweep);
    let app = App::new(settings, assistant, shop);
    replicas::listen(app.clone());
    let limits_app = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits_app.limits.retain_recent();
        }
    });
    Ok(app)
}

/// Serves `app` on `listener` until `shutdown` completes; then lets the turns in
/// flight finish and flushes chat history.
pub async fn run(
    listener: tokio::net::TcpListener,
    app: SharedApp,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router(app.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    tracing::info!("shutting down: flushing chat history");
    app.history.flush().await;
    Ok(())
}

/// `pasar serve`: [`start`], print the address, [`run`] until SIGTERM or SIGINT.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let addr = settings.addr;
    let app = start(settings).await?;
    // kept alive while serving
    let _watcher = if app.settings.watch_content {
        Some(admin::watch_content(app.clone())?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    println!("pasar listening on http://{addr}");
    tracing::info!(%addr, "listening");
    run(listener, app, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Starts logging per the settings (`PASAR_LOG`, `PASAR_LOG_FORMAT`).
pub fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if settings.json_logs {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.try_init()
    };
}
