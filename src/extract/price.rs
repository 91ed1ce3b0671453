//! Price constraints: "di bawah 500rb" → max, "trên 2 triệu" → min, "sekitar 1jt"
//! and a bare "300rb" → 0.8x..1.2x, "antara 1-2jt" / "từ 1 đến 2 triệu" → a range
//! (an explicit range wins over "around"). A number counts as money when it has a
//! money unit or currency, or when a price word sits before it and it is at least
//! 1000; times, sizes, counts, ratings and years never become prices.

use super::gazetteer::Tag;
use super::Marked;
use crate::lang::Currency;
use crate::normalize::numbers::Amount;
use crate::normalize::Token;

/// One price expression found in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceFinding {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub currency: Option<Currency>,
    /// Tokens `start..end` it was read from.
    pub start: usize,
    pub end: usize,
    pub how: &'static str,
}

fn amount(tokens: &[Token], i: usize) -> Option<&Amount> {
    tokens.get(i).and_then(|t| t.amount())
}

/// True when a number at `i` is blocked from being money by what surrounds it.
fn not_money_context(tokens: &[Token], marks: &[Marked], i: usize) -> bool {
    let a = match amount(tokens, i) {
        Some(a) => a,
        None => return true,
    };
    if a.unit.is_some() {
        return true;
    }
    let next_blocks = marks
        .get(i + 1)
        .is_some_and(|m| m.has(|t| matches!(t, Tag::NonMoneyUnit | Tag::QuantityUnit)));
    let prev_blocks = i > 0
        && marks[i - 1].has(|t| {
            matches!(
                t,
                Tag::TimeCue | Tag::SizeCue | Tag::OrdinalPrefix | Tag::OrderCue | Tag::QuantityCue
            )
        })
        && !marks[i - 1].has(|t| {
            matches!(
                t,
                Tag::PriceUnder | Tag::PriceAbove | Tag::PriceAround | Tag::PriceCue
            )
        });
    !a.money && (next_blocks || prev_blocks)
}

/// Whether the number at `i` is money: its own unit or currency, or a price word
/// within two tokens before it and a value of at least 1000.
fn is_money(tokens: &[Token], marks: &[Marked], i: usize) -> bool {
    let Some(a) = amount(tokens, i) else {
        return false;
    };
    if not_money_context(tokens, marks, i) {
        return false;
    }
    if a.money {
        return true;
    }
    if a.value < 1000.0 {
        return false;
    }
    qualifier_before(marks, i).is_some()
}

/// The price qualifier before token `i` (skipping price cues and stopwords).
fn qualifier_before(marks: &[Marked], i: usize) -> Option<(Tag, usize)> {
    let mut j = i;
    let mut skipped = 0;
    while j > 0 && skipped < 3 {
        j -= 1;
        let m = &marks[j];
        for tag in [
            Tag::PriceUnder,
            Tag::PriceAbove,
            Tag::PriceAround,
            Tag::RangeStart,
        ] {
            if m.has(|t| *t == tag) {
                return Some((tag, m.start));
            }
        }
        if m.has(|t| matches!(t, Tag::PriceCue)) {
            return Some((Tag::PriceCue, m.start));
        }
        if m.has(|t| matches!(t, Tag::Stopword)) {
            skipped += 1;
            j = m.start;
            continue;
        }
        return None;
    }
    None
}

fn qualifier_after(marks: &[Marked], i: usize) -> Option<(Tag, usize)> {
    let m = marks.get(i + 1)?;
    for tag in [Tag::PriceUnderAfter, Tag::PriceAboveAfter] {
        if m.has(|t| *t == tag) {
            return Some((tag, m.end));
        }
    }
    None
}

/// Reads every price expression of the message.
/// Tokens already `claimed` (an order id, a voucher code) are skipped.
pub fn find_prices(tokens: &[Token], marks: &[Marked], claimed: &[bool]) -> Vec<PriceFinding> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if claimed[i] || amount(tokens, i).is_none() || not_money_context(tokens, marks, i) {
            i += 1;
            continue;
        }
        // A range: A joiner B, where B is money (A may borrow B's unit: "1-2jt").
        if let Some(range) =
            range_at(tokens, marks, i).filter(|r| !claimed[r.start..r.end].iter().any(|c| *c))
        {
            i = range.end;
            out.push(range);
            continue;
        }
        if !is_money(tokens, marks, i) {
            i += 1;
            continue;
        }
        let a = amount(tokens, i).expect("checked above");
        let before = qualifier_before(marks, i);
        let after = qualifier_after(marks, i);
        let start = before.as_ref().map_or(i, |(_, s)| *s);
        let end = after.as_ref().map_or(i + 1, |(_, e)| *e);
        let v = a.value;
        let (min, max, how) = match (after.map(|(t, _)| t), before.map(|(t, _)| t)) {
            (Some(Tag::PriceUnderAfter), _) => (None, Some(v), "under"),
            (Some(Tag::PriceAboveAfter), _) => (Some(v), None, "above"),
            // "2jt-an", "2 jutaan" mean around, whatever word stands before them
            _ if a.approx => (Some(v * 0.8), Some(v * 1.2), "around"),
            (_, Some(Tag::PriceUnder)) => (None, Some(v), "under"),
            (_, Some(Tag::PriceAbove)) | (_, Some(Tag::RangeStart)) => (Some(v), None, "above"),
            _ => (Some(v * 0.8), Some(v * 1.2), "around"),
        };
        out.push(PriceFinding {
            min,
            max,
            currency: a.currency,
            start,
            end,
            how,
        });
        i = end;
    }
    out
}

fn range_at(tokens: &[Token], marks: &[Marked], i: usize) -> Option<PriceFinding> {
    let a = amount(tokens, i)?;
    let joiner = marks.get(i + 1)?;
    if !joiner.has(|t| matches!(t, Tag::RangeJoiner)) {
        return None;
    }
    let j = joiner.end;
    let b = amount(tokens, j)?;
    if not_money_context(tokens, marks, j) {
        return None;
    }
    let b_money =
        b.money || (b.value >= 1000.0 && (a.money || qualifier_before(marks, i).is_some()));
    let a_money = a.money || b_money;
    if !(a_money && b_money) {
        return None;
    }
    let mut lo = a.value;
    if !a.money && b.scale > 1.0 && lo * b.scale <= b.value {
        lo *= b.scale;
    }
    let hi = b.value;
    if lo > hi {
        return None;
    }
    let start = match qualifier_before(marks, i) {
        Some((_, s)) => s,
        None => i,
    };
    let end = match qualifier_after(marks, j) {
        Some((_, e)) => e,
        None => j + 1,
    };
    Some(PriceFinding {
        min: Some(lo),
        max: Some(hi),
        currency: b.currency.or(a.currency),
        start,
        end,
        how: "range",
    })
}
