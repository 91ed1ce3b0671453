//! k-fold cross-validation of the intent examples: each fold's examples are
//! classified by a model built from the other folds, the way an unseen customer
//! message would be. Used by `pasar check --crossval` and the accuracy test.

use super::{LangModel, PreparedExample, Scratch};
use crate::content::Content;
use crate::intent::Intent;
use crate::lang::Lang;

/// Folds used by default.
pub const FOLDS: usize = 10;

/// The outcome of a cross-validation run for one language.
#[derive(Debug, Clone)]
pub struct Report {
    pub lang: Lang,
    pub total: usize,
    pub correct: usize,
    /// (example text, expected, predicted)
    pub errors: Vec<(String, Intent, String)>,
}

impl Report {
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }

    pub fn summary(&self) -> String {
        format!(
            "{}: {}-fold intent accuracy {:.1}% ({} of {})",
            self.lang,
            FOLDS,
            self.accuracy() * 100.0,
            self.correct,
            self.total
        )
    }
}

/// Cross-validates the examples of one language over `folds` folds (example i
/// goes to fold i mod folds, in content order).
pub fn k_fold(content: &Content, lang: Lang, folds: usize) -> Report {
    let examples: Vec<(usize, &PreparedExample)> = content
        .examples
        .iter()
        .enumerate()
        .filter(|(_, e)| e.lang == lang)
        .map(|(i, e)| (i, &e.prepared))
        .collect();
    let mut report = Report {
        lang,
        total: 0,
        correct: 0,
        errors: Vec::new(),
    };
    let mut scratch = Scratch::default();
    for fold in 0..folds.max(2) {
        let train: Vec<&PreparedExample> = examples
            .iter()
            .enumerate()
            .filter(|(k, _)| k % folds != fold)
            .map(|(_, (_, e))| *e)
            .collect();
        let Ok(model) = LangModel::build(
            &train,
            content.keyword_sources[lang.index()].clone(),
            content.pattern_sources[lang.index()].clone(),
        ) else {
            continue;
        };
        for (k, (i, ex)) in examples.iter().enumerate() {
            if k % folds != fold {
                continue;
            }
            let text = &content.examples[*i].text;
            let msg = content.normalizer.normalize(text, Some(lang), None);
            let extraction = content.extractor.extract(&msg, false);
            let c = model.classify(&msg, &extraction, &mut scratch);
            report.total += 1;
            match c.top() {
                Some(top) if top.intent == ex.intent => report.correct += 1,
                other => report.errors.push((
                    text.clone(),
                    ex.intent,
                    other.map_or("none".into(), |t| t.intent.name().to_string()),
                )),
            }
        }
    }
    report
}
