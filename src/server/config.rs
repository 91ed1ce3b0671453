//! Settings for `pasar serve` (CONTRACT.md section 8): every value from a flag, else
//! its environment variable (clap reads both), else `pasar.toml`, else a default.
//! Resolved once at start into [`Settings`]; an unreadable file is an error that
//! names it, never a silent default.

use crate::llm::ProviderConfig;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `pasar.toml`: the same keys as the flags, plus the limits.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub database_url: Option<String>,
    pub content_dir: Option<PathBuf>,
    pub catalog: Option<PathBuf>,
    pub admin_token: Option<String>,
    pub customer_jwt_secret: Option<String>,
    /// Origins allowed to call the API from a browser (the storefront's).
    #[serde(default)]
    pub cors_origins: Vec<String>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    /// Reload content when a file under the content folders changes.
    pub watch_content: Option<bool>,
    /// Behind the shop's own reverse proxy: the client's address is the first one
    /// in `X-Forwarded-For` (never set this when clients reach pasar directly:
    /// they could name any address).
    pub trust_forwarded_for: Option<bool>,
    #[serde(default)]
    pub limits: FileLimits,
    /// Further LLM providers, tried in order after the one from the environment.
    #[serde(default)]
    pub llm: Vec<FileProvider>,
}

/// One `[[llm]]` entry of `pasar.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileProvider {
    pub name: Option<String>,
    pub base_url: String,
    pub model: String,
    /// The environment variable holding the key (keys stay out of files).
    pub api_key_env: Option<String>,
    pub timeout_ms: Option<u64>,
    pub retries: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub body_bytes: Option<usize>,
    pub message_chars: Option<usize>,
    /// Requests a session may make per minute.
    pub session_per_minute: Option<u32>,
    /// Requests a client address may make per minute.
    pub address_per_minute: Option<u32>,
    pub request_timeout_ms: Option<u64>,
    /// Messages a WebSocket may have waiting before it is told to slow down.
    pub ws_queue: Option<usize>,
}

/// What flags and the environment said (clap fills these).
#[derive(Debug, Default, Clone)]
pub struct Given {
    pub addr: Option<String>,
    pub database_url: Option<String>,
    pub content_dir: Option<PathBuf>,
    pub catalog: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub admin_token: Option<String>,
    pub customer_jwt_secret: Option<String>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub llm: LlmGiven,
}

/// The LLM provider named by flags or `PASAR_LLM_*`.
#[derive(Debug, Default, Clone)]
pub struct LlmGiven {
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub api_key: Option<String>,
    pub timeout_ms: Option<u64>,
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: SocketAddr,
    pub database_url: String,
    pub content_dir: PathBuf,
    pub catalog: Option<PathBuf>,
    pub admin_token: Option<String>,
    pub customer_jwt_secret: Option<String>,
    pub cors_origins: Vec<String>,
    pub log: String,
    pub json_logs: bool,
    pub watch_content: bool,
    pub trust_forwarded_for: bool,
    pub body_bytes: usize,
    pub message_chars: usize,
    pub session_per_minute: u32,
    pub address_per_minute: u32,
    pub request_timeout: Duration,
    pub ws_queue: usize,
    /// LLM providers in the order they are tried; none: fallback mode only.
    pub llm: Vec<ProviderConfig>,
}

impl Settings {
    /// Settings for tests and embedding: defaults, the repository's content.
    pub fn defaults() -> Settings {
        Settings {
            addr: ([127, 0, 0, 1], 8080).into(),
            database_url: crate::store::DEFAULT_URL.to_string(),
            content_dir: crate::content::Content::default_dir(),
            catalog: None,
            admin_token: None,
            customer_jwt_secret: None,
            cors_origins: Vec::new(),
            log: "info".into(),
            json_logs: true,
            watch_content: false,
            trust_forwarded_for: false,
            body_bytes: 1 << 20,
            message_chars: 2_000,
            session_per_minute: 120,
            address_per_minute: 600,
            request_timeout: Duration::from_secs(10),
            ws_queue: 16,
            llm: Vec::new(),
        }
    }
}

/// What is wrong with the settings.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{what} {value:?} is not valid: {hint}")]
    Value {
        what: &'static str,
        value: String,
        hint: &'static str,
    },
}

fn read_file(path: &Path, required: bool) -> Result<FileConfig, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(FileConfig::default())
        }
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Flags and environment over `pasar.toml` (the one named, else `./pasar.toml` when
/// present) over defaults.
pub fn resolve(given: Given) -> Result<Settings, ConfigError> {
    let file = match &given.config {
        Some(p) => read_file(p, true)?,
        None => read_file(Path::new("pasar.toml"), false)?,
    };
    let d = Settings::defaults();
    let addr_text = given
        .addr
        .or(file.addr)
        .unwrap_or_else(|| d.addr.to_string());
    let addr = addr_text.parse().map_err(|_| ConfigError::Value {
        what: "the address",
        value: addr_text.clone(),
        hint: "host:port, such as 127.0.0.1:8080",
    })?;
    let format = given
        .log_format
        .or(file.log_format)
        .unwrap_or_else(|| "json".into());
    let json_logs = match format.as_str() {
        "json" => true,
        "pretty" => false,
        _ => {
            return Err(ConfigError::Value {
                what: "the log format",
                value: format,
                hint: "json or pretty",
            })
        }
    };
    let llm = providers(&given.llm, &file.llm, |name| std::env::var(name).ok())?;
    let l = file.limits;
    Ok(Settings {
        addr,
        database_url: given
            .database_url
            .or(file.database_url)
            .unwrap_or(d.database_url),
        content_dir: given
            .content_dir
            .or(file.content_dir)
            .unwrap_or(d.content_dir),
        catalog: given.catalog.or(file.catalog),
        admin_token: given
            .admin_token
            .or(file.admin_token)
            .filter(|t| !t.is_empty()),
        customer_jwt_secret: given
            .customer_jwt_secret
            .or(file.customer_jwt_secret)
            .filter(|t| !t.is_empty()),
        cors_origins: file.cors_origins,
        log: given.log.or(file.log).unwrap_or(d.log),
        json_logs,
        watch_content: file.watch_content.unwrap_or(false),
        trust_forwarded_for: file.trust_forwarded_for.unwrap_or(false),
        body_bytes: l.body_bytes.unwrap_or(d.body_bytes),
        message_chars: l.message_chars.unwrap_or(d.message_chars),
        session_per_minute: l.session_per_minute.unwrap_or(d.session_per_minute).max(1),
        address_per_minute: l.address_per_minute.unwrap_or(d.address_per_minute).max(1),
        request_timeout: l
            .request_timeout_ms
            .map_or(d.request_timeout, Duration::from_millis),
        ws_queue: l.ws_queue.unwrap_or(d.ws_queue).max(1),
        llm,
    })
}

/// The providers in the order they are tried: the one from flags or the
/// environment, then the file's `[[llm]]` entries. `env` reads a key variable.
pub fn providers(
    given: &LlmGiven,
    file: &[FileProvider],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<ProviderConfig>, ConfigError> {
    let mut out = Vec::new();
    let timeout =
        |ms: Option<u64>| ms.map_or(crate::llm::client::DEFAULT_TIMEOUT, Duration::from_millis);
    if let Some(url) = given.base_url.as_deref().filter(|u| !u.is_empty()) {
        let model = given
            .model
            .clone()
            .filter(|m| !m.is_empty())
            .ok_or(ConfigError::Value {
                what: "PASAR_LLM_MODEL",
                value: String::new(),
                hint:
                    "the model to ask, such as qwen2.5:7b-instruct, when PASAR_LLM_BASE_URL is set",
            })?;
        let mut p = ProviderConfig::new("env", url, &model);
        p.api_key = given.api_key.clone().filter(|k| !k.is_empty());
        p.timeout = timeout(given.timeout_ms);
        out.push(p);
    }
    for (i, f) in file.iter().enumerate() {
        let name = f.name.clone().unwrap_or_else(|| format!("llm{}", i + 1));
        if !(f.base_url.starts_with("http://") || f.base_url.starts_with("https://")) {
            return Err(ConfigError::Value {
                what: "an [[llm]] base_url",
                value: f.base_url.clone(),
                hint: "an http:// or https:// URL ending in /v1",
            });
        }
        let mut p = ProviderConfig::new(&name, &f.base_url, &f.model);
        if let Some(var) = &f.api_key_env {
            p.api_key = Some(
                env(var)
                    .filter(|k| !k.is_empty())
                    .ok_or(ConfigError::Value {
                        what: "an [[llm]] api_key_env",
                        value: var.clone(),
                        hint: "that environment variable is not set; set it to the provider's key",
                    })?,
            );
        }
        p.timeout = timeout(f.timeout_ms);
        if let Some(r) = f.retries {
            p.retries = r;
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, key_env: Option<&str>) -> FileProvider {
        FileProvider {
            name: Some(name.into()),
            base_url: "https://api.groq.com/openai/v1/".into(),
            model: "llama".into(),
            api_key_env: key_env.map(str::to_string),
            timeout_ms: Some(2500),
            retries: None,
        }
    }

    #[test]
    fn the_environments_provider_comes_first_then_the_files() {
        let given = LlmGiven {
            base_url: Some("http://localhost:11434/v1".into()),
            model: Some("qwen2.5:7b-instruct".into()),
            api_key: None,
            timeout_ms: None,
        };
        let env = |v: &str| (v == "GROQ_API_KEY").then(|| "gsk-test".to_string());
        let list = providers(&given, &[entry("groq", Some("GROQ_API_KEY"))], env).expect("valid");
        let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["env", "groq"]);
        assert_eq!(list[0].timeout, crate::llm::client::DEFAULT_TIMEOUT);
        assert_eq!(list[1].api_key.as_deref(), Some("gsk-test"));
        assert_eq!(list[1].base_url, "https://api.groq.com/openai/v1");
        assert_eq!(list[1].timeout, Duration::from_millis(2500));
        assert!(providers(&LlmGiven::default(), &[], env)
            .expect("none")
            .is_empty());
    }

    #[test]
    fn a_missing_model_or_key_variable_is_an_error_that_names_it() {
        let given = LlmGiven {
            base_url: Some("http://localhost:8000/v1".into()),
            ..LlmGiven::default()
        };
        let e = providers(&given, &[], |_| None).expect_err("no model");
        assert!(e.to_string().contains("PASAR_LLM_MODEL"), "{e}");
        let e = providers(
            &LlmGiven::default(),
            &[entry("groq", Some("GROQ_API_KEY"))],
            |_| None,
        )
        .expect_err("no key");
        assert!(e.to_string().contains("GROQ_API_KEY"), "{e}");
        let mut bad = entry("x", None);
        bad.base_url = "localhost:8000".into();
        assert!(providers(&LlmGiven::default(), &[bad], |_| None).is_err());
    }
}
