//! The `pasar` binary: `explain` prints the CONTRACT.md section 4 shape, `--jsonl`
//! answers every line (invalid UTF-8 and bad JSON included), `check` exits 0 on the
//! shipped content and 1 on broken content.

use std::io::Write;
use std::process::{Command, Stdio};

fn pasar() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pasar"));
    c.env("PASAR_CONTENT_DIR", super::repo_root());
    c
}

#[test]
fn explain_prints_the_contract_shape() {
    let out = pasar()
        .args(["explain", "ada sepatu lari merah di bawah 500rb?"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "text",
        "lang",
        "normalized",
        "intent",
        "confidence",
        "escalate",
        "escalate_reason",
        "candidates",
        "constraints",
        "trace",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["normalized"], "ada sepatu lari merah di bawah 500000");
    assert_eq!(v["constraints"]["price_max"], 500000);
    assert_eq!(v["trace"][0]["stage"], "normalize");
    assert!(v["trace"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("500rb -> 500000")));
}

#[test]
fn explain_jsonl_answers_every_line() {
    let mut child = pasar()
        .args(["explain", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(b"halo kak\n").unwrap();
        stdin
            .write_all(b"{\"text\": \"cho minh xem giay\", \"lang\": \"vi\"}\n")
            .unwrap();
        stdin.write_all(b"caf\xff\xfe broken utf8\n").unwrap();
        stdin.write_all(b"{not json\n").unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin
            .write_all(b"{\"text\": \"hello\", \"lang\": \"xx\"}\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[1]["lang"], "vi");
    assert!(lines[2]["input_error"].as_str().unwrap().contains("UTF-8"));
    assert!(lines[3]["input_error"].is_string());
    assert_eq!(lines[4]["intent"], serde_json::Value::Null);
    assert!(lines[5]["input_error"].as_str().unwrap().contains("xx"));
}

#[test]
fn explain_with_bad_flags_exits_non_zero() {
    let out = pasar()
        .args(["explain", "--lang", "fr", "bonjour"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = pasar().args(["explain"]).output().unwrap();
    assert!(!out.status.success());
}

#[test]
fn check_passes_on_shipped_content_and_fails_on_broken() {
    let out = pasar().arg("check").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let dir = super::content_copy();
    std::fs::write(
        dir.path().join("intents/help.yaml"),
        "intent: help\nexamples: [oops\n",
    )
    .unwrap();
    let out = pasar()
        .args(["check", "--content"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("help.yaml:"), "{text}");
}
