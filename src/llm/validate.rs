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
use aho_corasick::{AhoCorasick, MatchKind};
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
    /// The catalog's names, from [`CatalogNames::build`].
    pub names: &'a CatalogNames,
    pub lang: Lang,
    pub currency: Currency,
    pub max_chars: usize,
}

/// Shapes of product ids: letters, then a part with digits ("shoe-0042", "tas-12-b").
/// Only those whose letters begin a catalog id count ("GA-2100" is a model code).
static PRODUCT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z]+)(?:-[a-z0-9]+)*-[0-9]+[a-z0-9-]*\b").expect("regex")
});
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
    let mut kept: Vec<String> = Vec::new();
    let mut repairs: Vec<String> = Vec::new();
    let mut mentioned: Vec<(usize, String)> = Vec::new();
    for sentence in sentences(text) {
        let mut offences: Vec<String> = Vec::new();
        let mut here: Vec<String> = Vec::new();
        // names first, longest first: their model codes and numbers are not read
        // again as ids or prices, and a name inside a longer one is not a mention
        let (masked, named) = r.names.mask(&sentence);
        for (id, name) in named {
            if evidence.knows(&id) {
                here.push(id);
            } else {
                offences.push(format!("product {name:?} ({id})"));
            }
        }
        for m in PRODUCT_ID.captures_iter(&masked) {
            let id = m[0].to_lowercase();
            if !r.names.prefixes.contains(&m[1].to_lowercase()) && r.catalog.get(&id).is_none() {
                continue;
            }
            if evidence.knows(&id) {
                here.push(id);
            } else {
                offences.push(format!("product id {id}"));
            }
        }
        let (rewritten, unknown) = amounts(&sentence, &masked, r, evidence);
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

/// Every product's names in every language, folded, in one automaton (leftmost
/// longest: "Crocs Classic Clog Kids" wins over "Crocs Classic Clog"), and the
/// letters catalog ids begin with ("shoe" of "shoe-0042"). Built once per catalog.
#[derive(Debug)]
pub struct CatalogNames {
    names: AhoCorasick,
    ids: Vec<String>,
    prefixes: Vec<String>,
}

impl CatalogNames {
    pub fn build(catalog: &Catalog) -> CatalogNames {
        let mut patterns: Vec<String> = Vec::new();
        let mut ids = Vec::new();
        let mut prefixes: Vec<String> = Vec::new();
        for p in catalog.products() {
            for name in p.name.all() {
                let f = fold(&name.to_lowercase());
                if f.chars().count() >= SHORTEST_NAME && !patterns.contains(&f) {
                    patterns.push(f);
                    ids.push(p.id.clone());
                }
            }
            let prefix: String =
                p.id.chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
            let prefix = prefix.to_lowercase();
            if !prefix.is_empty() && !prefixes.contains(&prefix) {
                prefixes.push(prefix);
            }
        }
        let names = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .unwrap_or_else(|_| {
                AhoCorasick::new(Vec::<String>::new()).expect("an empty automaton")
            });
        CatalogNames {
            names,
            ids,
            prefixes,
        }
    }

    /// The sentence with every product name it mentions blanked out (same byte
    /// length, so spans still fit the original), and the names found (id, name).
    fn mask(&self, sentence: &str) -> (String, Vec<(String, String)>) {
        // the folded, lower-case sentence, and where each of its bytes came from
        let mut folded = String::with_capacity(sentence.len());
        let mut origin: Vec<(usize, usize)> = Vec::with_capacity(sentence.len());
        for (at, ch) in sentence.char_indices() {
            let end = at + ch.len_utf8();
            let piece = fold(&ch.to_lowercase().collect::<String>());
            origin.extend(std::iter::repeat_n((at, end), piece.len()));
            folded.push_str(&piece);
        }
        let mut blank = vec![false; sentence.len()];
        let mut found = Vec::new();
        for m in self.names.find_iter(&folded) {
            let (start, end) = (m.start(), m.end());
            let before = folded[..start].chars().next_back();
            let after = folded[end..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let (from, to) = (origin[start].0, origin[end - 1].1);
            blank[from..to].iter_mut().for_each(|b| *b = true);
            found.push((
                self.ids[m.pattern().as_usize()].clone(),
                folded[start..end].to_string(),
            ));
        }
        let mut masked = String::with_capacity(sentence.len());
        for (at, ch) in sentence.char_indices() {
            if blank[at] {
                masked.extend(std::iter::repeat_n(' ', ch.len_utf8()));
            } else {
                masked.push(ch);
            }
        }
        (masked, found)
    }
}

/// The sentence with its amounts written the shop's way, and the amounts no tool
/// returned. Amounts are read in `masked` (product names blanked, the same byte
/// length) and written into `sentence`. An amount is a price when written as
/// money, with thousands separators, or from 10,000 up; a size, a count, a model
/// number ("RTX 4060") or a year is not.
fn amounts(sentence: &str, masked: &str, r: &Reader, evidence: &Evidence) -> (String, Vec<String>) {
    let msg = r.normalizer.normalize(masked, Some(r.lang), None);
    let src = sentence;
    let mut out = String::with_capacity(src.len() + 8);
    let mut unknown = Vec::new();
    let mut last = 0;
    for t in &msg.tokens {
        let TokenKind::Number(a) = &t.kind else {
            continue;
        };
        let priced = a.money || (a.value >= 1000.0 && !a.plain_digits) || a.value >= 10_000.0;
        if a.unit.is_some() || !priced {
            continue;
        }
        let value = a.value.round() as i64;
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
