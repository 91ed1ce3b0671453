//! The on-disk shape of content: serde types with `deny_unknown_fields`, so a
//! misspelt key fails at load with its position. Nothing here is validated beyond
//! its shape; `compile` turns these into runtime types.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A value given per language.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerLang<T> {
    #[serde(default)]
    pub id: T,
    #[serde(default)]
    pub vi: T,
    #[serde(default)]
    pub en: T,
}

impl<T> PerLang<T> {
    pub fn get(&self, lang: crate::lang::Lang) -> &T {
        match lang {
            crate::lang::Lang::Id => &self.id,
            crate::lang::Lang::Vi => &self.vi,
            crate::lang::Lang::En => &self.en,
        }
    }
}

/// `intents/<intent>.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntent {
    pub intent: String,
    #[serde(default)]
    pub description: String,
    pub examples: PerLang<Vec<String>>,
    #[serde(default)]
    pub keywords: PerLang<Vec<String>>,
    #[serde(default)]
    pub patterns: PerLang<Vec<String>>,
    #[serde(default)]
    pub slots: Vec<String>,
}

/// `lexicons/<lang>/slang.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlang {
    pub entries: BTreeMap<String, String>,
}

/// `colors.yaml`, `sizes.yaml`, `categories.yaml`, `genders.yaml`, `synonyms.yaml`,
/// `brands.yaml`: a canonical value to its surface forms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCanonical {
    pub entries: BTreeMap<String, Vec<String>>,
    /// Only in `colors.yaml` and `sizes.yaml`: words after which a colour or a size
    /// is meant ("warna", "màu"; "ukuran", "cỡ").
    #[serde(default)]
    pub cues: Vec<String>,
}

/// `stopwords.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWordList {
    pub entries: Vec<String>,
}

/// `numbers.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNumbers {
    pub words: BTreeMap<String, f64>,
    pub multipliers: BTreeMap<String, f64>,
    #[serde(default)]
    pub teen: Vec<String>,
    #[serde(default)]
    pub half: Vec<String>,
    #[serde(default)]
    pub inner_only: Vec<String>,
    #[serde(default)]
    pub negative: Vec<String>,
    pub money_units: BTreeMap<String, f64>,
    #[serde(default)]
    pub approx_suffixes: Vec<String>,
    pub currencies: BTreeMap<String, Vec<String>>,
}

/// `commerce.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommerce {
    pub price_under: Vec<String>,
    #[serde(default)]
    pub price_under_after: Vec<String>,
    pub price_above: Vec<String>,
    #[serde(default)]
    pub price_above_after: Vec<String>,
    pub price_around: Vec<String>,
    pub range_start: Vec<String>,
    pub range_joiners: Vec<String>,
    #[serde(default)]
    pub price_cues: Vec<String>,
    pub sort: BTreeMap<String, Vec<String>>,
    pub ordinals: BTreeMap<String, i64>,
    #[serde(default)]
    pub ordinal_prefixes: Vec<String>,
    pub exclusions: Vec<String>,
    pub quantity_units: Vec<String>,
    #[serde(default)]
    pub quantity_cues: Vec<String>,
    pub order_cues: Vec<String>,
    pub voucher_cues: Vec<String>,
    #[serde(default)]
    pub non_money_units: Vec<String>,
    #[serde(default)]
    pub time_cues: Vec<String>,
    #[serde(default)]
    pub list_joiners: Vec<String>,
}

/// `templates/<lang>/*.yaml`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplateFile {
    pub templates: Vec<RawTemplate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    pub id: String,
    pub intent: String,
    pub situation: String,
    pub variants: Vec<String>,
    #[serde(default)]
    pub quick_replies: Vec<String>,
}

/// `rules/*.yaml`: any of these sections, each at most once across the folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRulesFile {
    #[serde(default)]
    pub escalation: Option<RawEscalation>,
    #[serde(default)]
    pub store: Option<RawStore>,
    #[serde(default)]
    pub content: Option<RawContentRules>,
    #[serde(default)]
    pub dialogue: Option<crate::dialogue::rules::RawDialogue>,
    #[serde(default)]
    pub commerce: Option<crate::shop::rules::RawCommerce>,
    #[serde(default)]
    pub llm: Option<crate::llm::rules::RawLlm>,
}

/// What `pasar check` demands of the content itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContentRules {
    /// The fewest examples an intent may have, per language.
    pub min_examples: PerLang<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    /// Below this confidence a turn escalates with `low_confidence`.
    pub min_confidence: f64,
    /// Below this margin to the runner-up a turn escalates with `ambiguous`.
    pub min_margin: f64,
    /// Below this score no intent is named at all (`intent: null`).
    pub min_score: f64,
    /// Whether `out_of_scope` turns go to the LLM.
    #[serde(default = "yes")]
    pub escalate_out_of_scope: bool,
    /// A turn whose runner-up is `out_of_scope` with at least this score escalates
    /// as ambiguous ("cancel my alarm" is not an order to cancel). 1 turns it off.
    #[serde(default = "one")]
    pub out_of_scope_runner_up: f64,
    /// Per-intent overrides of `min_confidence` and `min_margin`.
    #[serde(default)]
    pub intents: BTreeMap<String, RawIntentThresholds>,
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntentThresholds {
    #[serde(default)]
    pub min_confidence: Option<f64>,
    #[serde(default)]
    pub min_margin: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    pub name: String,
    /// The currency of English conversations and of prices without one.
    pub default_currency: String,
}
