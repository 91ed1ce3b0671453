//! Stock changes and their ledger. Each change is one conditional `UPDATE` of the
//! variant row that re-checks availability (`stock - reserved >= n`) and returns
//! the new values, followed by a `stock_movements` row with the values before and
//! after. Run inside a transaction: the caller's other writes commit with it.

use super::{Shop, ShopError};
use sqlx::{AnyConnection, Row};

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Units held for a cart.
    Reserve,
    /// Held units given back (removed, cleared, expired).
    Release,
    /// Units sold at checkout.
    Sale,
    /// Units added: an import, a cancelled order's units back on the shelf.
    Restock,
    /// Stock set to a counted number.
    Adjust,
}

impl Movement {
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Reserve => "reserve",
            Movement::Release => "release",
            Movement::Sale => "sale",
            Movement::Restock => "restock",
            Movement::Adjust => "adjust",
        }
    }
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StockMovement {
    pub sku: String,
    pub kind: String,
    pub stock_delta: i64,
    pub reserved_delta: i64,
    pub stock_before: i64,
    pub stock_after: i64,
    pub reserved_before: i64,
    pub reserved_after: i64,
    pub reference: Option<String>,
    pub created_at: i64,
}

/// A variant's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub stock: i64,
    pub reserved: i64,
}

impl Level {
    pub fn free(self) -> i64 {
        (self.stock - self.reserved).max(0)
    }
}

/// A change: the deltas and the guard that must hold before it.
struct Change {
    kind: Movement,
    stock: i64,
    reserved: i64,
}

async fn apply(
    conn: &mut AnyConnection,
    sku: &str,
    change: Change,
    guard: &'static str,
    reference: &str,
    now: i64,
) -> Result<Option<Level>, ShopError> {
    let sql = format!(
        "UPDATE variants SET stock = stock + $2, reserved = reserved + $3 \
         WHERE sku = $1 AND {guard} RETURNING stock, reserved"
    );
    // the guard is one of this module's constants, never input
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(sku)
        .bind(change.stock)
        .bind(change.reserved)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let after = Level {
        stock: row.try_get("stock")?,
        reserved: row.try_get("reserved")?,
    };
    sqlx::query(
        "INSERT INTO stock_movements (sku, kind, stock_delta, reserved_delta, stock_before, \
         stock_after, reserved_before, reserved_after, reference, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(sku)
    .bind(change.kind.as_str())
    .bind(change.stock)
    .bind(change.reserved)
    .bind(after.stock - change.stock)
    .bind(after.stock)
    .bind(after.reserved - change.reserved)
    .bind(after.reserved)
    .bind(reference)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Some(after))
}

/// The variant's counts now; `NotFound` for an unknown SKU.
pub async fn level(conn: &mut AnyConnection, sku: &str) -> Result<Level, ShopError> {
    let row = sqlx::query("SELECT stock, reserved FROM variants WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ShopError::NotFound {
            what: "variant",
            id: sku.to_string(),
        })?;
    Ok(Level {
        stock: row.try_get("stock")?,
        reserved: row.try_get("reserved")?,
    })
}

async fn out_of_stock(conn: &mut AnyConnection, sku: &str) -> ShopError {
    match level(conn, sku).await {
        Ok(l) => ShopError::OutOfStock {
            sku: sku.to_string(),
            available: l.free(),
        },
        Err(e) => e,
    }
}

/// Holds `n` free units for a cart; `OutOfStock` with the free count when fewer are free.
pub async fn reserve(
    conn: &mut AnyConnection,
    sku: &str,
    n: i64,
    reference: &str,
    now: i64,
) -> Result<(), ShopError> {
    if n <= 0 {
        return Ok(());
    }
    let change = Change {
        kind: Movement::Reserve,
        stock: 0,
        reserved: n,
    };
    match apply(conn, sku, change, "stock - reserved >= $3", reference, now).await? {
        Some(_) => Ok(()),
        None => Err(out_of_stock(conn, sku).await),
    }
}

/// Gives back `n` held units.
pub async fn release(
    conn: &mut AnyConnection,
    sku: &str,
    n: i64,
    reference: &str,
    now: i64,
) -> Result<(), ShopError> {
    if n <= 0 {
        return Ok(());
    }
    let change = Change {
        kind: Movement::Release,
        stock: 0,
        reserved: -n,
    };
    match apply(conn, sku, change, "reserved + $3 >= 0", reference, now).await? {
        Some(_) => Ok(()),
        None => Err(ShopError::Store(crate::store::StoreError::Corrupt(
            format!("{sku} holds fewer reserved units than a cart line says ({n})"),
        ))),
    }
}

/// Sells `held` units that were held and `free` units that were not.
pub async fn sell(
    conn: &mut AnyConnection,
    sku: &str,
    held: i64,
    free: i64,
    reference: &str,
    now: i64,
) -> Result<(), ShopError> {
    if held + free <= 0 {
        return Ok(());
    }
    let change = Change {
        kind: Movement::Sale,
        stock: -(held + free),
        reserved: -held,
    };
    // the held units are there; the others must be free
    let guard = "reserved + $3 >= 0 AND stock - reserved >= $3 - $2";
    match apply(conn, sku, change, guard, reference, now).await? {
        Some(_) => Ok(()),
        None => Err(out_of_stock(conn, sku).await),
    }
}

/// Puts `n` units (back) on the shelf.
pub async fn restock(
    conn: &mut AnyConnection,
    sku: &str,
    n: i64,
    reference: &str,
    now: i64,
) -> Result<(), ShopError> {
    let change = Change {
        kind: Movement::Restock,
        stock: n,
        reserved: 0,
    };
    apply(conn, sku, change, "stock + $2 >= 0", reference, now)
        .await?
        .map(|_| ())
        .ok_or_else(|| ShopError::NotFound {
            what: "variant",
            id: sku.to_string(),
        })
}

/// Sets the stock to a counted number (never under what carts hold).
pub async fn adjust(
    conn: &mut AnyConnection,
    sku: &str,
    counted: i64,
    reference: &str,
    now: i64,
) -> Result<(), ShopError> {
    let before = level(conn, sku).await?;
    let target = counted.max(before.reserved).max(0);
    if target == before.stock {
        return Ok(());
    }
    let change = Change {
        kind: Movement::Adjust,
        stock: target - before.stock,
        reserved: 0,
    };
    apply(conn, sku, change, "stock + $2 >= reserved", reference, now).await?;
    Ok(())
}

impl Shop {
    /// The ledger of one SKU, oldest first.
    pub async fn movements(&self, sku: &str) -> Result<Vec<StockMovement>, ShopError> {
        let rows = sqlx::query(
            "SELECT sku, kind, stock_delta, reserved_delta, stock_before, stock_after, \
             reserved_before, reserved_after, reference, created_at FROM stock_movements \
             WHERE sku = $1 ORDER BY id",
        )
        .bind(sku)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StockMovement {
                    sku: r.try_get("sku")?,
                    kind: r.try_get("kind")?,
                    stock_delta: r.try_get("stock_delta")?,
                    reserved_delta: r.try_get("reserved_delta")?,
                    stock_before: r.try_get("stock_before")?,
                    stock_after: r.try_get("stock_after")?,
                    reserved_before: r.try_get("reserved_before")?,
                    reserved_after: r.try_get("reserved_after")?,
                    reference: r.try_get("reference")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// A variant's stock and reserved units.
    pub async fn level(&self, sku: &str) -> Result<Level, ShopError> {
        let mut conn = self.store.pool().acquire().await?;
        level(&mut conn, sku).await
    }
}

/// What the store says about one SKU, from every side: the variant's counts, what
/// carts hold, what the ledger sums to and what orders sold. When stock is sound,
/// `stock == ledger_stock`, `reserved == ledger_reserved == held_in_carts`, and
/// `0 <= reserved <= stock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audit {
    pub stock: i64,
    pub reserved: i64,
    pub held_in_carts: i64,
    pub ledger_stock: i64,
    pub ledger_reserved: i64,
    /// Units in orders that were not cancelled.
    pub sold: i64,
}

impl Audit {
    pub fn is_sound(&self) -> bool {
        self.stock == self.ledger_stock
            && self.reserved == self.ledger_reserved
            && self.reserved == self.held_in_carts
            && 0 <= self.reserved
            && self.reserved <= self.stock
    }
}

impl Shop {
    /// Checks one SKU's stock against its ledger, the carts and the orders.
    pub async fn audit(&self, sku: &str) -> Result<Audit, ShopError> {
        let mut conn = self.store.pool().acquire().await?;
        let l = level(&mut conn, sku).await?;
        let sum = |sql: &'static str| sqlx::query(sql).bind(sku.to_string());
        let ledger = sum(
            "SELECT CAST(COALESCE(SUM(stock_delta), 0) AS BIGINT) AS s, CAST(COALESCE(SUM(reserved_delta), 0) AS BIGINT) AS r \
             FROM stock_movements WHERE sku = $1",
        )
        .fetch_one(&mut *conn)
        .await?;
        let held = sum(
            "SELECT CAST(COALESCE(SUM(held), 0) AS BIGINT) AS h FROM cart_lines WHERE sku = $1",
        )
        .fetch_one(&mut *conn)
        .await?;
        let sold = sum(
            "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS n FROM order_lines l \
             JOIN orders o ON o.id = l.order_id WHERE l.sku = $1 AND o.status <> 'cancelled'",
        )
        .fetch_one(&mut *conn)
        .await?;
        Ok(Audit {
            stock: l.stock,
            reserved: l.reserved,
            held_in_carts: held.try_get("h")?,
            ledger_stock: ledger.try_get("s")?,
            ledger_reserved: ledger.try_get("r")?,
            sold: sold.try_get("n")?,
        })
    }
}
