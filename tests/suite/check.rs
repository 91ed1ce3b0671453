//! `pasar check` on broken content: every kind of mistake the content team makes
//! is reported with its file, line and column, and nothing half-loads.

use super::content_copy;
use pasar::content::{Content, ContentError};
use std::path::Path;

fn errors_after(edit: impl FnOnce(&Path)) -> Vec<ContentError> {
    errors_in_copy(edit).1
}

/// The broken copy is kept alive with its errors, for tests that read it.
fn errors_in_copy(edit: impl FnOnce(&Path)) -> (tempfile::TempDir, Vec<ContentError>) {
    let dir = content_copy();
    edit(dir.path());
    match Content::load(dir.path()) {
        Ok(_) => panic!("the broken content loaded"),
        Err(e) => (dir, e.0),
    }
}

fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Adds an Indonesian example, indented like the file's own.
fn add_id_example(path: &Path, example: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    let start = text.find("\n  id:\n").expect("an id list") + "\n  id:\n".len();
    let indent: String = text[start..].chars().take_while(|c| *c == ' ').collect();
    let out = format!("{}{indent}- {example}\n{}", &text[..start], &text[start..]);
    std::fs::write(path, out).expect("write");
}

fn one_error_in(errors: &[ContentError], file: &str) -> ContentError {
    let matching: Vec<&ContentError> = errors.iter().filter(|e| e.path.ends_with(file)).collect();
    assert!(
        !matching.is_empty(),
        "no error in {file}; got:\n{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    matching[0].clone()
}

#[test]
fn shipped_content_is_valid() {
    let c = super::content();
    assert_eq!(c.intents.len(), pasar::intent::Intent::ALL.len());
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let errors = errors_after(|d| {
        let p = d.join("intents/greeting.yaml");
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(3, "  id: [unclosed");
        std::fs::write(&p, lines.join("\n")).unwrap();
    });
    let e = one_error_in(&errors, "intents/greeting.yaml");
    assert!(e.line >= 3, "{e}");
    assert!(e
        .to_string()
        .starts_with(&format!("{}:{}:{}: ", e.path.display(), e.line, e.column)));
    assert!(e.to_string().contains("hint:"), "{e}");
}

#[test]
fn unknown_key_is_named_with_the_allowed_ones() {
    let errors =
        errors_after(|d| replace(&d.join("intents/thanks.yaml"), "examples:", "exampels:"));
    let e = one_error_in(&errors, "intents/thanks.yaml");
    assert!(e.what.contains("exampels"), "{e}");
    assert!(e.what.contains("examples"), "{e}");
}

#[test]
fn a_regex_that_does_not_compile_is_reported_at_its_line() {
    let (_dir, errors) = errors_in_copy(|d| {
        // drop the file's own patterns (a top-level block) and add a broken one
        let p = d.join("intents/goodbye.yaml");
        let text = std::fs::read_to_string(&p).unwrap();
        let mut out = String::new();
        let mut skipping = false;
        for line in text.lines() {
            let top_level = !line.starts_with([' ', '#', '-']) && !line.is_empty();
            if top_level {
                skipping = line.starts_with("patterns:");
            }
            if !skipping {
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str("patterns:\n  id:\n    - '(dadah'\n");
        std::fs::write(&p, out).unwrap();
    });
    let e = one_error_in(&errors, "intents/goodbye.yaml");
    assert!(e.what.contains("does not compile"), "{e}");
    let text = std::fs::read_to_string(&e.path).unwrap_or_default();
    let line = text.lines().nth(e.line - 1).unwrap_or("");
    assert!(line.contains("(dadah"), "line {} is {line:?}", e.line);
}

#[test]
fn a_missing_intent_and_missing_languages_are_reported() {
    let errors = errors_after(|d| {
        std::fs::remove_file(d.join("intents/cart_view.yaml")).unwrap();
        let p = d.join("intents/deny.yaml");
        let text = std::fs::read_to_string(&p).unwrap();
        // drop the English examples
        let start = text.find("\n  en:").expect("deny has English examples");
        let rest = &text[start + 1..];
        let end = rest
            .find("\nkeywords:")
            .or_else(|| rest.find("\nslots:"))
            .unwrap();
        std::fs::write(&p, format!("{}{}", &text[..start + 1], &rest[end + 1..])).unwrap();
    });
    assert!(errors
        .iter()
        .any(|e| e.path.ends_with("intents/cart_view.yaml") && e.what.contains("cart_view")));
    let e = one_error_in(&errors, "intents/deny.yaml");
    assert!(e.what.contains("examples in en"), "{e}");
}

#[test]
fn the_same_example_under_two_intents_is_reported_with_both_places() {
    let errors = errors_after(|d| {
        add_id_example(
            &d.join("intents/goodbye.yaml"),
            "terima kasih banyak ya kak",
        );
        add_id_example(&d.join("intents/thanks.yaml"), "terima kasih banyak ya kak");
    });
    let e = errors
        .iter()
        .find(|e| e.what.contains("terima kasih banyak ya kak"))
        .expect("a duplicate error");
    assert!(
        e.what.contains("goodbye") || e.what.contains("thanks"),
        "{e}"
    );
    assert!(e.what.contains(".yaml:"), "the other place is named: {e}");
}

#[test]
fn an_unknown_template_variable_and_intent_are_reported() {
    let errors = errors_after(|d| {
        let p = d.join("templates/id/conversation.yaml");
        let text = std::fs::read_to_string(&p).unwrap();
        let extra = "\n  - id: greeting.extra\n    intent: greeting\n    situation: reply\n    variants: [\"Halo {{ nama_pelanggan }}!\"]\n  - id: bogus.reply\n    intent: say_hello\n    situation: reply\n    variants: [\"Halo\"]\n";
        std::fs::write(&p, format!("{text}{extra}")).unwrap();
    });
    assert!(
        errors
            .iter()
            .any(|e| e.what.contains("nama_pelanggan") && e.line > 1),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.what.contains("say_hello")),
        "{errors:?}"
    );
}

#[test]
fn thresholds_out_of_range_and_unknown_intents_in_rules() {
    let errors = errors_after(|d| {
        let p = d.join("rules/escalation.yaml");
        replace(&p, "min_confidence: 0.", "min_confidence: 1.");
        replace(&p, "    cart_clear:", "    cart_clearr:");
    });
    assert!(
        errors.iter().any(|e| e.what.contains("out of range")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.what.contains("cart_clearr")),
        "{errors:?}"
    );
}

#[test]
fn lexicon_mistakes_are_reported() {
    let errors = errors_after(|d| {
        replace(
            &d.join("lexicons/vi/numbers.yaml"),
            "inner_only: [",
            "inner_only: [mươiii, ",
        );
        let colors = d.join("lexicons/id/colors.yaml");
        let text = std::fs::read_to_string(&colors).unwrap();
        std::fs::write(
            &colors,
            text.replacen("entries:\n", "entries:\n  crimson: [merah tua sekali]\n", 1),
        )
        .unwrap();
    });
    assert!(
        errors
            .iter()
            .any(|e| e.what.contains("mươiii") && e.path.ends_with("lexicons/vi/numbers.yaml")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.what.contains("crimson") && e.path.ends_with("lexicons/id/colors.yaml")),
        "{errors:?}"
    );
}

#[test]
fn dialogue_rule_mistakes_are_reported() {
    let errors = errors_after(|root| {
        let rules = root.join("rules/dialogue.yaml");
        replace(&rules, "relax_order: [query,", "relax_order: [querry,");
        replace(&rules, "confirm: [cart_clear,", "confirm: [cart_claer,");
        replace(&rules, "options: [shoes,", "options: [shoe,");
        replace(
            &rules,
            "order: [colors, brands, query, category, sizes]",
            "order: [colors, colors, query, category, sizes]",
        );
        replace(
            &rules,
            "        no_variant: \"it does not come in that size or colour\"\n",
            "",
        );
    });
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let has = |needle: &str| {
        text.iter()
            .any(|t| t.contains("rules/dialogue.yaml:") && t.contains(needle))
    };
    assert!(has("unknown key \"querry\""), "{text:#?}");
    assert!(has("unknown intent \"cart_claer\""), "{text:#?}");
    assert!(has("unknown category \"shoe\""), "{text:#?}");
    assert!(has("is not each part once"), "{text:#?}");
    assert!(has("no words for the reason \"no_variant\""), "{text:#?}");
}

#[test]
fn a_broken_voucher_is_reported_at_its_line_with_a_hint() {
    let (_dir, errors) = errors_in_copy(|d| {
        let p = d.join("rules/commerce.yaml");
        replace(
            &p,
            "categories: [shoes, sandals]",
            "categories: [shoes, sandalz]",
        );
        replace(&p, "valid_until: 2027-06-30", "valid_until: 30/06/2027");
        replace(&p, "reservation_minutes: 30", "reservation_minutes: 0");
    });
    let in_file = errors_at_lines(
        &errors,
        "rules/commerce.yaml",
        &[
            ("sandalz", "unknown category \"sandalz\""),
            ("30/06/2027", "is not a date"),
            ("reservation_minutes: 0", "0 minutes"),
        ],
    );
    assert_eq!(in_file, 3);
}

/// Checks that `file` has an error saying each `what` on a line holding its
/// `needle`, with a hint; returns how many errors the file has.
fn errors_at_lines(errors: &[ContentError], file: &str, expected: &[(&str, &str)]) -> usize {
    let in_file: Vec<&ContentError> = errors.iter().filter(|e| e.path.ends_with(file)).collect();
    let text = in_file
        .first()
        .and_then(|e| std::fs::read_to_string(&e.path).ok())
        .unwrap_or_default();
    for (needle, what) in expected {
        let e = in_file
            .iter()
            .find(|e| e.what.contains(what))
            .unwrap_or_else(|| panic!("no error saying {what:?} in {in_file:?}"));
        let line = text.lines().nth(e.line - 1).unwrap_or("");
        assert!(line.contains(needle), "line {} is {line:?} for {e}", e.line);
        assert!(!e.hint.is_empty(), "{e}");
    }
    in_file.len()
}

#[test]
fn llm_prompt_and_budget_mistakes_are_reported_at_their_lines() {
    let (_dir, errors) = errors_in_copy(|d| {
        let p = d.join("rules/llm.yaml");
        replace(&p, "asisten toko {shop}", "asisten toko {nama_toko}");
        replace(&p, "tokens_per_day: 2000000", "tokens_per_day: 100");
    });
    errors_at_lines(
        &errors,
        "rules/llm.yaml",
        &[
            ("{nama_toko}", "unknown blank {nama_toko}"),
            ("tokens_per_day: 100", "100 is too small"),
        ],
    );
}
