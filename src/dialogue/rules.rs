//! The dialogue section of `rules/` (`rules/dialogue.yaml`): how many results a
//! reply lists, which constraints a search gives up first, what a new category
//! keeps, which intents need a confirmation or go to a human, follow-up questions
//! (slot filling), and the words of a search summary. Raw serde types and their
//! validation, with path:line:column errors like the rest of the content.

use crate::canon;
use crate::content::error::{ContentError, Problems};
use crate::content::source::SourceFile;
use crate::intent::Intent;
use crate::lang::Lang;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDialogue {
    pub results_shown: usize,
    pub relax_order: Vec<String>,
    #[serde(default)]
    pub new_category_keeps: Vec<String>,
    #[serde(default)]
    pub confirm: Vec<String>,
    #[serde(default)]
    pub handoff: Vec<String>,
    pub fallback_min_confidence: f64,
    /// Ask which size or colour before adding a product that has several.
    #[serde(default)]
    pub ask_variant: bool,
    #[serde(default)]
    pub follow_ups: Vec<RawFollowUp>,
    pub summary: RawSummaries,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFollowUp {
    pub intent: String,
    pub slot: String,
    pub unless_any: Vec<String>,
    /// Category slugs offered with the question (for `slot: category`).
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSummaries {
    pub id: SummaryWords,
    pub vi: SummaryWords,
    pub en: SummaryWords,
}

/// Price phrases of a search summary; `{min}` and `{max}` are written amounts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryWords {
    pub under: String,
    pub over: String,
    pub between: String,
    /// Why something could not be done, as the `reason` of a reply.
    pub reasons: std::collections::BTreeMap<String, String>,
    /// The order of a summary's parts: category, query, colors, brands, sizes.
    pub order: Vec<String>,
}

/// A follow-up question.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub intent: Intent,
    pub slot: String,
    pub unless_any: Vec<String>,
    pub options: Vec<String>,
}

/// Compiled dialogue rules.
#[derive(Debug, Clone)]
pub struct DialogueRules {
    pub results_shown: usize,
    pub relax_order: Vec<String>,
    pub new_category_keeps: Vec<String>,
    pub confirm: Vec<Intent>,
    pub handoff: Vec<Intent>,
    pub fallback_min_confidence: f32,
    pub ask_variant: bool,
    pub follow_ups: Vec<FollowUp>,
    pub summary: [SummaryWords; 3],
}

impl Default for DialogueRules {
    fn default() -> Self {
        let words = SummaryWords {
            under: "< {max}".into(),
            over: "> {min}".into(),
            between: "{min}-{max}".into(),
            reasons: Default::default(),
            order: SUMMARY_PARTS.iter().map(|p| p.to_string()).collect(),
        };
        DialogueRules {
            results_shown: 5,
            relax_order: Vec::new(),
            new_category_keeps: Vec::new(),
            confirm: Vec::new(),
            handoff: vec![Intent::HumanHandoff],
            fallback_min_confidence: 1.0,
            ask_variant: false,
            follow_ups: Vec::new(),
            summary: [words.clone(), words.clone(), words],
        }
    }
}

impl DialogueRules {
    pub fn summary_words(&self, lang: Lang) -> &SummaryWords {
        &self.summary[lang.index()]
    }
}

/// Why an action could not be done; each is worded per language in `summary`.
pub const REASONS: &[&str] = &[
    "out_of_stock",
    "not_in_list",
    "no_product",
    "unknown_order",
    "unknown_voucher",
    "not_in_cart",
    "no_variant",
    "voucher_not_yet_valid",
    "voucher_expired",
    "voucher_below_minimum",
    "voucher_limit_reached",
    "voucher_customer_limit",
    "voucher_wrong_category",
    "voucher_another_applied",
    "voucher_no_amount",
    "voucher_empty_cart",
    "cannot_cancel",
    "already_cancelled",
    "stock_left",
    "quantity_limit",
    "no_price",
    "shop_unavailable",
];

/// The blank a reason's words must have, filled in by the code that gives it.
pub fn reason_blank(reason: &str) -> Option<&'static str> {
    match reason {
        "voucher_not_yet_valid" | "voucher_expired" => Some("{date}"),
        "voucher_below_minimum" => Some("{min}"),
        "voucher_wrong_category" => Some("{categories}"),
        "voucher_another_applied" => Some("{code}"),
        "stock_left" => Some("{available}"),
        "quantity_limit" => Some("{max}"),
        _ => None,
    }
}

/// The parts of a search summary, each written once in `order`.
pub const SUMMARY_PARTS: &[&str] = &["category", "query", "colors", "brands", "sizes"];

/// Keys a search can give up.
pub const RELAXABLE: &[&str] = &[
    "query", "colors", "sizes", "gender", "brands", "in_stock", "price",
];

fn intents<T>(
    f: &SourceFile<T>,
    node: &str,
    names: &[String],
    problems: &mut Problems,
) -> Vec<Intent> {
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match name.parse::<Intent>() {
            Ok(intent) => out.push(intent),
            Err(_) => problems.push(f.error(
                &format!("{node}.{i}"),
                format!("unknown intent {name:?}"),
                "a canonical intent name",
                "intents are named in CONTRACT.md section 2",
            )),
        }
    }
    out
}

/// Names checked against the allowed ones; `what` says which kind ("key", "category").
fn keys<T>(
    f: &SourceFile<T>,
    node: &str,
    names: &[String],
    allowed: &[&str],
    problems: &mut Problems,
) -> Vec<String> {
    let what = if allowed == canon::CATEGORIES {
        "category"
    } else {
        "key"
    };
    for (i, name) in names.iter().enumerate() {
        if !allowed.contains(&name.as_str()) {
            problems.push(f.error(
                &format!("{node}.{i}"),
                format!("unknown {what} {name:?}"),
                format!("one of {}", allowed.join(", ")),
                "constraint keys and category slugs are named in CONTRACT.md section 3",
            ));
        }
    }
    names.to_vec()
}

/// Validates the raw section of file `f`.
pub fn compile<T>(f: &SourceFile<T>, raw: &RawDialogue, problems: &mut Problems) -> DialogueRules {
    if raw.results_shown == 0 || raw.results_shown > 20 {
        problems.push(f.error(
            "dialogue.results_shown",
            format!("{} results per reply", raw.results_shown),
            "a number from 1 to 20",
            "a chat reply lists a handful of products",
        ));
    }
    if !(0.0..=1.0).contains(&raw.fallback_min_confidence) {
        problems.push(f.error(
            "dialogue.fallback_min_confidence",
            format!(
                "the threshold {} is out of range",
                raw.fallback_min_confidence
            ),
            "a number from 0 to 1",
            "scores are between 0 and 1",
        ));
    }
    let mut follow_ups = Vec::new();
    for (i, fu) in raw.follow_ups.iter().enumerate() {
        let node = format!("dialogue.follow_ups.{i}");
        let found = intents(
            f,
            &format!("{node}.intent"),
            std::slice::from_ref(&fu.intent),
            problems,
        );
        keys(
            f,
            &format!("{node}.unless_any"),
            &fu.unless_any,
            canon::CONSTRAINT_KEYS,
            problems,
        );
        if !canon::CONSTRAINT_KEYS.contains(&fu.slot.as_str()) {
            problems.push(f.error(
                &format!("{node}.slot"),
                format!("unknown slot {:?}", fu.slot),
                "a constraint key",
                "a slot is the constraint key the question asks for",
            ));
        }
        if let Some(intent) = found.first() {
            follow_ups.push(FollowUp {
                intent: *intent,
                slot: fu.slot.clone(),
                unless_any: fu.unless_any.clone(),
                options: keys(
                    f,
                    &format!("{node}.options"),
                    &fu.options,
                    canon::CATEGORIES,
                    problems,
                ),
            });
        }
    }
    for (lang, words) in [
        ("id", &raw.summary.id),
        ("vi", &raw.summary.vi),
        ("en", &raw.summary.en),
    ] {
        let mut order = words.order.clone();
        order.sort();
        let mut parts: Vec<String> = SUMMARY_PARTS.iter().map(|p| p.to_string()).collect();
        parts.sort();
        if order != parts {
            problems.push(f.error(
                &format!("dialogue.summary.{lang}.order"),
                format!("the summary order {:?} is not each part once", words.order),
                format!("each of {} once", SUMMARY_PARTS.join(", ")),
                "the order is the language's word order for what was searched",
            ));
        }
        for reason in REASONS {
            if let (Some(text), Some(blank)) = (words.reasons.get(*reason), reason_blank(reason)) {
                if !text.contains(blank) {
                    problems.push(f.error(
                        &format!("dialogue.summary.{lang}.reasons.{reason}"),
                        format!("{text:?} does not say {blank}"),
                        format!("the words with {blank} in them"),
                        format!("the code writes the value where {blank} stands"),
                    ));
                }
            }
            if !words.reasons.contains_key(*reason) {
                problems.push(f.key_error(
                    &format!("dialogue.summary.{lang}"),
                    format!("no words for the reason {reason:?}"),
                    format!("reasons: {}", REASONS.join(", ")),
                    "every reason a reply can give is written in every language",
                ));
            }
        }
        for (name, text, needs) in [
            ("under", &words.under, &["{max}"][..]),
            ("over", &words.over, &["{min}"][..]),
            ("between", &words.between, &["{min}", "{max}"][..]),
        ] {
            if needs.iter().any(|n| !text.contains(n)) {
                problems.push(f.error(
                    &format!("dialogue.summary.{lang}.{name}"),
                    format!("{text:?} does not say {}", needs.join(" and ")),
                    needs.join(" and "),
                    "the written amounts go where {min} and {max} stand",
                ));
            }
        }
    }
    DialogueRules {
        results_shown: raw.results_shown.clamp(1, 20),
        relax_order: keys(
            f,
            "dialogue.relax_order",
            &raw.relax_order,
            RELAXABLE,
            problems,
        ),
        new_category_keeps: keys(
            f,
            "dialogue.new_category_keeps",
            &raw.new_category_keeps,
            canon::CONSTRAINT_KEYS,
            problems,
        ),
        confirm: intents(f, "dialogue.confirm", &raw.confirm, problems),
        handoff: intents(f, "dialogue.handoff", &raw.handoff, problems),
        fallback_min_confidence: raw.fallback_min_confidence as f32,
        ask_variant: raw.ask_variant,
        follow_ups,
        summary: [
            raw.summary.id.clone(),
            raw.summary.vi.clone(),
            raw.summary.en.clone(),
        ],
    }
}

/// An error for a missing dialogue section.
pub fn missing(path: &std::path::Path) -> ContentError {
    ContentError::new(
        path,
        (1, 1),
        "no dialogue rules in rules/",
        "a `dialogue:` section (see rules/dialogue.yaml)",
        "follow-ups, confirmations and search relaxation are content",
    )
}
