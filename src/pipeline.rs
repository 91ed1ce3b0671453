//! Runs the understanding stages for one message — normalize, extract, classify,
//! decide — and builds the trace: stage timings and the lexicon entries, keywords,
//! patterns, nearest examples and thresholds behind the answer.
//!
//! Extraction runs before classification (DESIGN.md lists them the other way
//! round): the classifier reads the entity classes the extractor finds ("ada
//! #category"), which is what lets "ada tas?" and "ada sepatu?" look alike to it.

use crate::classify::{Candidate, Evidence, Scratch};
use crate::content::Content;
use crate::decide::{self, EscalateReason};
use crate::extract::Constraints;
use crate::intent::Intent;
use crate::lang::Lang;
use crate::normalize::detect::Script;
use serde::Serialize;
use std::time::Instant;

/// One stage's line in the trace.
#[derive(Debug, Clone, Serialize)]
pub struct StageTrace {
    pub stage: &'static str,
    pub micros: u64,
    /// The same duration in nanoseconds, for benchmarks.
    #[serde(skip)]
    pub nanos: u64,
    pub notes: Vec<String>,
}

/// What pasar understood of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Understanding {
    pub text: String,
    pub lang: Lang,
    pub normalized: String,
    pub intent: Option<Intent>,
    pub confidence: f32,
    pub escalate: bool,
    pub escalate_reason: Option<EscalateReason>,
    pub candidates: Vec<Candidate>,
    pub constraints: Constraints,
    pub trace: Vec<StageTrace>,
}

/// How to run a turn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// An explicit language from the caller: it wins over detection.
    pub lang: Option<Lang>,
    /// The session's last language: it breaks ties.
    pub hint: Option<Lang>,
    /// Write trace notes (timings are always kept).
    pub trace: bool,
}

/// Candidates shown in `explain`.
pub const SHOWN_CANDIDATES: usize = 5;

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

/// Understands one message.
pub fn understand(
    content: &Content,
    text: &str,
    opts: Options,
    scratch: &mut Scratch,
) -> Understanding {
    let t0 = Instant::now();
    let msg = if opts.trace {
        content
            .normalizer
            .normalize_with_notes(text, opts.lang, opts.hint)
    } else {
        content.normalizer.normalize(text, opts.lang, opts.hint)
    };
    let t1 = Instant::now();
    let extraction = content.extractor.extract(&msg, opts.trace);
    let t2 = Instant::now();
    let readable =
        !msg.is_blank() && msg.script != Script::Other && msg.tokens.iter().any(|t| t.is_word());
    let classification = if readable {
        content.classifier.classify(&msg, &extraction, scratch)
    } else {
        Default::default()
    };
    let t3 = Instant::now();
    let decision = decide::decide(&content.policy, &classification, readable, opts.trace);
    let t4 = Instant::now();

    let mut constraints = extraction.constraints;
    let keeps_query = decision.intent.is_none_or(Intent::takes_query);
    if keeps_query && !extraction.query_words.is_empty() {
        constraints.query = Some(extraction.query_words.join(" "));
    }
    let micros = |a: Instant, b: Instant| (b - a).as_micros() as u64;
    let nanos = |a: Instant, b: Instant| (b - a).as_nanos() as u64;
    let mut trace = vec![
        StageTrace {
            stage: "normalize",
            micros: micros(t0, t1),
            nanos: nanos(t0, t1),
            notes: Vec::new(),
        },
        StageTrace {
            stage: "extract",
            micros: micros(t1, t2),
            nanos: nanos(t1, t2),
            notes: Vec::new(),
        },
        StageTrace {
            stage: "classify",
            micros: micros(t2, t3),
            nanos: nanos(t2, t3),
            notes: Vec::new(),
        },
        StageTrace {
            stage: "decide",
            micros: micros(t3, t4),
            nanos: nanos(t3, t4),
            notes: Vec::new(),
        },
    ];
    if opts.trace {
        let n = &mut trace[0].notes;
        n.push(match opts.lang {
            Some(l) => format!("language {l} (given by the caller)"),
            None => format!(
                "language {} (scores id {:.2}, vi {:.2}, en {:.2})",
                msg.lang, msg.lang_scores[0], msg.lang_scores[1], msg.lang_scores[2]
            ),
        });
        if msg.script == Script::Other {
            n.push("written in a script pasar does not read".into());
        }
        n.extend(msg.notes.iter().map(|x| x.to_string()));
        trace[1]
            .notes
            .extend(extraction.provenance.iter().map(|p| p.to_string()));
        if keeps_query {
            if let Some(q) = &constraints.query {
                trace[1]
                    .notes
                    .push(format!("query '{q}' (words no lexicon claimed)"));
            }
        }
        let c = &mut trace[2].notes;
        let model = content.classifier.langs.get(msg.lang.index());
        for e in &classification.evidence {
            c.push(match e {
                Evidence::Keyword(k) => match model.and_then(|m| m.keywords.get(*k)) {
                    Some(kw) => format!("keyword '{}' -> {} ({})", kw.phrase, kw.intent, kw.origin),
                    None => continue,
                },
                Evidence::Pattern(p) => match model.and_then(|m| m.patterns.get(*p)) {
                    Some(pat) => format!(
                        "pattern /{}/ -> {} ({})",
                        pat.source, pat.intent, pat.origin
                    ),
                    None => continue,
                },
                Evidence::Nearest {
                    intent,
                    example,
                    similarity,
                } => format!(
                    "nearest {intent} example '{}' similarity {:.2} ({})",
                    content.example_text(*example),
                    similarity,
                    content
                        .examples
                        .get(*example)
                        .map(|e| e.origin.to_string())
                        .unwrap_or_default()
                ),
            });
        }
        if readable {
            c.push(format!(
                "confidence {:.2}, margin {:.2}",
                classification.confidence, classification.margin
            ));
        }
        trace[3].notes.push(decision.note.clone());
    }
    let candidates = classification
        .candidates
        .iter()
        .take(SHOWN_CANDIDATES)
        .map(|c| Candidate {
            intent: c.intent,
            score: round2(c.score),
        })
        .collect();
    Understanding {
        text: text.to_string(),
        lang: msg.lang,
        normalized: msg.text(),
        intent: decision.intent,
        confidence: round2(if decision.intent.is_some() {
            classification.confidence
        } else {
            0.0
        }),
        escalate: decision.escalate,
        escalate_reason: decision.reason,
        candidates,
        constraints,
        trace,
    }
}
