//! The golden conversations in `fixtures/conversations` all pass, and the runner
//! itself reports a wrong expectation with its conversation, turn, key, expected
//! and got (a runner that cannot fail would prove nothing).

use super::{assistant, repo_root};
use pasar::golden;

#[test]
fn every_golden_conversation_passes() {
    let files =
        golden::collect_files(&[repo_root().join("fixtures/conversations")]).expect("fixtures");
    let fixtures: Vec<_> = files
        .iter()
        .map(|f| golden::read(f).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let report = super::block_on(golden::run(assistant(), &fixture_shop(), &fixtures));
    assert!(
        report.conversations.len() >= 80,
        "{} conversations",
        report.conversations.len()
    );
    assert_eq!(report.failed(), 0, "\n{}", report.text());
}

#[test]
fn the_runner_reports_what_differs() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("wrong.yaml");
    std::fs::write(
        &path,
        r#"conversations:
  - name: wrong on purpose
    lang: id
    turns:
      - user: "halo kak"
        expect: {intent: goodbye, source: rules, reply_not_contains: ["halo"]}
      - user: "ada sepatu lari merah di bawah 500rb?"
        expect:
          constraints: {category: bags, price_max: 500000}
          products_max: 0
          cart_items: 3
  - name: right
    turns:
      - user: "makasih kak"
        expect: {intent: thanks, escalate: false}
"#,
    )
    .expect("write");
    let fixture = golden::read(&path).expect("a valid file");
    let report = super::block_on(golden::run(assistant(), &fixture_shop(), &[fixture]));
    assert_eq!((report.passed(), report.failed()), (1, 1));
    let text = report.text();
    assert!(
        text.contains(
            "wrong on purpose :: turn 1 (\"halo kak\") :: intent: expected goodbye, got greeting"
        ),
        "{text}"
    );
    assert!(
        text.contains("turn 2")
            && text.contains("constraints.category: expected \"bags\", got \"shoes\""),
        "{text}"
    );
    assert!(text.contains("products_max: expected 0"), "{text}");
    assert!(text.contains("cart_items: expected 3, got 0"), "{text}");
    assert!(text.ends_with("1 passed, 1 failed"), "{text}");
    assert!(report.junit().contains("failures=\"1\""));
    assert!(report.json().contains("\"key\": \"intent\""));
}

#[test]
fn a_broken_fixture_names_its_file_and_line() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("broken.yaml");
    std::fs::write(
        &path,
        "name: x\nturns:\n  - user: hi\n    expect: {intnet: greeting}\n",
    )
    .expect("write");
    let err = golden::read(&path).expect_err("an unknown key");
    let msg = err.to_string();
    assert!(
        msg.contains("broken.yaml") && msg.contains("intnet"),
        "{msg}"
    );
}

/// A fresh store at the time the shipped fixtures are written for.
fn fixture_shop() -> pasar::shop::Shop {
    let at = golden::parse_time(golden::FIXTURE_TIME).expect("the fixture time");
    super::shop().pinned_at(at)
}

#[test]
fn a_scripted_llm_is_checked_when_read_and_when_run() {
    let dir = tempfile::tempdir().expect("a folder");
    let bad = dir.path().join("bad-script.yaml");
    std::fs::write(
        &bad,
        "name: two kinds in one step\nllm:\n  script:\n    - {reply: hi, status: 500}\nturns:\n  - user: halo\n",
    )
    .expect("write");
    let msg = golden::read(&bad).expect_err("a bad step").to_string();
    assert!(
        msg.contains("llm script step 1") && msg.contains("exactly one of"),
        "{msg}"
    );
    // a step the conversation never asks for fails it: rule turns never call the LLM
    let unused = dir.path().join("unused.yaml");
    std::fs::write(
        &unused,
        "name: a rule turn\nlang: id\nllm:\n  script:\n    - reply: \"Halo kak!\"\nturns:\n  - user: \"cari sepatu lari\"\n    expect: {source: rules}\n",
    )
    .expect("write");
    let fixture = golden::read(&unused).expect("a valid file");
    let report = super::block_on(golden::run(assistant(), &fixture_shop(), &[fixture]));
    let text = report.text();
    assert!(
        text.contains("llm.script: expected every step used, got 1 steps never asked for"),
        "{text}"
    );
}
