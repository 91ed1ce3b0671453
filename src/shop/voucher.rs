//! Whether a voucher applies to a cart, and what it takes off. The rules are pure
//! (a voucher from content, the cart's amounts per category, the time, how often the
//! voucher was used), so every refusal is testable without a store; the store
//! counts uses atomically at checkout.

use super::rules::{Voucher, VoucherKind};
use super::{Owner, Shop, ShopError};
use crate::lang::Currency;
use sqlx::Row;
use std::fmt;

/// Why a voucher does not apply, with what the customer needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No voucher has that code.
    Unknown,
    /// Valid from this time on (unix milliseconds).
    NotYetValid { from: i64 },
    /// Was valid until this time.
    Expired { until: i64 },
    /// The eligible amount is under the minimum purchase.
    BelowMinimum { min: i64, currency: Currency },
    /// Used as often as it may be.
    LimitReached,
    /// This customer used it as often as they may.
    CustomerLimitReached,
    /// Nothing in the cart is in the voucher's categories.
    WrongCategory { categories: Vec<String> },
    /// Another voucher is already on the cart (one per order).
    AnotherApplied { code: String },
    /// The voucher has no amount in the cart's currency.
    NoAmount { currency: Currency },
    /// Nothing in the cart to take anything off.
    EmptyCart,
}

impl Refusal {
    /// The key of the reason's words in `rules/dialogue.yaml` (`summary.<lang>.reasons`).
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown_voucher",
            Refusal::NotYetValid { .. } => "voucher_not_yet_valid",
            Refusal::Expired { .. } => "voucher_expired",
            Refusal::BelowMinimum { .. } => "voucher_below_minimum",
            Refusal::LimitReached => "voucher_limit_reached",
            Refusal::CustomerLimitReached => "voucher_customer_limit",
            Refusal::WrongCategory { .. } => "voucher_wrong_category",
            Refusal::AnotherApplied { .. } => "voucher_another_applied",
            Refusal::NoAmount { .. } => "voucher_no_amount",
            Refusal::EmptyCart => "voucher_empty_cart",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unknown => write!(f, "no voucher has this code"),
            Refusal::NotYetValid { from } => write!(f, "valid only from {from} (unix ms)"),
            Refusal::Expired { until } => write!(f, "expired at {until} (unix ms)"),
            Refusal::BelowMinimum { min, currency } => {
                write!(f, "needs a purchase of at least {min} {}", currency.code())
            }
            Refusal::LimitReached => write!(f, "it has been used as often as it may"),
            Refusal::CustomerLimitReached => write!(f, "this customer has used it already"),
            Refusal::WrongCategory { categories } => {
                write!(f, "only for {}", categories.join(", "))
            }
            Refusal::AnotherApplied { code } => write!(f, "voucher {code} is already applied"),
            Refusal::NoAmount { currency } => write!(f, "not valid in {}", currency.code()),
            Refusal::EmptyCart => write!(f, "the cart is empty"),
        }
    }
}

/// What a voucher is checked against.
#[derive(Debug, Clone)]
pub struct Basket<'a> {
    pub currency: Currency,
    /// Each line's category and amount (unit price × quantity).
    pub lines: &'a [(String, i64)],
    pub now: i64,
    /// Uses so far: overall, and by this customer.
    pub used: i64,
    pub used_by_customer: i64,
}

/// The discount `v` gives on `basket`, or why it gives none.
pub fn discount(v: &Voucher, basket: &Basket) -> Result<i64, Refusal> {
    if let Some(from) = v.valid_from.filter(|&f| basket.now < f) {
        return Err(Refusal::NotYetValid { from });
    }
    if let Some(until) = v.valid_until.filter(|&u| basket.now >= u) {
        return Err(Refusal::Expired { until });
    }
    if v.limit.is_some_and(|l| basket.used >= l) {
        return Err(Refusal::LimitReached);
    }
    if v.per_customer.is_some_and(|l| basket.used_by_customer >= l) {
        return Err(Refusal::CustomerLimitReached);
    }
    if basket.lines.is_empty() {
        return Err(Refusal::EmptyCart);
    }
    let eligible: i64 = basket
        .lines
        .iter()
        .filter(|(c, _)| v.categories.is_empty() || v.categories.contains(c))
        .map(|(_, a)| a)
        .sum();
    if eligible == 0 {
        return Err(Refusal::WrongCategory {
            categories: v.categories.clone(),
        });
    }
    let currency = basket.currency;
    if let Some(min) = v.min_purchase.get(currency).filter(|&m| eligible < m) {
        return Err(Refusal::BelowMinimum { min, currency });
    }
    let off = match &v.kind {
        VoucherKind::Percent(p) => eligible * i64::from(*p) / 100,
        VoucherKind::Fixed(amounts) => amounts
            .get(currency)
            .ok_or(Refusal::NoAmount { currency })?,
    };
    let off = match v.max_discount.get(currency) {
        Some(max) => off.min(max),
        None => off,
    };
    Ok(off.min(eligible))
}

impl Shop {
    /// How often `code` was used: overall, and by `customer`.
    pub async fn voucher_uses(&self, code: &str, customer: &str) -> Result<(i64, i64), ShopError> {
        let rows = sqlx::query(
            "SELECT customer, used FROM voucher_claims WHERE code = $1 AND customer IN ('*', $2)",
        )
        .bind(code)
        .bind(customer)
        .fetch_all(self.store.pool())
        .await?;
        let mut uses = (0, 0);
        for r in &rows {
            let who: String = r.try_get("customer")?;
            let used: i64 = r.try_get("used")?;
            if who == "*" {
                uses.0 = used;
            } else {
                uses.1 = used;
            }
        }
        Ok(uses)
    }

    /// Puts a voucher on the cart when it applies (one per order): the discount it
    /// gives now, or `VoucherNotApplicable` with the reason.
    pub async fn apply_voucher(
        &self,
        owner: &Owner,
        voucher: Option<&Voucher>,
        code: &str,
        lines: &[(String, i64)],
        currency: Currency,
        now: i64,
    ) -> Result<i64, ShopError> {
        let refuse = |reason| ShopError::VoucherNotApplicable {
            code: code.to_string(),
            reason,
        };
        let v = voucher.ok_or_else(|| refuse(Refusal::Unknown))?;
        let cart = self.cart(owner, now).await?;
        if let Some(other) = cart.voucher.filter(|c| !c.eq_ignore_ascii_case(&v.code)) {
            return Err(refuse(Refusal::AnotherApplied { code: other }));
        }
        let (used, used_by_customer) = self.voucher_uses(&v.code, &owner.key()).await?;
        let basket = Basket {
            currency,
            lines,
            now,
            used,
            used_by_customer,
        };
        let off = discount(v, &basket).map_err(refuse)?;
        self.set_voucher(owner, Some(&v.code), now).await?;
        Ok(off)
    }

    /// Takes the voucher off the cart.
    pub async fn remove_voucher(&self, owner: &Owner, now: i64) -> Result<(), ShopError> {
        self.set_voucher(owner, None, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voucher(kind: VoucherKind) -> Voucher {
        Voucher::unconditional("HEMAT", kind)
    }

    fn basket(lines: &[(String, i64)]) -> Basket<'_> {
        Basket {
            currency: Currency::Idr,
            lines,
            now: 1_000,
            used: 0,
            used_by_customer: 0,
        }
    }

    #[test]
    fn a_percent_takes_its_share_of_the_eligible_lines_only() {
        let mut v = voucher(VoucherKind::Percent(10));
        v.categories = vec!["shoes".into()];
        let lines = [
            ("shoes".to_string(), 300_000),
            ("bags".to_string(), 500_000),
        ];
        assert_eq!(discount(&v, &basket(&lines)), Ok(30_000));
    }
}
