//! The command line: `pasar explain`, `pasar check` (CONTRACT.md sections 4 and 8).
//! Flags are resolved here into checked values; the work happens in the library.

pub mod baseline;
pub mod bench;
pub mod chat;
pub mod check;
pub mod db;
pub mod explain;
pub mod test;

use crate::catalog;
use crate::content::Content;
use crate::dialogue::Assistant;
use crate::lang::Lang;
use crate::store::DEFAULT_URL;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Run golden conversations (default: fixtures/conversations); exit 1 on a failure.
    Test {
        paths: Vec<PathBuf>,
        /// Write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Write a JSON report here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// The time the conversations run at (RFC 3339), or `now` for the clock.
        /// Vouchers and cancel windows depend on it; the shipped fixtures are
        /// written for the default.
        #[arg(long, default_value = crate::golden::FIXTURE_TIME)]
        now: String,
        #[command(flatten)]
        flags: CatalogFlags,
    },
    /// Serve the HTTP API and the storefront page (SQLite and the demo store by default).
    Serve {
        #[arg(long, env = "PASAR_ADDR")]
        addr: Option<String>,
        #[arg(long, env = "PASAR_DATABASE_URL")]
        database_url: Option<String>,
        #[arg(long, env = "PASAR_CONTENT_DIR")]
        content: Option<PathBuf>,
        #[arg(long, env = "PASAR_CATALOG")]
        catalog: Option<PathBuf>,
        /// A pasar.toml (default: ./pasar.toml when present).
        #[arg(long, env = "PASAR_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long, env = "PASAR_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        #[arg(long, env = "PASAR_CUSTOMER_JWT_SECRET", hide_env_values = true)]
        customer_jwt_secret: Option<String>,
        #[arg(long, env = "PASAR_LOG")]
        log: Option<String>,
        #[arg(long, env = "PASAR_LOG_FORMAT")]
        log_format: Option<String>,
        #[command(flatten)]
        llm: LlmFlags,
    },
    /// Chat with the assistant in the terminal (history goes to the database).
    Chat {
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        #[command(flatten)]
        llm: LlmFlags,
        #[command(flatten)]
        flags: CatalogFlags,
        #[arg(long, env = "PASAR_DATABASE_URL", default_value = DEFAULT_URL)]
        database_url: String,
    },
    /// Import a catalog (JSON or CSV) into the store: all or nothing.
    Import {
        file: PathBuf,
        #[arg(long, env = "PASAR_DATABASE_URL", default_value = DEFAULT_URL)]
        database_url: String,
    },
    /// Time whole turns and filtered searches over a synthetic catalog.
    Bench {
        #[arg(long, default_value_t = 10_000)]
        products: usize,
        #[arg(long, default_value_t = 20_000)]
        turns: usize,
        #[arg(long, env = "PASAR_CONTENT_DIR")]
        content: Option<PathBuf>,
        /// Also time cart turns (reserve plus reply) against this database; may be
        /// repeated. A temporary SQLite file is always timed.
        #[arg(long = "cart-database-url")]
        cart_databases: Vec<String>,
    },
    /// List the conversations handed to a human (complaints, requests for a person).
    Handoffs {
        /// Only handoffs in this status (`open` by default; `all` for every one).
        #[arg(long, default_value = "open")]
        status: String,
        #[arg(long, env = "PASAR_DATABASE_URL", default_value = DEFAULT_URL)]
        database_url: String,
    },
    /// Create or update the database schema.
    Migrate {
        #[arg(long, env = "PASAR_DATABASE_URL", default_value = DEFAULT_URL)]
        database_url: String,
    },
}

/// The LLM escalated turns go to (CONTRACT.md section 8); unset: fallback mode.
#[derive(Debug, Clone, clap::Args)]
pub struct LlmFlags {
    /// An OpenAI-compatible base URL ending in /v1.
    #[arg(long = "llm-base-url", env = "PASAR_LLM_BASE_URL")]
    pub base_url: Option<String>,
    #[arg(long = "llm-model", env = "PASAR_LLM_MODEL")]
    pub model: Option<String>,
    #[arg(
        long = "llm-api-key",
        env = "PASAR_LLM_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Per call (default 4000).
    #[arg(long = "llm-timeout-ms", env = "PASAR_LLM_TIMEOUT_MS")]
    pub timeout_ms: Option<u64>,
}

impl LlmFlags {
    pub fn given(&self) -> crate::server::config::LlmGiven {
        crate::server::config::LlmGiven {
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            api_key: self.api_key.clone(),
            timeout_ms: self.timeout_ms,
        }
    }
}

/// Where the content and the catalog come from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CatalogFlags {
    #[arg(long, env = "PASAR_CONTENT_DIR")]
    pub content: Option<PathBuf>,
    /// A catalog file (JSON or CSV); default: the demo store in fixtures/.
    #[arg(long, env = "PASAR_CATALOG")]
    pub catalog: Option<PathBuf>,
}

/// Loads the content and the catalog and indexes it.
pub fn load_assistant(flags: CatalogFlags) -> anyhow::Result<Assistant> {
    let content = load_content(flags.content)?;
    let path = flags.catalog.unwrap_or_else(catalog::demo_catalog_path);
    let catalog = catalog::import::read_file(&path)?;
    Ok(Assistant::build(Arc::new(content), Arc::new(catalog))?)
}

/// Opens the store (importing the catalog file when the store has no products,
/// or when `--catalog` names one) and indexes what the store holds, so the shelf
/// and the stock the shop sells agree.
pub async fn open_shop(
    flags: CatalogFlags,
    database_url: &str,
) -> anyhow::Result<(Assistant, crate::shop::Shop)> {
    let content = load_content(flags.content)?;
    let store = crate::store::Store::open(database_url).await?;
    let named = flags.catalog.is_some();
    let path = flags.catalog.unwrap_or_else(catalog::demo_catalog_path);
    if named || store.product_count().await? == 0 {
        let file = catalog::import::read_file(&path)?;
        store.import_catalog(&file).await?;
    }
    let stored = store.load_catalog().await?;
    let assistant = Assistant::build(Arc::new(content), Arc::new(stored))?;
    Ok((assistant, crate::shop::Shop::new(store)))
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
        Command::Test {
            paths,
            junit,
            json,
            now,
            flags,
        } => test::run(paths, junit, json, &now, flags),
        Command::Serve {
            addr,
            database_url,
            content,
            catalog,
            config,
            admin_token,
            customer_jwt_secret,
            log,
            log_format,
            llm,
        } => {
            let settings = crate::server::config::resolve(crate::server::config::Given {
                addr,
                database_url,
                content_dir: content,
                catalog,
                config,
                admin_token,
                customer_jwt_secret,
                log,
                log_format,
                llm: llm.given(),
            })?;
            crate::server::init_logging(&settings);
            db::runtime()?.block_on(crate::server::serve(settings))?;
            Ok(0)
        }
        Command::Chat {
            lang,
            llm,
            flags,
            database_url,
        } => chat::run(lang, flags, &database_url, &llm.given()),
        Command::Import { file, database_url } => db::import(&file, &database_url),
        Command::Migrate { database_url } => db::migrate(&database_url),
        Command::Handoffs {
            status,
            database_url,
        } => db::handoffs(&status, &database_url),
        Command::Bench {
            products,
            turns,
            content,
            cart_databases,
        } => bench::run(products, turns, content, &cart_databases),
    }
}
