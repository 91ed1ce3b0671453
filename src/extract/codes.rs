//! Order numbers and voucher codes. Both are read as the customer wrote them
//! (upper-cased): after a cue ("pesanan", "đơn hàng", "kode", "mã"), or in shapes
//! that cannot be anything else ("#A12345", "INV-20231012-0042"). A code spans the
//! tokens typed without spaces between them, so "GIAM-20K" stays one code.

use super::gazetteer::Tag;
use super::Marked;
use crate::normalize::{Normalized, TokenKind};
use regex::Regex;
use rustc_hash::FxHashSet;
use std::sync::LazyLock;

static ORDER_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:inv|ord|psr|trx|dh|so)[-/]?\d[a-z0-9/-]*$").expect("valid order-id shape")
});

/// What [`find_codes`] found: the code and the tokens it spans.
#[derive(Debug, Default)]
pub struct Codes {
    pub order_id: Option<(String, usize, usize)>,
    pub voucher_code: Option<(String, usize, usize)>,
}

/// "x2" or "2x" as a quantity.
pub fn times_quantity(key: &str) -> Option<i64> {
    let digits = key.strip_prefix('x').or_else(|| key.strip_suffix('x'))?;
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// Tokens from `start` typed without a space between them, and their text.
fn group(msg: &Normalized, start: usize) -> Option<(String, usize)> {
    let tokens = &msg.tokens;
    let first = tokens.get(start)?;
    let mut end = start + 1;
    let mut span_end = first.span.1;
    while let Some(t) = tokens.get(end) {
        if t.span == tokens[end - 1].span {
            end += 1;
            continue;
        }
        let joins = t.span.0 == span_end
            && match t.kind {
                TokenKind::Symbol => matches!(t.text.as_str(), "-" | "_" | "/"),
                _ => true,
            };
        if !joins {
            break;
        }
        span_end = t.span.1;
        end += 1;
    }
    let mut text = msg.original.get(first.span.0..span_end)?.to_string();
    while text.ends_with(['-', '_', '/']) {
        text.pop();
    }
    Some((text, end))
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

fn has_letter(s: &str) -> bool {
    s.chars().any(|c| c.is_alphabetic())
}

fn is_code_text(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
}

const FILLERS: &[&str] = &[
    "no", "nomor", "so", "id", "ma", "kode", "number", "#", ":", ".", "nya", "la",
];

fn after_cue(msg: &Normalized, mut j: usize) -> usize {
    let mut skipped = 0;
    while skipped < 2 {
        match msg.tokens.get(j) {
            Some(t) if FILLERS.contains(&t.key.as_str()) => {
                j += 1;
                skipped += 1;
            }
            _ => break,
        }
    }
    j
}

/// Finds the order id and voucher code of a message, if any.
pub fn find_codes(msg: &Normalized, marks: &[Marked], vocabulary: &FxHashSet<String>) -> Codes {
    let tokens = &msg.tokens;
    let mut out = Codes::default();
    let mut i = 0;
    while i < tokens.len() {
        let m = marks[i];
        if m.start != i {
            i += 1;
            continue;
        }
        let order_cue = m.has(|t| matches!(t, Tag::OrderCue));
        let voucher_cue = m.has(|t| matches!(t, Tag::VoucherCue));
        if order_cue || voucher_cue {
            // "mã GIAM-20K": the cue "mã giảm" ate the code's first word; a cue's last
            // word typed against what follows belongs to the code.
            let glued = m.end - m.start > 1
                && tokens
                    .get(m.end)
                    .is_some_and(|n| n.span.0 == tokens[m.end - 1].span.1);
            let j = if glued {
                m.end - 1
            } else {
                after_cue(msg, m.end)
            };
            if let Some((text, end)) = group(msg, j) {
                let single_money = end == j + 1 && tokens[j].amount().is_some_and(|a| a.money);
                let digits = text.bytes().filter(u8::is_ascii_digit).count();
                if order_cue
                    && out.order_id.is_none()
                    && is_code_text(&text)
                    && !single_money
                    && (digits >= 4 || (has_digit(&text) && has_letter(&text) && text.len() >= 4))
                {
                    out.order_id = Some((text.to_uppercase(), j, end));
                    i = end;
                    continue;
                }
                if voucher_cue
                    && out.voucher_code.is_none()
                    && is_code_text(&text)
                    && !single_money
                    && (3..=24).contains(&text.len())
                {
                    let typed_upper = text.chars().any(|c| c.is_ascii_uppercase())
                        && !text.chars().any(|c| c.is_ascii_lowercase());
                    let unknown_word = end == j + 1
                        && tokens[j].is_word()
                        && !vocabulary.contains(tokens[j].key.as_str());
                    if (has_digit(&text) && has_letter(&text)) || typed_upper || unknown_word {
                        out.voucher_code = Some((text.to_uppercase(), j, end));
                        i = end;
                        continue;
                    }
                }
            }
            i = m.end;
            continue;
        }
        // Shapes without a cue: "#A12345", "INV-2023...", "PSR123456".
        let t = &tokens[i];
        let maybe_shape = t.text == "#"
            || (t.is_word()
                && t.key.len() > 2
                && t.key.as_bytes()[0].is_ascii_alphabetic()
                && t.key.bytes().any(|b| b.is_ascii_digit()))
            || (t.is_word()
                && matches!(t.key.as_str(), "inv" | "ord" | "psr" | "trx" | "dh" | "so"));
        if out.order_id.is_none() && maybe_shape {
            let start = if t.text == "#" { i + 1 } else { i };
            if let Some((text, end)) = group(msg, start) {
                let lower = text.to_lowercase();
                let hash =
                    start == i + 1 && tokens.get(start).is_some_and(|n| n.span.0 == t.span.1);
                if is_code_text(&text)
                    && ((hash && has_digit(&text) && text.len() >= 4)
                        || ORDER_SHAPE.is_match(&lower))
                {
                    out.order_id = Some((text.to_uppercase(), start, end));
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    // An upper-case code of letters and digits, with no cue: a voucher ("HEMAT50 bisa?").
    if out.voucher_code.is_none() {
        for (k, t) in tokens.iter().enumerate() {
            if out
                .order_id
                .as_ref()
                .is_some_and(|(_, s, e)| (*s..*e).contains(&k))
            {
                continue;
            }
            let raw = msg.original.get(t.span.0..t.span.1).unwrap_or("");
            if t.is_word()
                && raw.len() >= 5
                && raw.len() <= 20
                && has_digit(raw)
                && has_letter(raw)
                && raw
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                out.voucher_code = Some((raw.to_string(), k, k + 1));
                break;
            }
        }
    }
    out
}
