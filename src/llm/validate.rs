//! What the customer may see of an LLM answer. Every product id, product name and
//! price in it must come from this turn's tool results ([`Evidence`]); a sentence
//! that names anything else is dropped (repair), and an answer with nothing left,
//! or written in another language than the turn's, is rejected so fallback mode
//! answers instead. Amounts that pass are written again with the shop's own money
//! formatting, and the answer is cut at a sentence end when it runs long.

use crate::catalog::Catalog;
use crate::content::templates::format_money;
use crate::lang::{Currency, Lang};
use crate::normalize::fold::fold;
use crate::normalize::{Normalizer, TokenKind};
use regex::Regex;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// What this turn's tools returned that an answer may mention.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Product ids, in the order the tools returned them.
    pub products: Vec<String>,
    /// Amounts in the turn's currency: prices, cart totals, fees.
    pub amounts: Vec<i64>,
}

impl Evidence {
    pub fn add_product(&mut self, id: &str) {
        if !self.products.iter().any(|p| p == id) {
            self.products.push(id.to_string());
        }
    }

    pub fn add_amount(&mut self, amount: i64) {
        if !self.amounts.contains(&amount) {
            self.amounts.push(amount);
        }
    }

    fn knows(&self, id: &str) -> bool {
        self.products.iter().any(|p| p == id)
    }
}

/// An answer fit to be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub text: String,
    /// Products the answer mentions (all from the evidence), in order.
    pub products: Vec<String>,
    /// What was dropped and why, for the trace.
    pub repairs: Vec<String>,
}

/// Why an answer cannot be shown.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejection {
    #[error("the answer is empty")]
    Empty,
    #[error("every sentence names something no tool returned: {}", .0.join("; "))]
    Invented(Vec<String>),
    #[error("the answer is in {got}, the turn in {want}")]
    WrongLanguage { got: Lang, want: Lang },
}

impl Rejection {
    /// A stable label for metrics and the trace.
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::Empty => "empty",
            Rejection::Invented(_) => "invented_facts",
            Rejection::WrongLanguage { .. } => "wrong_language",
        }
    }
}

/// What the validator reads with.
pub struct Reader<'a> {
    pub normalizer: &'a Normalizer,
    pub catalog: &'a Catalog,
    pub lang: Lang,
    pub currency: Currency,
    pub max_chars: usize,
}

/// Shapes of product ids: letters, then a part with digits ("shoe-0042", "tas-12-b").
static PRODUCT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z]+(?:-[a-z0-9]+)*-[0-9]+[a-z0-9-]*\b").expect("regex"));
/// Sentence ends: a stop followed by a space, or a line break.
static SENTENCE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[.!?…](?:\s+)|\n+").expect("regex"));
/// A currency word or sign written before an amount.
static BEFORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:rp\.?|idr|\$|usd)\s*$").expect("regex"));
/// A currency word or sign written after an amount.
static AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:vnđ|vnd|đồng|dong|đ|₫|rupiah|idr|usd)(?:\b|$)|^\s*(?:₫|đ)")
        .expect("regex")
});

/// Names shorter than this are not looked for: "Tas" is a word, not a product.
const SHORTEST_NAME: usize = 10;

pub fn validate(text: &str, r: &Reader, evidence: &Evidence) -> Result<Checked, Rejection> {
    let text: String = text.replace("**", "").nfc().collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(Rejection::Empty);
    }
    let names = product_names(r.catalog);
    let mut kept: Vec<String> = Vec::new();
    let mut repairs: Vec<String> = Vec::new();
    let mut mentioned: Vec<(usize, String)> = Vec::new();
    for sentence in sentences(text) {
        let folded = fold(&sentence.to_lowercase());
        let mut offences: Vec<String> = Vec::new();
        let mut here: Vec<String> = Vec::new();
        for m in PRODUCT_ID.find_iter(&sentence) {
            let id = m.as_str().to_lowercase();
            if evidence.knows(&id) {
                here.push(id);
            } else {
                offences.push(format!("product id {id}"));
            }
        }
        for (id, name) in &names {
            if folded.contains(name.as_str()) {
                if evidence.knows(id) {
                    here.push(id.clone());
                } else {
                    offences.push(format!("product {name:?} ({id})"));
                }
            }
        }
        let (rewritten, unknown) = amounts(&sentence, r, evidence);
        offences.extend(unknown.into_iter().map(|a| format!("amount {a}")));
        if offences.is_empty() {
            let at = kept.iter().map(String::len).sum::<usize>();
            mentioned.extend(here.into_iter().map(|id| (at, id)));
            kept.push(rewritten);
        } else {
            repairs.push(format!(
                "dropped {:?}: {}",
                sentence.trim(),
                offences.join(", ")
            ));
        }
    }
    if kept.is_empty() {
        return Err(Rejection::Invented(repairs));
    }
    let mut out = String::new();
    for s in kept {
        if !out.is_empty() && out.chars().count() + s.chars().count() > r.max_chars {
            repairs.push(format!("cut at {} characters", out.chars().count()));
            break;
        }
        out.push_str(&s);
    }
    let out = out.trim().to_string();
    let read = r.normalizer.normalize(&out, None, Some(r.lang));
    let words = read.tokens.iter().filter(|t| t.is_word()).count();
    if read.lang != r.lang && words >= 3 {
        return Err(Rejection::WrongLanguage {
            got: read.lang,
            want: r.lang,
        });
    }
    let mut products: Vec<String> = Vec::new();
    mentioned.sort_by_key(|(at, _)| *at);
    for (_, id) in mentioned {
        if !products.contains(&id) {
            products.push(id);
        }
    }
    Ok(Checked {
        text: out,
        products,
        repairs,
    })
}

/// The answer's sentences, each with what ends it.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for m in SENTENCE_END.find_iter(text) {
        // "Rp 459.000" has a stop inside: only a stop followed by a space ends
        out.push(text[start..m.end()].to_string());
        start = m.end();
    }
    if start < text.len() {
        out.push(text[start..].to_string());
    }
    out.retain(|s| !s.trim().is_empty());
    out
}

/// Every product's names in every language, folded, long enough to mean it.
fn product_names(catalog: &Catalog) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in catalog.products() {
        for name in p.name.all() {
            let f = fold(&name.to_lowercase());
            if f.chars().count() >= SHORTEST_NAME {
                out.push((p.id.clone(), f));
            }
        }
    }
    out
}

/// The sentence with its amounts written the shop's way, and the amounts no tool
/// returned. An amount is money when written as money or when it is 1,000 or
/// more (a size or a count is smaller; a year is let through).
fn amounts(sentence: &str, r: &Reader, evidence: &Evidence) -> (String, Vec<String>) {
    let msg = r.normalizer.normalize(sentence, Some(r.lang), None);
    let src = msg.original.as_str();
    let mut out = String::with_capacity(src.len() + 8);
    let mut unknown = Vec::new();
    let mut last = 0;
    for t in &msg.tokens {
        let TokenKind::Number(a) = &t.kind else {
            continue;
        };
        if a.unit.is_some() || !(a.money || a.value >= 1000.0) {
            continue;
        }
        let value = a.value.round() as i64;
        if !a.money && (1900..=2100).contains(&value) {
            continue;
        }
        if !evidence.amounts.contains(&value) {
            unknown.push(src[t.span.0..t.span.1].to_string());
            continue;
        }
        let (mut from, mut to) = t.span;
        if let Some(m) = BEFORE.find(&src[last..from]) {
            from = last + m.start();
        }
        if let Some(m) = AFTER.find(&src[to..]) {
            to += m.end();
        }
        out.push_str(&src[last..from]);
        out.push_str(&format_money(value as f64, r.currency, r.lang));
        last = to;
    }
    out.push_str(&src[last..]);
    (out, unknown)
}
