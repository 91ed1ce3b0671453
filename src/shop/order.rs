//! Checkout and orders. Checkout prices the cart from the catalog in the order's
//! currency, counts the voucher's use (refusing it when the limit was reached in the
//! meantime), sells each line's held units plus any that lost their hold (if still
//! free), and copies names and prices into the order, all in one transaction. An
//! order is visible to its session and, when known, its customer only.

use super::cart::{self, Cart};
use super::rules::CommerceRules;
use super::stock;
use super::voucher::{self, Basket, Refusal};
use super::{Owner, Shop, ShopError};
use crate::catalog::Catalog;
use crate::lang::{Currency, Lang};
use sqlx::{AnyConnection, Row};

/// One line of an order, as it was sold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrderLine {
    pub sku: String,
    pub product_id: String,
    pub name: String,
    pub size: Option<String>,
    pub color: Option<String>,
    pub category: String,
    pub quantity: i64,
    pub unit_price: i64,
}

impl OrderLine {
    pub fn amount(&self) -> i64 {
        self.unit_price * self.quantity
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Order {
    pub id: String,
    pub status: String,
    pub currency: Currency,
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub total: i64,
    pub voucher_code: Option<String>,
    pub address: Option<String>,
    pub payment_method: Option<String>,
    pub session_id: Option<String>,
    pub customer_id: Option<String>,
    pub created_at: i64,
    pub lines: Vec<OrderLine>,
}

/// A cart priced in one currency: what checkout would charge now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quote {
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub total: i64,
    /// The cart's voucher and, when it no longer applies, why.
    pub voucher: Option<String>,
    #[serde(skip)]
    pub voucher_refused: Option<Refusal>,
}

impl Quote {
    /// Each line's category and amount, as vouchers see them.
    pub fn basket_lines(&self) -> Vec<(String, i64)> {
        self.lines
            .iter()
            .map(|l| (l.category.clone(), l.amount()))
            .collect()
    }
}

/// Who checks out, and how they pay and receive.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    pub owner: &'a Owner,
    pub session_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub currency: Currency,
    pub lang: Lang,
    pub address: Option<&'a str>,
    pub payment_method: Option<&'a str>,
}

/// Prices `cart`'s lines from the catalog; `NoPrice` when a product has no price in
/// `currency`.
pub fn price_lines(
    cart: &Cart,
    catalog: &Catalog,
    currency: Currency,
    lang: Lang,
) -> Result<Vec<OrderLine>, ShopError> {
    let mut out = Vec::with_capacity(cart.lines.len());
    for l in &cart.lines {
        let p = catalog
            .get(&l.product_id)
            .ok_or_else(|| ShopError::NotFound {
                what: "product",
                id: l.product_id.clone(),
            })?;
        let unit_price = p
            .prices
            .shown(currency)
            .filter(|(_, c)| *c == currency)
            .map(|(price, _)| price)
            .ok_or_else(|| ShopError::NoPrice {
                product: p.id.clone(),
                currency: currency.code().to_string(),
            })?;
        let v = p.variants.iter().find(|v| v.sku == l.sku);
        out.push(OrderLine {
            sku: l.sku.clone(),
            product_id: p.id.clone(),
            name: p.name.get(lang).to_string(),
            size: v.and_then(|v| v.size.clone()),
            color: v.and_then(|v| v.color.clone()),
            category: p.category.clone(),
            quantity: l.quantity,
            unit_price,
        });
    }
    Ok(out)
}

fn order_number(prefix: &str) -> String {
    // a digit first: order numbers are read back from chat as "<prefix>-<digit>…"
    const DIGITS: &[u8] = b"23456789";
    const CHARS: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let mut s = format!("{prefix}-");
    s.push(DIGITS[usize::from(bytes[0]) % DIGITS.len()] as char);
    for b in &bytes[1..8] {
        s.push(CHARS[usize::from(*b) % CHARS.len()] as char);
    }
    s
}

async fn claim_voucher(
    conn: &mut AnyConnection,
    code: &str,
    who: &str,
    limit: Option<i64>,
) -> Result<bool, ShopError> {
    sqlx::query(
        "INSERT INTO voucher_claims (code, customer, used) VALUES ($1, $2, 0) \
         ON CONFLICT (code, customer) DO NOTHING",
    )
    .bind(code)
    .bind(who)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "UPDATE voucher_claims SET used = used + 1 WHERE code = $1 AND customer = $2 AND used < $3",
    )
    .bind(code)
    .bind(who)
    .bind(limit.unwrap_or(i64::MAX))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn read_order(conn: &mut AnyConnection, id: &str) -> Result<Option<Order>, ShopError> {
    let Some(r) = sqlx::query(
        "SELECT id, status, currency, subtotal, discount, shipping, total, voucher_code, address, \
         payment_method, session_id, customer_id, created_at FROM orders WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let currency: String = r.try_get("currency")?;
    let mut order = Order {
        id: r.try_get("id")?,
        status: r.try_get("status")?,
        currency: currency.parse().unwrap_or_default(),
        subtotal: r.try_get("subtotal")?,
        discount: r.try_get("discount")?,
        shipping: r.try_get("shipping")?,
        total: r.try_get("total")?,
        voucher_code: r.try_get("voucher_code")?,
        address: r.try_get("address")?,
        payment_method: r.try_get("payment_method")?,
        session_id: r.try_get("session_id")?,
        customer_id: r.try_get("customer_id")?,
        created_at: r.try_get("created_at")?,
        lines: Vec::new(),
    };
    let rows = sqlx::query(
        "SELECT sku, product_id, name, size, color, category, quantity, unit_price \
         FROM order_lines WHERE order_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for l in &rows {
        order.lines.push(OrderLine {
            sku: l.try_get("sku")?,
            product_id: l.try_get("product_id")?,
            name: l.try_get("name")?,
            size: l.try_get("size")?,
            color: l.try_get("color")?,
            category: l.try_get("category")?,
            quantity: l.try_get("quantity")?,
            unit_price: l.try_get("unit_price")?,
        });
    }
    Ok(Some(order))
}

fn visible_to(o: &Order, session_id: &str, customer_id: Option<&str>) -> bool {
    o.session_id.as_deref() == Some(session_id)
        || (customer_id.is_some() && o.customer_id.as_deref() == customer_id)
}

impl Shop {
    /// What checking out `owner`'s cart would charge now.
    #[allow(clippy::too_many_arguments)]
    pub async fn quote(
        &self,
        owner: &Owner,
        catalog: &Catalog,
        rules: &CommerceRules,
        currency: Currency,
        lang: Lang,
        now: i64,
    ) -> Result<(Cart, Quote), ShopError> {
        let cart = self.cart(owner, now).await?;
        let lines = price_lines(&cart, catalog, currency, lang)?;
        let subtotal: i64 = lines.iter().map(OrderLine::amount).sum();
        let mut quote = Quote {
            currency,
            lines,
            subtotal,
            discount: 0,
            shipping: 0,
            total: 0,
            voucher: cart.voucher.clone(),
            voucher_refused: None,
        };
        if let Some(code) = &cart.voucher {
            let basket_lines = quote.basket_lines();
            let outcome = match rules.voucher(code) {
                None => Err(Refusal::Unknown),
                Some(v) => {
                    let (used, used_by_customer) = self.voucher_uses(&v.code, &owner.key()).await?;
                    voucher::discount(
                        v,
                        &Basket {
                            currency,
                            lines: &basket_lines,
                            now,
                            used,
                            used_by_customer,
                        },
                    )
                }
            };
            match outcome {
                Ok(off) => quote.discount = off,
                Err(r) => quote.voucher_refused = Some(r),
            }
        }
        quote.shipping = rules.shipping_fee(currency, subtotal - quote.discount);
        quote.total = subtotal - quote.discount + quote.shipping;
        Ok((cart, quote))
    }

    /// Turns the cart into an order.
    pub async fn checkout(
        &self,
        req: &CheckoutRequest<'_>,
        catalog: &Catalog,
        rules: &CommerceRules,
        now: i64,
    ) -> Result<Order, ShopError> {
        let key = req.owner.key();
        let mut tx = self.store.pool().begin().await?;
        cart::lock(&mut tx, &key, now).await?;
        let cart = cart::read(&mut tx, &key).await?;
        if cart.is_empty() {
            return Err(ShopError::EmptyCart);
        }
        let lines = price_lines(&cart, catalog, req.currency, req.lang)?;
        let subtotal: i64 = lines.iter().map(OrderLine::amount).sum();
        let mut discount = 0;
        if let Some(code) = &cart.voucher {
            let refuse = |reason| ShopError::VoucherNotApplicable {
                code: code.clone(),
                reason,
            };
            let v = rules
                .voucher(code)
                .ok_or_else(|| refuse(Refusal::Unknown))?;
            let basket_lines: Vec<(String, i64)> = lines
                .iter()
                .map(|l| (l.category.clone(), l.amount()))
                .collect();
            // the uses are counted below, atomically; here only the other rules
            let basket = Basket {
                currency: req.currency,
                lines: &basket_lines,
                now,
                used: 0,
                used_by_customer: 0,
            };
            discount = voucher::discount(v, &basket).map_err(refuse)?;
            if !claim_voucher(&mut tx, &v.code, "*", v.limit).await? {
                return Err(refuse(Refusal::LimitReached));
            }
            if !claim_voucher(&mut tx, &v.code, &key, v.per_customer).await? {
                return Err(refuse(Refusal::CustomerLimitReached));
            }
        }
        let shipping = rules.shipping_fee(req.currency, subtotal - discount);
        let id = order_number(&rules.order_prefix);
        let mut by_sku: Vec<&cart::CartLine> = cart.lines.iter().collect();
        by_sku.sort_by(|a, b| a.sku.cmp(&b.sku));
        for l in by_sku {
            let held = l.held.min(l.quantity);
            stock::sell(&mut tx, &l.sku, held, l.quantity - held, &id, now).await?;
            if l.held > l.quantity {
                stock::release(&mut tx, &l.sku, l.held - l.quantity, &key, now).await?;
            }
        }
        sqlx::query(
            "INSERT INTO orders (id, owner, session_id, customer_id, status, currency, subtotal, \
             discount, shipping, total, voucher_code, address, payment_method, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&id)
        .bind(&key)
        .bind(req.session_id)
        .bind(req.customer_id)
        .bind(req.currency.code())
        .bind(subtotal)
        .bind(discount)
        .bind(shipping)
        .bind(subtotal - discount + shipping)
        .bind(cart.voucher.as_deref())
        .bind(req.address)
        .bind(req.payment_method)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (i, l) in lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO order_lines (order_id, position, sku, product_id, name, size, color, \
                 category, quantity, unit_price) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(i as i64)
            .bind(&l.sku)
            .bind(&l.product_id)
            .bind(&l.name)
            .bind(l.size.as_deref())
            .bind(l.color.as_deref())
            .bind(&l.category)
            .bind(l.quantity)
            .bind(l.unit_price)
            .execute(&mut *tx)
            .await?;
        }
        cart::empty(&mut tx, &key).await?;
        let order = read_order(&mut tx, &id).await?;
        tx.commit().await?;
        order.ok_or_else(|| ShopError::NotFound {
            what: "order",
            id: id.clone(),
        })
    }

    /// The order `id`, when this session or customer placed it.
    pub async fn order(
        &self,
        id: &str,
        session_id: &str,
        customer_id: Option<&str>,
    ) -> Result<Option<Order>, ShopError> {
        let mut conn = self.store.pool().acquire().await?;
        let id = id.trim().to_ascii_uppercase();
        Ok(read_order(&mut conn, &id)
            .await?
            .filter(|o| visible_to(o, session_id, customer_id)))
    }

    /// This session's or customer's orders, newest first.
    pub async fn orders(
        &self,
        session_id: &str,
        customer_id: Option<&str>,
    ) -> Result<Vec<Order>, ShopError> {
        let rows = sqlx::query(
            "SELECT id FROM orders WHERE session_id = $1 OR (customer_id IS NOT NULL AND customer_id = $2) \
             ORDER BY created_at DESC, id",
        )
        .bind(session_id)
        .bind(customer_id.unwrap_or(""))
        .fetch_all(self.store.pool())
        .await?;
        let mut conn = self.store.pool().acquire().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id")?;
            out.extend(read_order(&mut conn, &id).await?);
        }
        Ok(out)
    }

    /// Cancels an order within the policy of `rules`: its units go back on the
    /// shelf and its voucher use is given back.
    pub async fn cancel_order(
        &self,
        id: &str,
        session_id: &str,
        customer_id: Option<&str>,
        rules: &CommerceRules,
        now: i64,
    ) -> Result<Order, ShopError> {
        let not_found = || ShopError::NotFound {
            what: "order",
            id: id.to_string(),
        };
        let mut tx = self.store.pool().begin().await?;
        let order = read_order(&mut tx, id)
            .await?
            .filter(|o| visible_to(o, session_id, customer_id))
            .ok_or_else(not_found)?;
        let refuse = || ShopError::NotCancellable {
            id: order.id.clone(),
            status: order.status.clone(),
        };
        if !rules.cancel_statuses.contains(&order.status)
            || now - order.created_at > rules.cancel_within_ms
        {
            return Err(refuse());
        }
        // only the first of two cancellations at once goes on
        let done = sqlx::query(
            "UPDATE orders SET status = 'cancelled', updated_at = $3 WHERE id = $1 AND status = $2",
        )
        .bind(&order.id)
        .bind(&order.status)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(refuse());
        }
        let mut lines: Vec<&OrderLine> = order.lines.iter().collect();
        lines.sort_by(|a, b| a.sku.cmp(&b.sku));
        for l in lines {
            stock::restock(&mut tx, &l.sku, l.quantity, &order.id, now).await?;
        }
        if let Some(code) = &order.voucher_code {
            let owner = sqlx::query("SELECT owner FROM orders WHERE id = $1")
                .bind(&order.id)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<String, _>("owner")?;
            sqlx::query(
                "UPDATE voucher_claims SET used = used - 1 WHERE code = $1 AND customer IN ('*', $2) AND used > 0",
            )
            .bind(code)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        }
        let order = read_order(&mut tx, &order.id)
            .await?
            .ok_or_else(not_found)?;
        tx.commit().await?;
        Ok(order)
    }

    /// Moves an order on (the shop's side: paid, shipped, delivered).
    pub async fn set_order_status(
        &self,
        id: &str,
        status: &str,
        now: i64,
    ) -> Result<(), ShopError> {
        if !super::rules::ORDER_STATUSES.contains(&status) {
            return Err(ShopError::NotFound {
                what: "order status",
                id: status.to_string(),
            });
        }
        let done = sqlx::query("UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(now)
            .execute(self.store.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(ShopError::NotFound {
                what: "order",
                id: id.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_numbers_start_with_a_digit_after_the_prefix() {
        for _ in 0..100 {
            let n = super::order_number("PSR");
            assert_eq!(n.len(), 12, "{n}");
            assert!(n.as_bytes()[4].is_ascii_digit(), "{n}");
        }
    }
}
