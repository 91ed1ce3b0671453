//! Intent accuracy cross-validated on our own examples: every example classified by
//! a model built without its fold, per language.

use super::content;
use pasar::classify::crossval::{k_fold, FOLDS};
use pasar::lang::Lang;

/// The bar the content must clear in every language.
const MIN_ACCURACY: f64 = 0.95;

#[test]
fn intent_accuracy_cross_validated_per_language() {
    let mut failures = Vec::new();
    for lang in Lang::ALL {
        let report = k_fold(content(), lang, FOLDS);
        println!("{}", report.summary());
        assert!(report.total > 0);
        if report.accuracy() < MIN_ACCURACY {
            failures.push(report.summary());
        }
    }
    assert!(
        failures.is_empty(),
        "under {:.0}%: {failures:?}",
        MIN_ACCURACY * 100.0
    );
}
