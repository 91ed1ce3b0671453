//! Reply templates (`templates/<lang>/*.yaml`), checked at load time: the intent is
//! canonical, the situation is known, the minijinja syntax compiles, and every
//! variable a variant uses is one its situation provides, so a typo fails in
//! `pasar check` rather than in a customer's chat. A sample render catches unknown
//! filters. Money is written per CONTRACT.md section 1 by the `money` filter.

use crate::intent::Intent;
use crate::lang::{Currency, Lang};
use crate::trace::Origin;
use minijinja::{Environment, State, Value};

/// When a template is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Situation {
    Reply,
    Found,
    Relaxed,
    NotFound,
    Ask,
    Confirm,
    Done,
    Empty,
    Handoff,
    Fallback,
}

/// Variables every template may use.
pub const COMMON_VARIABLES: &[&str] = &["store_name", "currency", "lang"];

impl Situation {
    pub const ALL: &'static [(&'static str, Situation)] = &[
        ("reply", Situation::Reply),
        ("found", Situation::Found),
        ("relaxed", Situation::Relaxed),
        ("not_found", Situation::NotFound),
        ("ask", Situation::Ask),
        ("confirm", Situation::Confirm),
        ("done", Situation::Done),
        ("empty", Situation::Empty),
        ("handoff", Situation::Handoff),
        ("fallback", Situation::Fallback),
    ];

    pub fn parse(s: &str) -> Option<Situation> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }

    pub fn names() -> String {
        Self::ALL
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The variables this situation provides (besides [`COMMON_VARIABLES`]).
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Situation::Found => &[
                "count", "products", "summary", "query", "product", "cart", "order", "vouchers",
                "voucher", "lines", "subtotal", "discount", "shipping", "total",
            ],
            Situation::Relaxed => &["count", "products", "summary", "dropped"],
            Situation::NotFound => &["summary", "query", "reason", "product", "order", "cart"],
            Situation::Ask => &["slot", "product", "options", "cart"],
            Situation::Confirm | Situation::Done => &[
                "product", "quantity", "cart", "order", "voucher", "lines", "subtotal", "discount",
                "shipping", "total", "address", "payment",
            ],
            Situation::Handoff => &["ticket"],
            Situation::Reply | Situation::Empty | Situation::Fallback => &[],
        }
    }
}

/// One compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub intent: Intent,
    pub situation: Situation,
    pub variants: Vec<String>,
    pub quick_replies: Vec<String>,
    pub origin: Origin,
}

/// All templates, per language.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    pub by_lang: Vec<Vec<Template>>,
}

impl Templates {
    pub fn find(&self, lang: Lang, intent: Intent, situation: Situation) -> Option<&Template> {
        self.by_lang
            .get(lang.index())?
            .iter()
            .find(|t| t.intent == intent && t.situation == situation)
    }
}

/// Writes an amount per CONTRACT.md section 1: "Rp 299.000", "299.000 ₫",
/// and in English "Rp 299,000" / "299,000 ₫".
pub fn format_money(amount: f64, currency: Currency, lang: Lang) -> String {
    let sep = if lang == Lang::En { ',' } else { '.' };
    let whole = amount.round() as i64;
    let digits = whole.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(sep);
        }
        grouped.push(ch);
    }
    let sign = if whole < 0 { "-" } else { "" };
    match currency {
        Currency::Idr => format!("{sign}Rp {grouped}"),
        Currency::Vnd => format!("{sign}{grouped} ₫"),
        Currency::Usd => format!("{sign}${grouped}"),
    }
}

fn money_filter(state: &State, value: Value) -> String {
    let amount = f64::try_from(value).unwrap_or(0.0);
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(|s| s.parse::<Lang>().ok()))
        .unwrap_or(Lang::Id);
    let currency = state
        .lookup("currency")
        .and_then(|v| v.as_str().and_then(|s| s.parse::<Currency>().ok()))
        .unwrap_or(match lang {
            Lang::Vi => Currency::Vnd,
            _ => Currency::Idr,
        });
    format_money(amount, currency, lang)
}

/// The environment replies are rendered in: the `money` filter and nothing else.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.add_filter("money", money_filter);
    env
}

/// A context with a plausible value for every variable any situation provides, for
/// the sample render `pasar check` does (which variables a situation may use is
/// checked apart, from the template's undeclared variables).
pub fn sample_context(lang: Lang) -> Value {
    let product = minijinja::context! {
        id => "shoe-0001", name => "Sepatu Lari Contoh", brand => "ventela",
        price => 299000, currency => "IDR", in_stock => true, rating => 4.8,
    };
    let cart = minijinja::context! { items => 2, units => 3, total => 598000, currency => "IDR" };
    let line = minijinja::context! {
        name => "Sepatu Lari Contoh", variant => "42, hitam", quantity => 2, price => 299000,
        amount => 598000, held => true,
    };
    let order = minijinja::context! {
        id => "PSR-2K7M9Q4X", status => "shipped", total => 598000, subtotal => 598000,
        discount => 0, shipping => 0, currency => "IDR", items => 2, units => 3,
        lines => vec![line.clone()], voucher => "HEMAT10", payment => "Transfer bank",
        address => "Jl. Contoh No. 1, Bandung", created => "2026-11-22",
    };
    let voucher =
        minijinja::context! { code => "HEMAT50", description => "Diskon 50rb", discount => 50000 };
    let all = minijinja::context! {
        store_name => "Toko Contoh", currency => "IDR", lang => lang.code(),
        count => 2, products => vec![product.clone(), product.clone()], summary => "sepatu merah",
        query => "lari", product => product, cart => cart, order => order,
        vouchers => vec![voucher.clone()], voucher => voucher, dropped => "color",
        reason => "min_purchase", slot => "size", options => vec!["40", "41", "42"],
        quantity => 1, total => 598000, lines => vec![line.clone(), line],
        subtotal => 598000, discount => 50000, shipping => 10000,
        address => "Jl. Contoh No. 1, Bandung", payment => "Transfer bank", ticket => "HO-3F2A9C1D",
    };
    all
}
