//! Stage 4, decide (escalation part): whether the deterministic pipeline answers a
//! turn or hands it to the LLM, and why. The thresholds live in `rules/`, not here:
//! a turn escalates when its confidence is under `min_confidence`, when the margin to
//! the runner-up is under `min_margin`, when it is `out_of_scope`, or when it is not
//! in a language or script pasar reads. Under `min_score` no intent is named at all.

use crate::classify::Classification;
use crate::intent::Intent;
use serde::Serialize;

/// Why a turn goes to the LLM (CONTRACT.md section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalateReason {
    LowConfidence,
    Ambiguous,
    OutOfScope,
    Unsupported,
}

impl EscalateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalateReason::LowConfidence => "low_confidence",
            EscalateReason::Ambiguous => "ambiguous",
            EscalateReason::OutOfScope => "out_of_scope",
            EscalateReason::Unsupported => "unsupported",
        }
    }
}

/// Thresholds of one intent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub min_confidence: f32,
    pub min_margin: f32,
}

/// The escalation policy, compiled from `rules/`.
#[derive(Debug, Clone)]
pub struct EscalationPolicy {
    pub default: Thresholds,
    pub min_score: f32,
    pub escalate_out_of_scope: bool,
    /// An `out_of_scope` runner-up at or above this score makes the turn ambiguous.
    pub out_of_scope_runner_up: f32,
    /// Per-intent overrides, indexed by `Intent::index`.
    pub per_intent: Vec<Thresholds>,
}

impl EscalationPolicy {
    pub fn thresholds(&self, intent: Intent) -> Thresholds {
        self.per_intent
            .get(intent.index())
            .copied()
            .unwrap_or(self.default)
    }
}

/// What the pipeline does with a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub intent: Option<Intent>,
    pub escalate: bool,
    pub reason: Option<EscalateReason>,
    pub note: String,
}

/// Decides from the classification. `readable` is false for empty messages and
/// messages in a script pasar does not read. With `explain`, the decision carries
/// a sentence for the trace.
pub fn decide(
    policy: &EscalationPolicy,
    c: &Classification,
    readable: bool,
    explain: bool,
) -> Decision {
    // Formatting is skipped on the hot path: `note!` builds the sentence only when asked.
    macro_rules! note {
        ($($arg:tt)*) => {
            if explain { format!($($arg)*) } else { String::new() }
        };
    }
    if !readable {
        return Decision {
            intent: None,
            escalate: true,
            reason: Some(EscalateReason::Unsupported),
            note: "no words in a language pasar reads".into(),
        };
    }
    let Some(top) = c.top().filter(|t| t.score >= policy.min_score) else {
        return Decision {
            intent: None,
            escalate: true,
            reason: Some(EscalateReason::LowConfidence),
            note: format!(
                "best score {:.2} is under min_score {:.2}",
                c.confidence, policy.min_score
            ),
        };
    };
    let t = policy.thresholds(top.intent);
    let (escalate, reason, note) = if top.intent == Intent::OutOfScope {
        (
            policy.escalate_out_of_scope,
            policy
                .escalate_out_of_scope
                .then_some(EscalateReason::OutOfScope),
            "recognised as out of scope".to_string(),
        )
    } else if c.confidence < t.min_confidence {
        (
            true,
            Some(EscalateReason::LowConfidence),
            format!(
                "confidence {:.2} is under min_confidence {:.2}",
                c.confidence, t.min_confidence
            ),
        )
    } else if let Some(oos) = c
        .candidates
        .get(1)
        .filter(|r| r.intent == Intent::OutOfScope && r.score >= policy.out_of_scope_runner_up)
    {
        (
            true,
            Some(EscalateReason::Ambiguous),
            note!(
                "out_of_scope is the runner-up at {:.2} (out_of_scope_runner_up {:.2})",
                oos.score,
                policy.out_of_scope_runner_up
            ),
        )
    } else if c.margin < t.min_margin {
        (
            true,
            Some(EscalateReason::Ambiguous),
            note!(
                "margin {:.2} to {} is under min_margin {:.2}",
                c.margin,
                c.candidates.get(1).map_or("nothing", |c| c.intent.name()),
                t.min_margin
            ),
        )
    } else {
        (
            false,
            None,
            format!(
                "confidence {:.2}, margin {:.2}: answered by rules",
                c.confidence, c.margin
            ),
        )
    };
    Decision {
        intent: Some(top.intent),
        escalate,
        reason,
        note,
    }
}
