//! Content: the YAML the content team edits (`intents/`, `lexicons/`, `rules/`,
//! `templates/`), loaded in two phases. First every file is deserialized into raw
//! serde types (`raw`), with node positions kept; then `compile` validates and turns
//! them into the runtime types each stage uses. Every problem is reported with its
//! path, line and column; a broken file fails at load, never during a request.
//! The compiled [`Content`] is immutable and shared behind an `Arc`.

pub mod compile;
pub mod error;
pub mod raw;
pub mod source;
pub mod templates;
pub mod words;

use crate::classify::{Classifier, Keyword, Pattern, PreparedExample};
use crate::decide::EscalationPolicy;
use crate::dialogue::rules::DialogueRules;
use crate::extract::Extractor;
use crate::intent::Intent;
use crate::lang::{Currency, Lang};
use crate::normalize::Normalizer;
use crate::render::Renderer;
use crate::trace::Origin;
pub use error::{ContentError, ContentErrors};
use std::path::{Path, PathBuf};
use words::LexiconWords;

/// One intent example, as written and as prepared for the classifier.
#[derive(Debug, Clone)]
pub struct Example {
    pub intent: Intent,
    pub lang: Lang,
    pub text: String,
    pub origin: Origin,
    pub prepared: PreparedExample,
}

/// What the content says about one intent.
#[derive(Debug, Clone)]
pub struct IntentInfo {
    pub intent: Intent,
    pub description: String,
    pub slots: Vec<String>,
}

/// Store-wide settings from `rules/`.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub name: String,
    pub default_currency: Currency,
}

/// Compiled, validated content.
#[derive(Debug)]
pub struct Content {
    pub root: PathBuf,
    pub normalizer: Normalizer,
    pub extractor: Extractor,
    pub classifier: Classifier,
    pub policy: EscalationPolicy,
    pub store: StoreSettings,
    pub templates: templates::Templates,
    pub intents: Vec<IntentInfo>,
    pub examples: Vec<Example>,
    /// Per language, the keywords (with their matcher form) and patterns, so a
    /// classifier can be rebuilt on a subset of examples (cross-validation).
    pub keyword_sources: Vec<Vec<(Keyword, String)>>,
    pub pattern_sources: Vec<Vec<Pattern>>,
    /// `rules/dialogue.yaml`
    pub dialogue: DialogueRules,
    /// `rules/commerce.yaml`
    pub commerce: crate::shop::rules::CommerceRules,
    /// `rules/llm.yaml`
    pub llm: crate::llm::rules::LlmRules,
    /// Lexicon words the search and the replies use, per language.
    pub words: Vec<LexiconWords>,
    /// The templates, compiled once.
    pub renderer: Renderer,
}

impl Content {
    /// Loads and compiles the content under `root` (the folder holding `intents/`,
    /// `lexicons/`, `rules/` and `templates/`).
    pub fn load(root: &Path) -> Result<Content, ContentErrors> {
        compile::load(root)
    }

    /// The repository's own content folder: `PASAR_CONTENT_DIR`, else the crate root.
    pub fn default_dir() -> PathBuf {
        match std::env::var_os("PASAR_CONTENT_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        }
    }

    pub fn words(&self, lang: Lang) -> &LexiconWords {
        &self.words[lang.index()]
    }

    /// The text of an example by its position.
    pub fn example_text(&self, i: usize) -> &str {
        self.examples.get(i).map_or("", |e| e.text.as_str())
    }
}
