//! `pasar explain`: what the deterministic pipeline makes of a message, as JSON.
//! With `--jsonl`, one object per input line; a line that is not valid UTF-8 or not
//! valid JSON is still answered (as text), so one bad line never stops a batch.

use super::load_content;
use crate::classify::Scratch;
use crate::content::Content;
use crate::lang::Lang;
use crate::pipeline::{understand, Options, Understanding};
use anyhow::Context;
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    understanding: &'a Understanding,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_error: Option<String>,
}

/// One input line of `--jsonl`: plain text, or {"text": ..., "lang": ...}.
pub fn parse_input_line(raw: &[u8]) -> (String, Option<Lang>, Option<String>) {
    let (text, mut note) = match std::str::from_utf8(raw) {
        Ok(t) => (t.to_string(), None),
        Err(e) => (
            String::from_utf8_lossy(raw).into_owned(),
            Some(format!(
                "the line is not valid UTF-8 (byte {}); invalid bytes were replaced",
                e.valid_up_to()
            )),
        ),
    };
    let text = text.trim_end_matches(['\r', '\n']).to_string();
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct Input {
            text: String,
            #[serde(default)]
            lang: Option<String>,
        }
        match serde_json::from_str::<Input>(trimmed) {
            Ok(input) => {
                let lang = match input.lang.as_deref().map(str::parse::<Lang>) {
                    Some(Ok(l)) => Some(l),
                    Some(Err(e)) => {
                        note = Some(format!("{e}; the language was detected instead"));
                        None
                    }
                    None => None,
                };
                return (input.text, lang, note);
            }
            Err(e) => {
                note = Some(format!("the line looks like JSON but is not {{\"text\", \"lang\"}} ({e}); read as plain text"));
            }
        }
    }
    (text, None, note)
}

/// Explains one message.
pub fn explain(
    content: &Content,
    text: &str,
    lang: Option<Lang>,
    scratch: &mut Scratch,
) -> Understanding {
    understand(
        content,
        text,
        Options {
            lang,
            hint: None,
            trace: true,
        },
        scratch,
    )
}

pub fn run(
    text: Option<String>,
    lang: Option<Lang>,
    jsonl: bool,
    compact: bool,
    content: Option<PathBuf>,
) -> anyhow::Result<i32> {
    let content = load_content(content)?;
    let mut scratch = Scratch::default();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if jsonl {
        if text.is_some() {
            anyhow::bail!("give either a TEXT or --jsonl, not both");
        }
        let stdin = std::io::stdin();
        let mut reader = stdin.lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .context("reading standard input")?;
            if n == 0 {
                break;
            }
            let (text, line_lang, input_error) = parse_input_line(&buf);
            let u = explain(&content, &text, line_lang.or(lang), &mut scratch);
            serde_json::to_writer(
                &mut out,
                &Line {
                    understanding: &u,
                    input_error,
                },
            )?;
            out.write_all(b"\n")?;
        }
    } else {
        let Some(text) = text else {
            anyhow::bail!(
                "give the message as TEXT, or use --jsonl to read lines from standard input"
            );
        };
        let u = explain(&content, &text, lang, &mut scratch);
        let line = Line {
            understanding: &u,
            input_error: None,
        };
        if compact {
            serde_json::to_writer(&mut out, &line)?;
        } else {
            serde_json::to_writer_pretty(&mut out, &line)?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(0)
}
