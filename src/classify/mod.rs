//! Stage 3, classify: scores every intent for a message. The evidence, cheapest
//! first: keyword phrases from `intents/` (aho-corasick over the normalized words),
//! regular expressions (one `RegexSet` per language), and similarity to the intent's
//! examples (TF-IDF over words, entity classes and character n-grams: the nearest
//! example and the intent's centroid). Output: ranked candidates, a confidence and
//! the margin to the runner-up, and the evidence behind each, for the trace.

pub mod crossval;
pub mod features;
pub mod index;

use crate::extract::gazetteer::phrase_automaton;
use crate::extract::Extraction;
use crate::intent::{Intent, INTENT_COUNT};
use crate::lang::Lang;
use crate::normalize::Normalized;
use crate::trace::Origin;
use aho_corasick::AhoCorasick;
use features::Feature;
use index::{ExampleIndex, IndexedExample, Similarities};
use regex::bytes::{RegexSet, RegexSetBuilder};
use serde::Serialize;

/// Weight of the nearest example against the intent centroid.
pub const NEAREST_SHARE: f32 = 0.3;
/// Evidence one keyword adds (combined as a noisy-or).
pub const KEYWORD_WEIGHT: f32 = 0.5;
/// Evidence one pattern adds.
pub const PATTERN_WEIGHT: f32 = 0.45;

/// A keyword of an intent, compiled.
#[derive(Debug, Clone)]
pub struct Keyword {
    pub intent: Intent,
    pub phrase: String,
    pub origin: Origin,
}

/// A keyword's weight: [`KEYWORD_WEIGHT`] times its precision on the examples (the
/// share of examples containing it that belong to its intent, smoothed), so a word
/// that turns up everywhere ("iya", from "ya") adds little.
fn keyword_precision(own: usize, total: usize) -> f32 {
    (own as f32 + 1.0) / (total as f32 + 2.0)
}

/// A pattern of an intent, compiled into the language's set.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub intent: Intent,
    pub source: String,
    pub origin: Origin,
}

/// Everything the classifier knows about one language.
#[derive(Debug, Clone, Default)]
pub struct LangModel {
    pub index: ExampleIndex,
    keyword_automaton: Option<AhoCorasick>,
    /// pattern id of the automaton -> keywords with that normalized phrase
    keyword_groups: Vec<Vec<usize>>,
    pub keywords: Vec<Keyword>,
    /// Per keyword: its weight after precision.
    keyword_weights: Vec<f32>,
    pattern_set: Option<RegexSet>,
    pub patterns: Vec<Pattern>,
}

/// An intent with its score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Candidate {
    pub intent: Intent,
    pub score: f32,
}

/// Why an intent scored what it did.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// A keyword of the language model, by position in [`LangModel::keywords`].
    Keyword(usize),
    /// A pattern of the language model, by position in [`LangModel::patterns`].
    Pattern(usize),
    Nearest {
        intent: Intent,
        example: usize,
        similarity: f32,
    },
}

/// The classifier's verdict on one message.
#[derive(Debug, Clone, Default)]
pub struct Classification {
    /// Every intent with a score above zero, best first.
    pub candidates: Vec<Candidate>,
    pub confidence: f32,
    pub margin: f32,
    pub evidence: Vec<Evidence>,
}

impl Classification {
    pub fn top(&self) -> Option<Candidate> {
        self.candidates.first().copied()
    }
}

/// Work buffers reused across messages.
#[derive(Debug, Default)]
pub struct Scratch {
    raw_features: Vec<Feature>,
    features: Vec<(Feature, f32)>,
    sims: Similarities,
    folded: String,
    seen_keywords: Vec<usize>,
}

/// One example prepared for indexing.
#[derive(Debug, Clone)]
pub struct PreparedExample {
    pub intent: Intent,
    pub lang: Lang,
    /// Position in the content's example list.
    pub example: usize,
    pub features: Vec<(Feature, f32)>,
    /// The words as the keyword matcher sees them: " w1 w2 ... ".
    pub haystack: String,
}

impl LangModel {
    /// Builds a language model. `keywords` carry their normalized haystack form.
    pub fn build(
        examples: &[&PreparedExample],
        keywords: Vec<(Keyword, String)>,
        patterns: Vec<Pattern>,
    ) -> Result<Self, regex::Error> {
        let index = ExampleIndex::build(
            examples
                .iter()
                .map(|e| {
                    (
                        IndexedExample {
                            intent: e.intent,
                            example: e.example,
                        },
                        e.features.clone(),
                    )
                })
                .collect(),
        );
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut kws = Vec::new();
        for (kw, key) in keywords {
            let id = kws.len();
            kws.push(kw);
            match keys.iter().position(|k| *k == key) {
                // spellings that normalize alike ("makasih", "mksh") count once per intent
                Some(p) if groups[p].iter().any(|&o| kws[o].intent == kws[id].intent) => {}
                Some(p) => groups[p].push(id),
                None => {
                    keys.push(key);
                    groups.push(vec![id]);
                }
            }
        }
        let keyword_automaton = phrase_automaton(&keys);
        let mut keyword_weights = vec![KEYWORD_WEIGHT; kws.len()];
        if let Some(ac) = &keyword_automaton {
            let mut own = vec![0usize; kws.len()];
            let mut total = vec![0usize; kws.len()];
            let mut hit = vec![false; kws.len()];
            for e in examples {
                hit.iter_mut().for_each(|h| *h = false);
                for m in ac.find_overlapping_iter(&e.haystack) {
                    for &k in &groups[m.pattern().as_usize()] {
                        hit[k] = true;
                    }
                }
                for (k, h) in hit.iter().enumerate() {
                    if *h {
                        total[k] += 1;
                        if kws[k].intent == e.intent {
                            own[k] += 1;
                        }
                    }
                }
            }
            for k in 0..kws.len() {
                keyword_weights[k] = KEYWORD_WEIGHT * keyword_precision(own[k], total[k]);
            }
        }
        let pattern_set = if patterns.is_empty() {
            None
        } else {
            // Patterns see folded text (no diacritics), so ASCII word classes are
            // enough, and they keep the set on the fast DFA path: a Unicode `\b`
            // would force the slow engine on every message.
            Some(
                RegexSetBuilder::new(patterns.iter().map(|p| p.source.as_str()))
                    .unicode(false)
                    .build()?,
            )
        };
        Ok(LangModel {
            index,
            keyword_automaton,
            keyword_groups: groups,
            keywords: kws,
            keyword_weights,
            pattern_set,
            patterns,
        })
    }

    /// Scores every intent for a message, with what extraction found in it.
    pub fn classify(
        &self,
        msg: &Normalized,
        extraction: &Extraction,
        scratch: &mut Scratch,
    ) -> Classification {
        let classes = &extraction.classes;
        const N: usize = INTENT_COUNT;
        let mut keyword_evidence = [0f32; N];
        let mut pattern_evidence = [0f32; N];
        let mut evidence = Vec::new();
        if let Some(ac) = &self.keyword_automaton {
            let hay = &extraction.haystack;
            let seen = &mut scratch.seen_keywords;
            seen.clear();
            for m in ac.find_overlapping_iter(hay.as_str()) {
                for &k in &self.keyword_groups[m.pattern().as_usize()] {
                    if seen.contains(&k) {
                        continue;
                    }
                    seen.push(k);
                    let kw = &self.keywords[k];
                    let e = &mut keyword_evidence[kw.intent.index()];
                    *e = 1.0 - (1.0 - *e) * (1.0 - self.keyword_weights[k]);
                    evidence.push(Evidence::Keyword(k));
                }
            }
        }
        if let Some(set) = &self.pattern_set {
            msg.write_folded_text(&mut scratch.folded);
            for p in set.matches(scratch.folded.as_bytes()).into_iter() {
                let pat = &self.patterns[p];
                let e = &mut pattern_evidence[pat.intent.index()];
                *e = 1.0 - (1.0 - *e) * (1.0 - PATTERN_WEIGHT);
                evidence.push(Evidence::Pattern(p));
            }
        }
        features::features_into(
            &msg.tokens,
            classes,
            &mut scratch.raw_features,
            &mut scratch.features,
        );
        let mut nearest = [(0f32, usize::MAX); N];
        if !scratch.features.is_empty() && !self.index.is_empty() {
            self.index
                .similarities(&scratch.features, &mut scratch.sims);
            for &doc in &scratch.sims.touched {
                let doc = doc as usize;
                let s = scratch.sims.examples[doc];
                let intent = self.index.intent_of[doc] as usize;
                if s > nearest[intent].0 {
                    nearest[intent] = (s, doc);
                }
            }
        } else {
            scratch.sims.centroids.clear();
            scratch.sims.centroids.resize(N, 0.0);
        }
        let mut candidates: Vec<Candidate> = Vec::with_capacity(N);
        for intent in Intent::ALL {
            let i = intent.index();
            let similarity = (NEAREST_SHARE * nearest[i].0
                + (1.0 - NEAREST_SHARE) * scratch.sims.centroids[i])
                .clamp(0.0, 1.0);
            let score = 1.0
                - (1.0 - similarity) * (1.0 - keyword_evidence[i]) * (1.0 - pattern_evidence[i]);
            if score > 0.0 {
                candidates.push(Candidate {
                    intent: *intent,
                    score,
                });
            }
        }
        candidates.sort_by(|a, b| {
            b.score
                .partial_cmp(&a.score)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.intent.cmp(&b.intent))
        });
        for c in candidates.iter().take(3) {
            let (s, doc) = nearest[c.intent.index()];
            if doc != usize::MAX {
                evidence.push(Evidence::Nearest {
                    intent: c.intent,
                    example: self.index.examples[doc].example,
                    similarity: s,
                });
            }
        }
        let confidence = candidates.first().map_or(0.0, |c| c.score);
        let margin = confidence - candidates.get(1).map_or(0.0, |c| c.score);
        Classification {
            candidates,
            confidence,
            margin,
            evidence,
        }
    }
}

/// The classifier for all languages.
#[derive(Debug, Clone, Default)]
pub struct Classifier {
    pub langs: Vec<LangModel>,
}

impl Classifier {
    pub fn classify(
        &self,
        msg: &Normalized,
        extraction: &Extraction,
        scratch: &mut Scratch,
    ) -> Classification {
        match self.langs.get(msg.lang.index()) {
            Some(model) => model.classify(msg, extraction, scratch),
            None => Classification::default(),
        }
    }
}
