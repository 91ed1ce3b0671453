//! Golden conversations (CONTRACT.md section 5): YAML files of turns with expected
//! outcomes, run against the shipped content and catalog, each conversation in a
//! fresh session. [`run`] returns a [`Report`] with every failed expectation (the
//! conversation, turn, key, expected and got), per-intent precision and recall, and
//! the escalation rate; the CLI prints it and writes JUnit and JSON.

pub mod check;
pub mod report;

use crate::dialogue::{Assistant, Session, TurnScratch};
use crate::lang::Lang;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub use report::Report;

/// One conversation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    pub name: String,
    #[serde(default)]
    pub lang: Option<Lang>,
    /// `off` (default): escalated turns are answered in fallback mode; or
    /// `{script: [...]}`: they go to a scripted provider (see the README).
    #[serde(default)]
    pub llm: Option<LlmMode>,
    pub turns: Vec<GoldenTurn>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LlmMode {
    Off(Off),
    Scripted(Scripted),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Off {
    Off,
}

/// The answers a fake OpenAI-compatible provider gives, one per call, in order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scripted {
    pub script: Vec<crate::llm::fake::Step>,
}

/// The per-call timeout of a scripted provider: a `hang` step costs this long.
pub const SCRIPTED_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(300);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenTurn {
    pub user: String,
    #[serde(default)]
    pub expect: Expect,
}

/// What a turn must show; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `Some(None)` is `intent: null`.
    #[serde(default, deserialize_with = "explicit_null")]
    pub intent: Option<Option<String>>,
    pub escalate: Option<bool>,
    pub source: Option<String>,
    pub constraints: Option<serde_yaml::Mapping>,
    pub products_min: Option<usize>,
    pub products_max: Option<usize>,
    #[serde(default)]
    pub products_include: Vec<String>,
    #[serde(default)]
    pub reply_contains: Vec<String>,
    #[serde(default)]
    pub reply_not_contains: Vec<String>,
    pub reply_matches: Option<String>,
    pub cart_items: Option<usize>,
}

fn explicit_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::<String>::deserialize(d)?))
}

/// A file holding several conversations.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Many {
    conversations: Vec<Conversation>,
}

/// A conversation file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct FixtureError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The conversations of one file, with the file's path.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub path: PathBuf,
    pub conversations: Vec<Conversation>,
}

/// Every `.yaml`/`.yml` file under the paths (files or folders), sorted.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FixtureError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(dir) = stack.pop() {
                let entries = std::fs::read_dir(&dir).map_err(|e| FixtureError {
                    path: dir.display().to_string(),
                    line: None,
                    message: e.to_string(),
                })?;
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if matches!(
                        path.extension().and_then(|e| e.to_str()),
                        Some("yaml" | "yml")
                    ) {
                        out.push(path);
                    }
                }
            }
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(FixtureError {
                path: p.display().to_string(),
                line: None,
                message: "no such file or folder".into(),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// Reads one conversation file.
pub fn read(path: &Path) -> Result<Fixture, FixtureError> {
    let err = |line: Option<usize>, message: String| FixtureError {
        path: path.display().to_string(),
        line,
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(None, e.to_string()))?;
    let yaml_err = |e: serde_yaml::Error| {
        err(
            e.location().map(|l| l.line()),
            format!("{e} (hint: see CONTRACT.md section 5)"),
        )
    };
    // parse as the shape the file has, so an error names the exact key and line
    let many = serde_yaml::from_str::<serde_yaml::Value>(&text)
        .map_err(yaml_err)?
        .get("conversations")
        .is_some();
    let conversations = if many {
        serde_yaml::from_str::<Many>(&text)
            .map_err(yaml_err)?
            .conversations
    } else {
        vec![serde_yaml::from_str::<Conversation>(&text).map_err(yaml_err)?]
    };
    for c in &conversations {
        if let Some(LlmMode::Scripted(s)) = &c.llm {
            for (i, step) in s.script.iter().enumerate() {
                if let Some(problem) = step.problem() {
                    return Err(err(
                        None,
                        format!(
                            "conversation {:?}, llm script step {}: {problem}",
                            c.name,
                            i + 1
                        ),
                    ));
                }
            }
        }
        if c.turns.is_empty() {
            return Err(err(None, format!("conversation {:?} has no turns", c.name)));
        }
        for t in &c.turns {
            if let Some(re) = &t.expect.reply_matches {
                regex::Regex::new(re)
                    .map_err(|e| err(None, format!("reply_matches {re:?}: {e}")))?;
            }
        }
    }
    Ok(Fixture {
        path: path.to_path_buf(),
        conversations,
    })
}

/// The time golden conversations run at unless told otherwise: vouchers and
/// cancel windows then answer the same on every run, whatever the date.
pub const FIXTURE_TIME: &str = "2026-11-22T12:00:00+07:00";

/// An RFC 3339 time as unix milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The assistant a conversation runs with: no LLM, or one provider answering from
/// the conversation's script (kept running while the conversation runs).
async fn scripted(
    assistant: &Assistant,
    mode: Option<&LlmMode>,
) -> std::io::Result<(Assistant, Option<crate::llm::fake::FakeProvider>)> {
    use crate::llm::{fake::FakeProvider, Llm, LlmSettings, ProviderConfig};
    let Some(LlmMode::Scripted(s)) = mode else {
        return Ok((
            assistant
                .clone()
                .with_llm(std::sync::Arc::new(Llm::disabled())),
            None,
        ));
    };
    let fake = FakeProvider::start(s.script.clone()).await?;
    let mut provider = ProviderConfig::new("script", &fake.base_url(), "scripted");
    provider.timeout = SCRIPTED_TIMEOUT;
    provider.backoff = std::time::Duration::from_millis(5);
    let llm = Llm::new(LlmSettings::new(vec![provider]));
    Ok((
        assistant.clone().with_llm(std::sync::Arc::new(llm)),
        Some(fake),
    ))
}

/// Runs every conversation of the fixtures, each in a fresh session, against
/// `shop` (carts, stock and orders; `Shop::in_memory` for a private one).
pub async fn run(assistant: &Assistant, shop: &crate::shop::Shop, fixtures: &[Fixture]) -> Report {
    let mut report = Report::default();
    let mut scratch = TurnScratch::default();
    for fixture in fixtures {
        for conv in &fixture.conversations {
            let started = std::time::Instant::now();
            let mut session = Session::new(format!("golden:{}", conv.name));
            let mut failures = Vec::new();
            let (assistant, fake) = match scripted(assistant, conv.llm.as_ref()).await {
                Ok(pair) => pair,
                Err(e) => {
                    failures.push(report::Failure {
                        turn: 0,
                        user: String::new(),
                        key: "llm".into(),
                        expected: "a scripted provider".into(),
                        got: e.to_string(),
                    });
                    (assistant.clone(), None)
                }
            };
            for (i, turn) in conv.turns.iter().enumerate() {
                let out = assistant
                    .turn(
                        shop,
                        &mut session,
                        &turn.user,
                        conv.lang,
                        false,
                        &mut scratch,
                    )
                    .await;
                report.count_turn(&turn.expect, &out);
                for f in check::check(&turn.expect, &out, &session) {
                    failures.push(report::Failure {
                        turn: i + 1,
                        user: turn.user.clone(),
                        key: f.key,
                        expected: f.expected,
                        got: f.got,
                    });
                }
            }
            if let Some(left) = fake.as_ref().map(|f| f.left()).filter(|n| *n > 0) {
                failures.push(report::Failure {
                    turn: conv.turns.len(),
                    user: String::new(),
                    key: "llm.script".into(),
                    expected: "every step used".into(),
                    got: format!("{left} steps never asked for"),
                });
            }
            report.conversations.push(report::ConversationResult {
                file: fixture.path.display().to_string(),
                name: conv.name.clone(),
                turns: conv.turns.len(),
                failures,
                micros: started.elapsed().as_micros() as u64,
            });
        }
    }
    report
}
