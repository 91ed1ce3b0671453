//! Compares one turn's outcome with its `expect` block and lists what differs.

use super::Expect;
use crate::dialogue::{Session, TurnOutcome};
use serde_json::Value as Json;

/// One unmet expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub key: String,
    pub expected: String,
    pub got: String,
}

fn miss(key: &str, expected: impl ToString, got: impl ToString) -> Mismatch {
    Mismatch {
        key: key.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
    }
}

/// Every expectation of `e` that `out` does not meet.
pub fn check(e: &Expect, out: &TurnOutcome, session: &Session) -> Vec<Mismatch> {
    let mut m = Vec::new();
    let intent = out.intent.map(|i| i.name().to_string());
    if let Some(want) = &e.intent {
        if *want != intent {
            m.push(miss(
                "intent",
                want.as_deref().unwrap_or("null"),
                intent.as_deref().unwrap_or("null"),
            ));
        }
    }
    if let Some(want) = e.escalate {
        if want != out.escalate {
            m.push(miss("escalate", want, out.escalate));
        }
    }
    if let Some(want) = &e.source {
        if want != out.source.as_str() {
            m.push(miss("source", want, out.source.as_str()));
        }
    }
    if let Some(want) = &e.constraints {
        let got = serde_json::to_value(&out.constraints).unwrap_or(Json::Null);
        for (k, v) in want {
            let key = k.as_str().unwrap_or_default();
            let expected = serde_json::to_value(v).unwrap_or(Json::Null);
            let actual = got.get(key).cloned().unwrap_or(Json::Null);
            if !subset(&expected, &actual, key) {
                m.push(miss(&format!("constraints.{key}"), &expected, &actual));
            }
        }
    }
    let n = out.products.len();
    if let Some(min) = e.products_min {
        if n < min {
            m.push(miss("products_min", min, n));
        }
    }
    if let Some(max) = e.products_max {
        if n > max {
            m.push(miss("products_max", max, n));
        }
    }
    for id in &e.products_include {
        if !out.products.iter().any(|p| &p.id == id) {
            let ids: Vec<&str> = out.products.iter().map(|p| p.id.as_str()).collect();
            m.push(miss("products_include", id, ids.join(", ")));
        }
    }
    let reply = out.reply.text.to_lowercase();
    for s in &e.reply_contains {
        if !reply.contains(&s.to_lowercase()) {
            m.push(miss("reply_contains", s, &out.reply.text));
        }
    }
    for s in &e.reply_not_contains {
        if reply.contains(&s.to_lowercase()) {
            m.push(miss("reply_not_contains", s, &out.reply.text));
        }
    }
    if let Some(re) = &e.reply_matches {
        if !regex::Regex::new(re).is_ok_and(|r| r.is_match(&out.reply.text)) {
            m.push(miss("reply_matches", re, &out.reply.text));
        }
    }
    if let Some(want) = e.cart_items {
        if want != session.cart.lines.len() {
            m.push(miss("cart_items", want, session.cart.lines.len()));
        }
    }
    m
}

/// Subset match: every expected list item is in the list got; numbers compare by
/// value; strings ignore case (and a `query` matches when every expected word is
/// among the words got).
fn subset(expected: &Json, got: &Json, key: &str) -> bool {
    match (expected, got) {
        (Json::Array(want), Json::Array(have)) => {
            want.iter().all(|w| have.iter().any(|h| subset(w, h, key)))
        }
        (Json::Array(want), single) if want.len() == 1 => subset(&want[0], single, key),
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (Json::String(a), Json::String(b)) if key == "query" => {
            let have: Vec<String> = b.split_whitespace().map(str::to_lowercase).collect();
            a.split_whitespace()
                .all(|w| have.contains(&w.to_lowercase()))
        }
        (Json::String(a), Json::String(b)) => {
            a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
        }
        (Json::String(a), Json::Number(b)) => a.parse::<f64>().ok() == b.as_f64(),
        (Json::Number(a), Json::String(b)) => b.parse::<f64>().ok() == a.as_f64(),
        (Json::Null, Json::Null) => true,
        (a, b) => a == b,
    }
}
