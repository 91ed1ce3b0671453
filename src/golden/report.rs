//! The outcome of a golden run: failures per conversation, per-intent precision and
//! recall, the escalation rate; printed for people and written as JUnit and JSON.

use super::Expect;
use crate::dialogue::TurnOutcome;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub turn: usize,
    pub user: String,
    pub key: String,
    pub expected: String,
    pub got: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationResult {
    pub file: String,
    pub name: String,
    pub turns: usize,
    pub failures: Vec<Failure>,
    pub micros: u64,
}

/// Counts for one intent over turns that name an expected intent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntentCounts {
    pub true_positive: usize,
    pub false_positive: usize,
    pub false_negative: usize,
}

impl IntentCounts {
    pub fn precision(&self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_negative)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub conversations: Vec<ConversationResult>,
    pub intents: BTreeMap<String, IntentCounts>,
    pub turns: usize,
    pub escalated: usize,
}

impl Report {
    pub fn count_turn(&mut self, e: &Expect, out: &TurnOutcome) {
        self.turns += 1;
        self.escalated += usize::from(out.escalate);
        let Some(want) = &e.intent else { return };
        let got = out.intent.map(|i| i.name().to_string());
        match (want, &got) {
            (Some(w), Some(g)) if w == g => {
                self.intents.entry(w.clone()).or_default().true_positive += 1
            }
            _ => {
                if let Some(w) = want {
                    self.intents.entry(w.clone()).or_default().false_negative += 1;
                }
                if let Some(g) = got {
                    self.intents.entry(g).or_default().false_positive += 1;
                }
            }
        }
    }

    pub fn passed(&self) -> usize {
        self.conversations
            .iter()
            .filter(|c| c.failures.is_empty())
            .count()
    }

    pub fn failed(&self) -> usize {
        self.conversations.len() - self.passed()
    }

    /// One line per failed expectation, then the summary and the closing line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.conversations {
            for f in &c.failures {
                let _ = writeln!(
                    out,
                    "FAIL {} :: {} :: turn {} ({:?}) :: {}: expected {}, got {}",
                    c.file, c.name, f.turn, f.user, f.key, f.expected, f.got
                );
            }
        }
        let _ = writeln!(
            out,
            "intent          precision  recall  (turns with an expected intent)"
        );
        for (intent, n) in &self.intents {
            let _ = writeln!(out, "{intent:<16}{:>9.2}{:>8.2}", n.precision(), n.recall());
        }
        let _ = writeln!(
            out,
            "escalation rate: {:.1}% of {} turns",
            100.0 * ratio(self.escalated, self.turns.max(1)),
            self.turns
        );
        let _ = write!(out, "{} passed, {} failed", self.passed(), self.failed());
        out
    }

    pub fn junit(&self) -> String {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        };
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuite name=\"pasar golden conversations\" tests=\"{}\" failures=\"{}\">",
            self.conversations.len(),
            self.failed()
        );
        for c in &self.conversations {
            let _ = write!(
                out,
                "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.6}\"",
                esc(&c.file),
                esc(&c.name),
                c.micros as f64 / 1e6
            );
            if c.failures.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for f in &c.failures {
                let _ = writeln!(
                    out,
                    "    <failure message=\"turn {}: {}\">expected {}, got {}</failure>",
                    f.turn,
                    esc(&f.key),
                    esc(&f.expected),
                    esc(&f.got)
                );
            }
            out.push_str("  </testcase>\n");
        }
        out.push_str("</testsuite>\n");
        out
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
