//! The command line: `pasar explain`, `pasar check` (CONTRACT.md sections 4 and 8).
//! Flags are resolved here into checked values; the work happens in the library.

pub mod check;
pub mod explain;

use crate::content::Content;
use crate::lang::Lang;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "pasar",
    version,
    about = "A shop assistant for online stores in Indonesia and Vietnam"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what pasar understands of a message, as JSON (never calls the LLM).
    Explain {
        /// The message; omit with --jsonl.
        text: Option<String>,
        /// The message's language; detected when absent.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// Read one message per line from standard input (plain text or {"text", "lang"}).
        #[arg(long)]
        jsonl: bool,
        /// Print JSON on one line (the default for --jsonl).
        #[arg(long)]
        compact: bool,
        #[arg(long, env = "PASAR_CONTENT_DIR")]
        content: Option<PathBuf>,
    },
    /// Lint the content: every problem as path:line:column; exit 1 on any.
    Check {
        #[arg(long, env = "PASAR_CONTENT_DIR")]
        content: Option<PathBuf>,
        /// Also cross-validate the intent examples (k-fold) and print accuracy per language.
        #[arg(long)]
        crossval: bool,
    },
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>().map_err(|e| e.to_string())
}

/// Loads content from the flag, the environment, or the repository's folders.
pub fn load_content(dir: Option<PathBuf>) -> anyhow::Result<Content> {
    let dir = dir.unwrap_or_else(Content::default_dir);
    Content::load(&dir)
        .map_err(|errors| anyhow::anyhow!("the content in {} is invalid:\n{errors}", dir.display()))
}

/// Runs the command line; the exit code is the return value.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Explain {
            text,
            lang,
            jsonl,
            compact,
            content,
        } => explain::run(text, lang, jsonl, compact, content),
        Command::Check { content, crossval } => check::run(content, crossval),
    }
}
