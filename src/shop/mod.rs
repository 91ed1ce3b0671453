//! Commerce in the store: carts whose lines hold stock, vouchers, checkout, orders
//! and handoffs to a human. Every operation is a transaction over [`Store`] that
//! re-checks availability in the statement that changes it, so stock is never
//! oversold, on SQLite or on PostgreSQL with many replicas. Operations on one cart
//! run one after another (each first touches the cart's row); variants are always
//! changed in SKU order, so two checkouts cannot deadlock. The chat (`dialogue`)
//! and the HTTP layer call the same functions and get the same typed errors.

pub mod cart;
pub mod handoff;
pub mod order;
pub mod rules;
pub mod stock;
pub mod voucher;

use crate::store::{Store, StoreError};
pub use cart::{Cart, CartLine};
pub use handoff::Handoff;
pub use order::{Order, OrderLine};
pub use rules::CommerceRules;
pub use voucher::Refusal;

/// What a commerce operation could not do. The first kinds are the customer's
/// (they get a reply, or a 4xx with [`ShopError::code`]); `Store` is ours.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    #[error("only {available} of {sku} can still be bought")]
    OutOfStock { sku: String, available: i64 },
    #[error("voucher {code} does not apply: {reason}")]
    VoucherNotApplicable { code: String, reason: Refusal },
    #[error("{what} {id:?} not found")]
    NotFound { what: &'static str, id: String },
    #[error("the cart is empty")]
    EmptyCart,
    #[error("order {id} is {status} and can no longer be cancelled")]
    NotCancellable { id: String, status: String },
    #[error("product {product} has no price in {currency}")]
    NoPrice { product: String, currency: String },
    #[error("a quantity of {0} (expected 1 to {max})", max = MAX_QUANTITY)]
    Quantity(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ShopError {
    fn from(e: sqlx::Error) -> Self {
        ShopError::Store(StoreError::Database(e))
    }
}

impl ShopError {
    /// A stable snake_case code for API errors and traces.
    pub fn code(&self) -> &'static str {
        match self {
            ShopError::OutOfStock { .. } => "out_of_stock",
            ShopError::VoucherNotApplicable { .. } => "voucher_not_applicable",
            ShopError::NotFound { .. } => "not_found",
            ShopError::EmptyCart => "empty_cart",
            ShopError::NotCancellable { .. } => "not_cancellable",
            ShopError::NoPrice { .. } => "no_price",
            ShopError::Quantity(_) => "invalid_quantity",
            ShopError::Store(_) => "internal",
        }
    }

    /// True when the customer asked for something that cannot be done (as
    /// opposed to the store failing).
    pub fn is_customers(&self) -> bool {
        !matches!(self, ShopError::Store(_))
    }
}

/// The most units of one product a cart line may hold.
pub const MAX_QUANTITY: i64 = 999;

/// Whose cart: a guest session's, or an identified customer's (shared by all of
/// the customer's sessions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owner {
    Session(String),
    Customer(String),
}

impl Owner {
    /// The customer's when known, else the session's.
    pub fn of(session_id: &str, customer_id: Option<&str>) -> Owner {
        match customer_id {
            Some(c) if !c.is_empty() => Owner::Customer(c.to_string()),
            _ => Owner::Session(session_id.to_string()),
        }
    }

    /// The key carts and orders are stored under.
    pub fn key(&self) -> String {
        match self {
            Owner::Session(s) => format!("s:{s}"),
            Owner::Customer(c) => format!("c:{c}"),
        }
    }
}

/// Commerce over the store.
#[derive(Debug, Clone)]
pub struct Shop {
    store: Store,
    /// A fixed time (unix milliseconds) instead of the clock: golden conversations
    /// run at one date, so vouchers and cancel windows answer the same every run.
    pinned: Option<i64>,
}

impl Shop {
    pub fn new(store: Store) -> Shop {
        Shop {
            store,
            pinned: None,
        }
    }

    /// The same shop at a fixed time.
    pub fn pinned_at(mut self, millis: i64) -> Shop {
        self.pinned = Some(millis);
        self
    }

    /// The time turns act at: the pinned time, else the clock.
    pub fn now(&self) -> i64 {
        self.pinned.unwrap_or_else(crate::store::now_millis)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A shop in a private in-memory SQLite database holding `catalog`: what
    /// `pasar test` and the tests run against.
    pub async fn in_memory(catalog: &crate::catalog::Catalog) -> Result<Shop, ShopError> {
        let store = Store::open("sqlite::memory:").await?;
        store.import_catalog(catalog).await?;
        Ok(Shop::new(store))
    }

    /// Releases expired holds every `every`, until the runtime stops.
    pub fn spawn_sweeper(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let shop = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = shop.sweep(shop.now()).await {
                    tracing::warn!(error = %e, "sweeping expired stock holds failed");
                }
            }
        })
    }
}
