//! What replies and API answers show of products, the cart and orders: product
//! cards in the conversation's currency, the cart total, and the one-line summary
//! of a search ("sepatu merah di bawah Rp 500.000").

use super::rules::DialogueRules;
use crate::catalog::{Catalog, Product};
use crate::content::templates::format_money;
use crate::content::words::LexiconWords;
use crate::extract::Constraints;
use crate::lang::{Currency, Lang};
use crate::shop::order::{Order, OrderLine};
use crate::shop::rules::CommerceRules;
use crate::shop::CartLine;
use serde::Serialize;

/// A product as a reply and the API show it (CONTRACT.md section 6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductCard {
    pub id: String,
    pub name: String,
    pub price: i64,
    pub currency: Currency,
    pub in_stock: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Stars, one decimal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    pub stock: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub colors: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The size and colour put in the cart ("42, hitam"), when one was chosen.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

impl ProductCard {
    pub fn new(p: &Product, lang: Lang, currency: Currency) -> ProductCard {
        let (price, currency) = p.prices.shown(currency).unwrap_or((0, currency));
        // sizes and colours that can still be bought
        let mut sizes: Vec<String> = Vec::new();
        let mut colors: Vec<String> = Vec::new();
        for v in p.variants.iter().filter(|v| v.stock > 0) {
            if let Some(s) = &v.size {
                if !sizes.contains(s) {
                    sizes.push(s.clone());
                }
            }
            if let Some(c) = &v.color {
                if !colors.contains(c) {
                    colors.push(c.clone());
                }
            }
        }
        ProductCard {
            id: p.id.clone(),
            name: p.name.get(lang).to_string(),
            price,
            currency,
            in_stock: p.in_stock(),
            brand: p.brand.clone(),
            rating: p.rating.map(|r| (f64::from(r) * 10.0).round() / 10.0),
            stock: p.stock(),
            sizes,
            colors,
            description: p.description.get(lang).to_string(),
            variant: String::new(),
        }
    }
}

/// The cart as replies and the API show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CartSummary {
    /// Distinct lines.
    pub items: usize,
    /// Units over all lines.
    pub units: i64,
    pub total: i64,
    pub currency: Currency,
}

pub fn cart_summary(catalog: &Catalog, lines: &[CartLine], currency: Currency) -> CartSummary {
    let mut total = 0;
    for l in lines {
        if let Some(p) = catalog.get(&l.product_id) {
            if let Some((price, _)) = p.prices.shown(currency) {
                total += price * l.quantity;
            }
        }
    }
    CartSummary {
        items: lines.len(),
        units: lines.iter().map(|l| l.quantity).sum(),
        total,
        currency,
    }
}

/// A line of a cart or an order as templates show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineView {
    pub name: String,
    /// "42, hitam"
    pub variant: String,
    pub quantity: i64,
    pub price: i64,
    pub amount: i64,
    /// False once the stock hold ran out (orders: always true).
    pub held: bool,
}

impl LineView {
    pub fn new(l: &OrderLine, held: bool, words: &LexiconWords) -> LineView {
        LineView {
            name: l.name.clone(),
            variant: variant_words(l.size.as_deref(), l.color.as_deref(), words),
            quantity: l.quantity,
            price: l.unit_price,
            amount: l.amount(),
            held,
        }
    }
}

/// "42, hitam": a size and a colour in the customer's words.
pub fn variant_words(size: Option<&str>, color: Option<&str>, words: &LexiconWords) -> String {
    [
        size.map(str::to_string),
        color.map(|c| words.color_name(c).to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// An order as templates show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderView {
    pub id: String,
    pub status: String,
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub total: i64,
    pub currency: Currency,
    pub items: usize,
    pub units: i64,
    pub lines: Vec<LineView>,
    pub voucher: Option<String>,
    /// The payment method's label in the reply's language.
    pub payment: Option<String>,
    pub address: Option<String>,
    /// The date it was placed, in the shop's clock.
    pub created: String,
}

impl OrderView {
    pub fn new(o: &Order, words: &LexiconWords, rules: &CommerceRules, lang: Lang) -> OrderView {
        OrderView {
            id: o.id.clone(),
            status: o.status.clone(),
            subtotal: o.subtotal,
            discount: o.discount,
            shipping: o.shipping,
            total: o.total,
            currency: o.currency,
            items: o.lines.len(),
            units: o.lines.iter().map(|l| l.quantity).sum(),
            lines: o
                .lines
                .iter()
                .map(|l| LineView::new(l, true, words))
                .collect(),
            voucher: o.voucher_code.clone(),
            payment: o
                .payment_method
                .as_deref()
                .map(|m| payment_label(rules, m, lang)),
            address: o.address.clone(),
            created: rules.local_date(o.created_at),
        }
    }
}

/// A payment method's label in `lang` (its id when content no longer has it).
pub fn payment_label(rules: &CommerceRules, id: &str, lang: Lang) -> String {
    rules
        .payment_method(id)
        .map_or_else(|| id.to_string(), |m| m.label[lang.index()].clone())
}

/// A voucher as templates show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoucherView {
    pub code: String,
    pub description: String,
    /// What it takes off this cart, when worked out.
    pub discount: Option<i64>,
}

/// "sepatu merah nike di bawah Rp 500.000": what was searched, in the reply's language.
pub fn summary(
    c: &Constraints,
    words: &LexiconWords,
    rules: &DialogueRules,
    lang: Lang,
    currency: Currency,
) -> String {
    let phrases = rules.summary_words(lang);
    let mut parts: Vec<String> = Vec::new();
    // in the language's word order: "sepatu lari merah", "black running shoes"
    for key in &phrases.order {
        match key.as_str() {
            "category" => parts.extend(
                c.category
                    .as_deref()
                    .map(|cat| words.category_name(cat).to_string()),
            ),
            "query" => parts.extend(c.query.clone()),
            "colors" => parts.extend(c.colors.iter().map(|col| words.color_name(col).to_string())),
            "brands" => parts.extend(c.brands.iter().cloned()),
            "sizes" if !c.sizes.is_empty() => parts.push(c.sizes.join("/")),
            _ => {}
        }
    }
    let currency = c.currency.unwrap_or(currency);
    let money = |x: i64| format_money(x as f64, currency, lang);
    match (c.price_min, c.price_max) {
        (Some(min), Some(max)) if min > 0 => parts.push(
            phrases
                .between
                .replace("{min}", &money(min))
                .replace("{max}", &money(max)),
        ),
        (_, Some(max)) => parts.push(phrases.under.replace("{max}", &money(max))),
        (Some(min), None) => parts.push(phrases.over.replace("{min}", &money(min))),
        (None, None) => {}
    }
    parts.join(" ")
}
