//! Carts in the store. A line holds stock for `reservation_minutes` (every change
//! renews the hold); an expired hold is released by the sweeper or when the cart is
//! next read, and the line stays in the cart, unheld, until checkout holds it again.

use super::stock;
use super::{Owner, Shop, ShopError, MAX_QUANTITY};
use sqlx::{AnyConnection, Row};

/// One line of a cart.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub product_id: String,
    pub quantity: i64,
    /// Units reserved for this line (0 after the hold expired).
    #[serde(default)]
    pub held: i64,
    /// Unix milliseconds the hold lasts until.
    #[serde(default)]
    pub held_until: i64,
    /// When the line was added (unix milliseconds, unique in its cart): the order
    /// lines are shown in.
    #[serde(default)]
    pub added_at: i64,
}

/// A cart as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// The voucher applied to it.
    #[serde(default)]
    pub voucher: Option<String>,
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// When the first hold runs out (`None`: nothing held).
    pub fn first_expiry(&self) -> Option<i64> {
        self.lines
            .iter()
            .filter(|l| l.held > 0)
            .map(|l| l.held_until)
            .min()
    }

    pub fn line(&self, sku: &str) -> Option<&CartLine> {
        self.lines.iter().find(|l| l.sku == sku)
    }
}

/// Creates the cart row or touches it: the row lock makes every operation on one
/// cart wait for the one before it (PostgreSQL; SQLite has one writer anyway).
pub(super) async fn lock(conn: &mut AnyConnection, owner: &str, now: i64) -> Result<(), ShopError> {
    sqlx::query(
        "INSERT INTO carts (owner, updated_at) VALUES ($1, $2) \
         ON CONFLICT (owner) DO UPDATE SET updated_at = excluded.updated_at",
    )
    .bind(owner)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The cart and its lines, in one query.
pub(super) async fn read(conn: &mut AnyConnection, owner: &str) -> Result<Cart, ShopError> {
    let rows = sqlx::query(
        "SELECT c.voucher_code, l.sku, l.product_id, l.quantity, l.held, l.held_until, l.added_at \
         FROM carts c LEFT JOIN cart_lines l ON l.owner = c.owner \
         WHERE c.owner = $1 ORDER BY l.added_at, l.sku",
    )
    .bind(owner)
    .fetch_all(&mut *conn)
    .await?;
    let mut cart = Cart::default();
    for r in &rows {
        cart.voucher = r.try_get("voucher_code")?;
        let Some(sku) = r.try_get::<Option<String>, _>("sku")? else {
            continue;
        };
        cart.lines.push(CartLine {
            sku,
            product_id: r.try_get("product_id")?,
            quantity: r.try_get("quantity")?,
            held: r.try_get("held")?,
            held_until: r.try_get("held_until")?,
            added_at: r.try_get("added_at")?,
        });
    }
    Ok(cart)
}

/// Releases the holds of `owner`'s cart that ran out by `now`; the units released.
async fn release_expired(
    conn: &mut AnyConnection,
    owner: &str,
    now: i64,
) -> Result<i64, ShopError> {
    let rows = sqlx::query(
        "SELECT sku, held FROM cart_lines WHERE owner = $1 AND held > 0 AND held_until <= $2 ORDER BY sku",
    )
    .bind(owner)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut released = 0;
    for r in &rows {
        let sku: String = r.try_get("sku")?;
        let held: i64 = r.try_get("held")?;
        sqlx::query("UPDATE cart_lines SET held = 0 WHERE owner = $1 AND sku = $2")
            .bind(owner)
            .bind(&sku)
            .execute(&mut *conn)
            .await?;
        stock::release(conn, &sku, held, owner, now).await?;
        released += held;
    }
    Ok(released)
}

/// Deletes the cart's lines and takes its voucher off (the caller releases holds
/// or sells them).
pub(super) async fn empty(conn: &mut AnyConnection, owner: &str) -> Result<(), ShopError> {
    sqlx::query("DELETE FROM cart_lines WHERE owner = $1")
        .bind(owner)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE carts SET voucher_code = NULL WHERE owner = $1")
        .bind(owner)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Where the line of `sku` is; `NotFound` when the cart has none.
fn line_index(cart: &Cart, sku: &str) -> Result<usize, ShopError> {
    cart.lines
        .iter()
        .position(|l| l.sku == sku)
        .ok_or_else(|| ShopError::NotFound {
            what: "cart line",
            id: sku.to_string(),
        })
}

fn check_quantity(n: i64) -> Result<(), ShopError> {
    if (1..=MAX_QUANTITY).contains(&n) {
        Ok(())
    } else {
        Err(ShopError::Quantity(n))
    }
}

impl Shop {
    /// The cart, after releasing holds that ran out.
    pub async fn cart(&self, owner: &Owner, now: i64) -> Result<Cart, ShopError> {
        let key = owner.key();
        let mut conn = self.store.pool().acquire().await?;
        let cart = read(&mut conn, &key).await?;
        if cart.first_expiry().is_none_or(|t| t > now) {
            return Ok(cart);
        }
        drop(conn);
        let mut tx = self.store.pool().begin().await?;
        lock(&mut tx, &key, now).await?;
        release_expired(&mut tx, &key, now).await?;
        let cart = read(&mut tx, &key).await?;
        tx.commit().await?;
        Ok(cart)
    }

    /// Moves a guest's cart into the customer's when the guest logs in: lines of
    /// the same variant add up (to the line limit; units over it are released),
    /// holds move with their lines (the stock's reserved count does not change),
    /// and the guest's voucher comes along when the customer's cart has none. The
    /// customer's cart as it is now.
    pub async fn merge_carts(
        &self,
        guest: &Owner,
        customer: &Owner,
        now: i64,
    ) -> Result<Cart, ShopError> {
        let (from, into) = (guest.key(), customer.key());
        let mut tx = self.store.pool().begin().await?;
        // both carts locked, in key order: two merges cannot wait on each other
        let mut keys = [from.as_str(), into.as_str()];
        keys.sort_unstable();
        for k in keys {
            lock(&mut tx, k, now).await?;
        }
        let moving = read(&mut tx, &from).await?;
        let staying = read(&mut tx, &into).await?;
        for g in &moving.lines {
            match staying.line(&g.sku) {
                Some(c) => {
                    let quantity = (c.quantity + g.quantity).min(MAX_QUANTITY);
                    let held = (c.held + g.held).min(quantity);
                    stock::release(&mut tx, &g.sku, c.held + g.held - held, &from, now).await?;
                    sqlx::query(
                        "UPDATE cart_lines SET quantity = $1, held = $2, held_until = $3                          WHERE owner = $4 AND sku = $5",
                    )
                    .bind(quantity)
                    .bind(held)
                    .bind(c.held_until.max(g.held_until))
                    .bind(&into)
                    .bind(&g.sku)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM cart_lines WHERE owner = $1 AND sku = $2")
                        .bind(&from)
                        .bind(&g.sku)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query("UPDATE cart_lines SET owner = $1 WHERE owner = $2 AND sku = $3")
                        .bind(&into)
                        .bind(&from)
                        .bind(&g.sku)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        if staying.voucher.is_none() && moving.voucher.is_some() {
            sqlx::query("UPDATE carts SET voucher_code = $1 WHERE owner = $2")
                .bind(&moving.voucher)
                .bind(&into)
                .execute(&mut *tx)
                .await?;
        }
        empty(&mut tx, &from).await?;
        let cart = read(&mut tx, &into).await?;
        tx.commit().await?;
        Ok(cart)
    }

    /// Adds `n` units of `sku` and holds every unit of its line until `now` plus
    /// `hold_ms`; `OutOfStock` (nothing changed) when that many are not free.
    pub async fn add_to_cart(
        &self,
        owner: &Owner,
        sku: &str,
        n: i64,
        hold_ms: i64,
        now: i64,
    ) -> Result<Cart, ShopError> {
        check_quantity(n)?;
        let key = owner.key();
        let mut tx = self.store.pool().begin().await?;
        lock(&mut tx, &key, now).await?;
        let mut cart = read(&mut tx, &key).await?;
        let at = cart.lines.iter().position(|l| l.sku == sku);
        let (quantity, held) = at.map_or((0, 0), |i| (cart.lines[i].quantity, cart.lines[i].held));
        let wanted = quantity + n;
        check_quantity(wanted)?;
        let product_id = match at {
            Some(i) => cart.lines[i].product_id.clone(),
            None => sqlx::query("SELECT product_id FROM variants WHERE sku = $1")
                .bind(sku)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| ShopError::NotFound {
                    what: "variant",
                    id: sku.to_string(),
                })?
                .try_get("product_id")?,
        };
        stock::reserve(&mut tx, sku, wanted - held, &key, now).await?;
        // lines keep the order they were added in, even within one millisecond
        let last = cart.lines.iter().map(|l| l.added_at).max().unwrap_or(0);
        let added_at = at.map_or(now.max(last + 1), |i| cart.lines[i].added_at);
        sqlx::query(
            "INSERT INTO cart_lines (owner, sku, product_id, quantity, held, held_until, added_at) \
             VALUES ($1, $2, $3, $4, $4, $5, $6) \
             ON CONFLICT (owner, sku) DO UPDATE SET quantity = excluded.quantity, \
             held = excluded.held, held_until = excluded.held_until",
        )
        .bind(&key)
        .bind(sku)
        .bind(&product_id)
        .bind(wanted)
        .bind(now + hold_ms)
        .bind(added_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let line = CartLine {
            sku: sku.to_string(),
            product_id,
            quantity: wanted,
            held: wanted,
            held_until: now + hold_ms,
            added_at,
        };
        match at {
            Some(i) => cart.lines[i] = line,
            None => cart.lines.push(line),
        }
        Ok(cart)
    }

    /// Sets a line's quantity (0 removes it), holding or releasing the difference.
    pub async fn set_quantity(
        &self,
        owner: &Owner,
        sku: &str,
        n: i64,
        hold_ms: i64,
        now: i64,
    ) -> Result<Cart, ShopError> {
        if n == 0 {
            return self.remove_from_cart(owner, sku, now).await;
        }
        check_quantity(n)?;
        let key = owner.key();
        let mut tx = self.store.pool().begin().await?;
        lock(&mut tx, &key, now).await?;
        let mut cart = read(&mut tx, &key).await?;
        let i = line_index(&cart, sku)?;
        let held = cart.lines[i].held;
        if n > held {
            stock::reserve(&mut tx, sku, n - held, &key, now).await?;
        } else {
            stock::release(&mut tx, sku, held - n, &key, now).await?;
        }
        sqlx::query(
            "UPDATE cart_lines SET quantity = $3, held = $3, held_until = $4 WHERE owner = $1 AND sku = $2",
        )
        .bind(&key)
        .bind(sku)
        .bind(n)
        .bind(now + hold_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let line = &mut cart.lines[i];
        (line.quantity, line.held, line.held_until) = (n, n, now + hold_ms);
        Ok(cart)
    }

    /// Removes a line and releases what it held.
    pub async fn remove_from_cart(
        &self,
        owner: &Owner,
        sku: &str,
        now: i64,
    ) -> Result<Cart, ShopError> {
        let key = owner.key();
        let mut tx = self.store.pool().begin().await?;
        lock(&mut tx, &key, now).await?;
        let mut cart = read(&mut tx, &key).await?;
        let i = line_index(&cart, sku)?;
        let line = cart.lines.remove(i);
        sqlx::query("DELETE FROM cart_lines WHERE owner = $1 AND sku = $2")
            .bind(&key)
            .bind(sku)
            .execute(&mut *tx)
            .await?;
        stock::release(&mut tx, sku, line.held, &key, now).await?;
        tx.commit().await?;
        Ok(cart)
    }

    /// Empties the cart (and takes its voucher off), releasing every hold.
    pub async fn clear_cart(&self, owner: &Owner, now: i64) -> Result<(), ShopError> {
        let key = owner.key();
        let mut tx = self.store.pool().begin().await?;
        lock(&mut tx, &key, now).await?;
        let mut cart = read(&mut tx, &key).await?;
        cart.lines.sort_by(|a, b| a.sku.cmp(&b.sku));
        empty(&mut tx, &key).await?;
        for l in &cart.lines {
            stock::release(&mut tx, &l.sku, l.held, &key, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Releases every hold that ran out by `now`, cart by cart; the units released.
    pub async fn sweep(&self, now: i64) -> Result<i64, ShopError> {
        let owners = sqlx::query(
            "SELECT DISTINCT owner FROM cart_lines WHERE held > 0 AND held_until <= $1",
        )
        .bind(now)
        .fetch_all(self.store.pool())
        .await?;
        let mut released = 0;
        for r in &owners {
            let owner: String = r.try_get("owner")?;
            let mut tx = self.store.pool().begin().await?;
            lock(&mut tx, &owner, now).await?;
            released += release_expired(&mut tx, &owner, now).await?;
            tx.commit().await?;
        }
        Ok(released)
    }

    /// Sets (or with `None` takes off) the cart's voucher; checked by the caller.
    pub(super) async fn set_voucher(
        &self,
        owner: &Owner,
        code: Option<&str>,
        now: i64,
    ) -> Result<(), ShopError> {
        let key = owner.key();
        let mut tx = self.store.pool().begin().await?;
        lock(&mut tx, &key, now).await?;
        sqlx::query("UPDATE carts SET voucher_code = $2 WHERE owner = $1")
            .bind(&key)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
