//! What a conversation remembers between turns: the language, the effective search
//! constraints, the last list shown (for "yang kedua"), the product in focus, a
//! question or confirmation waiting for an answer, the checkout details given, and
//! a copy of the cart (the store holds the cart, its stock holds and the orders).
//! A [`Session`] is plain data (serde), so the store can persist it as JSON.

use crate::extract::Constraints;
use crate::lang::Lang;
use crate::shop::{Cart, Owner};
use serde::{Deserialize, Serialize};

/// A question pasar asked and waits on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    /// A follow-up question for `slot` of `intent`; `product` is the product in
    /// question, when there is one (a size asked for the cart).
    Slot {
        intent: String,
        slot: String,
        #[serde(default)]
        product: Option<String>,
        #[serde(default)]
        quantity: Option<i64>,
        /// Sizes and colours chosen in earlier answers to this question.
        #[serde(default)]
        sizes: Vec<String>,
        #[serde(default)]
        colors: Vec<String>,
        /// After an add that chose the variant itself: the cart line a size or
        /// colour in the next message replaces.
        #[serde(default)]
        replaces: Option<String>,
    },
    /// "Are you sure?" before `intent` is carried out.
    Confirm {
        intent: String,
        #[serde(default)]
        order_id: Option<String>,
    },
}

/// The state of one conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    pub id: String,
    pub lang: Option<Lang>,
    /// Turns so far.
    pub turn: u32,
    /// The search as it stands after every refinement.
    pub search: Constraints,
    /// Product ids of the last list shown, in order.
    pub shown: Vec<String>,
    /// The product the conversation is about.
    pub focus: Option<String>,
    pub pending: Option<Pending>,
    /// The intent the last turn was answered as.
    pub last_intent: Option<String>,
    /// The cart as the store last showed it: each turn reports it, and a turn
    /// about the cart reads it again (the store is the truth).
    pub cart: Cart,
    /// The customer, when the storefront identified one: the cart is theirs.
    pub customer: Option<String>,
    /// Checkout details given in this conversation.
    pub address: Option<String>,
    /// A payment method id from `rules/commerce.yaml`.
    pub payment: Option<String>,
    /// The last few exchanges, word for word, for the LLM.
    pub recent: Vec<super::escalate::Exchange>,
    /// LLM tokens this conversation has used (its budget is in `rules/llm.yaml`).
    pub llm_tokens: u64,
}

impl Session {
    pub fn new(id: impl Into<String>) -> Session {
        Session {
            id: id.into(),
            ..Session::default()
        }
    }

    /// Whose cart this conversation fills.
    pub fn owner(&self) -> Owner {
        Owner::of(&self.id, self.customer.as_deref())
    }
}

/// True when the constraints say something about which products are wanted.
pub fn describes_products(c: &Constraints) -> bool {
    c.category.is_some()
        || !c.colors.is_empty()
        || !c.exclude_colors.is_empty()
        || !c.sizes.is_empty()
        || !c.brands.is_empty()
        || c.gender.is_some()
        || c.price_min.is_some()
        || c.price_max.is_some()
        || c.query.is_some()
        || c.sort.is_some()
}

/// True when the constraints name products by something the catalog knows
/// (category, brand, colour, size, gender, price), not by free words alone.
pub fn names_products(c: &Constraints) -> bool {
    c.category.is_some()
        || !c.colors.is_empty()
        || !c.sizes.is_empty()
        || !c.brands.is_empty()
        || c.gender.is_some()
        || c.price_min.is_some()
        || c.price_max.is_some()
}

/// Whether the constraints have a value for `key` (`variant`: a size or colour).
pub fn has_key(c: &Constraints, key: &str) -> bool {
    match key {
        "variant" => !c.sizes.is_empty() || !c.colors.is_empty(),
        "price_min" => c.price_min.is_some(),
        "price_max" => c.price_max.is_some(),
        "currency" => c.currency.is_some(),
        "category" => c.category.is_some(),
        "colors" => !c.colors.is_empty(),
        "exclude_colors" => !c.exclude_colors.is_empty(),
        "sizes" => !c.sizes.is_empty(),
        "brands" => !c.brands.is_empty(),
        "gender" => c.gender.is_some(),
        "quantity" => c.quantity.is_some(),
        "ordinal" => c.ordinal.is_some(),
        "sort" => c.sort.is_some(),
        "order_id" => c.order_id.is_some(),
        "voucher_code" => c.voucher_code.is_some(),
        "query" => c.query.is_some(),
        _ => false,
    }
}

/// Folds what a message says into the search so far. A refinement keeps what was
/// said ("yang hitam ada?" keeps the category and budget); a message that names a
/// category starts a new search that keeps only `keeps` ("ada giày dưới 1 triệu?"
/// after red Ventela sneakers is not about red Ventelas). Returns true when the
/// search changed.
pub fn refine(search: &mut Constraints, said: &Constraints, keeps: &[String]) -> bool {
    let before = search.clone();
    if let Some(category) = &said.category {
        if describes_products(search) {
            let old = std::mem::take(search);
            for key in keeps {
                copy_key(&old, search, key);
            }
        }
        search.category = Some(category.clone());
    }
    if !said.colors.is_empty() {
        search.colors = said.colors.clone();
        search.exclude_colors.retain(|c| !said.colors.contains(c));
    }
    for c in &said.exclude_colors {
        search.colors.retain(|x| x != c);
        if !search.exclude_colors.contains(c) {
            search.exclude_colors.push(c.clone());
        }
    }
    if !said.sizes.is_empty() {
        search.sizes = said.sizes.clone();
    }
    if !said.brands.is_empty() {
        search.brands = said.brands.clone();
    }
    if said.gender.is_some() {
        search.gender = said.gender.clone();
    }
    if said.price_min.is_some() || said.price_max.is_some() {
        search.price_min = said.price_min;
        search.price_max = said.price_max;
        search.currency = said.currency;
    }
    if said.sort.is_some() {
        search.sort = said.sort.clone();
    }
    if said.query.is_some() {
        search.query = said.query.clone();
    }
    *search != before
}

fn copy_key(from: &Constraints, to: &mut Constraints, key: &str) {
    match key {
        "price_min" | "price_max" | "currency" => {
            to.price_min = from.price_min;
            to.price_max = from.price_max;
            to.currency = from.currency;
        }
        "colors" => to.colors = from.colors.clone(),
        "exclude_colors" => to.exclude_colors = from.exclude_colors.clone(),
        "sizes" => to.sizes = from.sizes.clone(),
        "brands" => to.brands = from.brands.clone(),
        "gender" => to.gender = from.gender.clone(),
        "sort" => to.sort = from.sort.clone(),
        "query" => to.query = from.query.clone(),
        _ => {}
    }
}

/// The effective constraints of a turn: the search so far with what this turn
/// says laid over it (a stock question about size L shows `sizes: [L]` without
/// changing the search), plus what only a turn says (ordinal, quantity, order id,
/// voucher code). `overlay` is `None` when the turn has refined the search already,
/// else the keys a new category keeps.
pub fn effective(
    search: &Constraints,
    said: &Constraints,
    overlay: Option<&[String]>,
) -> Constraints {
    let mut c = search.clone();
    if let Some(keeps) = overlay {
        refine(&mut c, said, keeps);
    }
    c.quantity = said.quantity;
    c.ordinal = said.ordinal;
    c.order_id = said.order_id.clone();
    c.voucher_code = said.voucher_code.clone();
    if c.currency.is_none() && said.currency.is_some() {
        c.currency = said.currency;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(f: impl FnOnce(&mut Constraints)) -> Constraints {
        let mut c = Constraints::default();
        f(&mut c);
        c
    }

    #[test]
    fn a_refinement_keeps_what_was_said() {
        let mut s = said(|c| {
            c.category = Some("shoes".into());
            c.price_max = Some(500000);
            c.currency = Some(crate::lang::Currency::Idr);
        });
        assert!(refine(
            &mut s,
            &said(|c| c.colors = vec!["black".into()]),
            &[]
        ));
        assert_eq!(s.category.as_deref(), Some("shoes"));
        assert_eq!(s.price_max, Some(500000));
        assert_eq!(s.colors, vec!["black".to_string()]);
    }

    #[test]
    fn a_new_category_drops_what_no_longer_applies() {
        let mut s = said(|c| {
            c.category = Some("shoes".into());
            c.sizes = vec!["42".into()];
            c.gender = Some("men".into());
        });
        refine(
            &mut s,
            &said(|c| c.category = Some("t-shirts".into())),
            &["gender".into()],
        );
        assert_eq!(s.category.as_deref(), Some("t-shirts"));
        assert!(s.sizes.is_empty());
        assert_eq!(s.gender.as_deref(), Some("men"));
    }

    #[test]
    fn an_exclusion_removes_the_colour() {
        let mut s = said(|c| c.colors = vec!["black".into()]);
        refine(
            &mut s,
            &said(|c| c.exclude_colors = vec!["black".into()]),
            &[],
        );
        assert!(s.colors.is_empty());
        assert_eq!(s.exclude_colors, vec!["black".to_string()]);
    }
}
