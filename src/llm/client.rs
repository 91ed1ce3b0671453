//! The OpenAI-compatible chat-completions wire format and one provider's call: a
//! POST to `<base_url>/chat/completions` with the conversation and the tools, a
//! timeout per attempt, and retries with jittered exponential backoff when the
//! provider answers 429 or 5xx. Everything that can go wrong comes back as a
//! [`CallError`], so the caller decides between the next provider and fallback.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One provider from configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// A short name for logs, metrics and the trace ("env", "groq").
    pub name: String,
    /// The base URL ending in `/v1` (the path `/chat/completions` is appended).
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    /// Per attempt.
    pub timeout: Duration,
    /// Further attempts after a 429 or 5xx.
    pub retries: u32,
    /// The first backoff; each retry doubles it, with full jitter.
    pub backoff: Duration,
}

impl ProviderConfig {
    pub fn new(name: &str, base_url: &str, model: &str) -> ProviderConfig {
        ProviderConfig {
            name: name.to_string(),
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            api_key: None,
            timeout: DEFAULT_TIMEOUT,
            retries: 2,
            backoff: Duration::from_millis(250),
        }
    }

    fn endpoint(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

/// The timeout per call when configuration names none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(4);
/// A `Retry-After` longer than this is not waited for: the next provider is tried.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

/// A chat message in the wire format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireMessage {
    pub role: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl WireMessage {
    pub fn text(role: &str, content: impl Into<String>) -> WireMessage {
        WireMessage {
            role: role.to_string(),
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    pub fn tool_result(call_id: &str, content: String) -> WireMessage {
        WireMessage {
            role: "tool".into(),
            content: Some(content),
            tool_calls: Vec::new(),
            tool_call_id: Some(call_id.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    #[serde(rename = "type", default = "function_kind")]
    pub kind: String,
    pub function: FunctionCall,
}

fn function_kind() -> String {
    "function".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    pub name: String,
    /// JSON text, as the model wrote it.
    #[serde(default)]
    pub arguments: String,
}

/// A tool the model may call: a name, what it does, and its JSON schema.
#[derive(Debug, Clone, Serialize)]
pub struct ToolSpec {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionSpec,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: serde_json::Value,
}

/// What is sent.
#[derive(Debug, Clone, Serialize)]
pub struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: &'a [WireMessage],
    #[serde(skip_serializing_if = "<[ToolSpec]>::is_empty")]
    pub tools: &'a [ToolSpec],
    pub temperature: f32,
    pub max_tokens: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
}

#[derive(Debug, Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: WireMessage,
}

/// One answer from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub message: WireMessage,
    pub usage: Usage,
    /// The provider that answered.
    pub provider: String,
}

/// Why a call gave no completion.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not reach the provider: {0}")]
    Unreachable(String),
    #[error("the provider answered {status}")]
    Status { status: u16 },
    #[error("the provider's answer is not a chat completion: {0}")]
    Malformed(String),
    #[error("the circuit breaker is open")]
    BreakerOpen,
}

impl CallError {
    /// A stable label for metrics and the trace.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Timeout(_) => "timeout",
            CallError::Unreachable(_) => "unreachable",
            CallError::Status { status: 429 } => "rate_limited",
            CallError::Status { .. } => "status",
            CallError::Malformed(_) => "malformed",
            CallError::BreakerOpen => "breaker_open",
        }
    }
}

/// One provider's answer to `messages`, retrying 429 and 5xx answers. `retried`
/// is told about each retry (for metrics).
pub async fn complete(
    http: &reqwest::Client,
    provider: &ProviderConfig,
    messages: &[WireMessage],
    tools: &[ToolSpec],
    max_tokens: u32,
    mut retried: impl FnMut(&CallError),
) -> Result<Completion, CallError> {
    let body = ChatRequest {
        model: &provider.model,
        messages,
        tools,
        temperature: 0.2,
        max_tokens,
    };
    let mut attempt = 0;
    loop {
        match attempt_once(http, provider, &body).await {
            Err(Failure { error, retry_after })
                if retryable(&error) && attempt < provider.retries =>
            {
                let wait = match retry_after {
                    Some(w) if w > LONGEST_WAIT => return Err(error),
                    Some(w) => w,
                    None => backoff(provider.backoff, attempt),
                };
                retried(&error);
                tracing::debug!(provider = %provider.name, error = %error, wait_ms = wait.as_millis() as u64, "retrying the LLM");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(f) => return Err(f.error),
            Ok(c) => return Ok(c),
        }
    }
}

fn retryable(e: &CallError) -> bool {
    matches!(e, CallError::Status { status } if *status == 429 || *status >= 500)
}

/// Full jitter: a random wait up to `base * 2^attempt`.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let ceiling = base.saturating_mul(1 << attempt.min(6));
    ceiling.mul_f64(fastrand::f64())
}

struct Failure {
    error: CallError,
    retry_after: Option<Duration>,
}

impl From<CallError> for Failure {
    fn from(error: CallError) -> Failure {
        Failure {
            error,
            retry_after: None,
        }
    }
}

async fn attempt_once(
    http: &reqwest::Client,
    provider: &ProviderConfig,
    body: &ChatRequest<'_>,
) -> Result<Completion, Failure> {
    let mut req = http
        .post(provider.endpoint())
        .timeout(provider.timeout)
        .json(body);
    if let Some(key) = &provider.api_key {
        req = req.bearer_auth(key);
    }
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            CallError::Timeout(provider.timeout)
        } else {
            CallError::Unreachable(e.without_url().to_string())
        }
    };
    let res = req.send().await.map_err(transport)?;
    let status = res.status();
    if !status.is_success() {
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        return Err(Failure {
            error: CallError::Status {
                status: status.as_u16(),
            },
            retry_after,
        });
    }
    let text = res.text().await.map_err(transport)?;
    let parsed: ChatResponse = serde_json::from_str(&text).map_err(|e| {
        let start: String = text.chars().take(60).collect();
        CallError::Malformed(format!("{e} (begins {start:?})"))
    })?;
    let Some(choice) = parsed.choices.into_iter().next() else {
        return Err(CallError::Malformed("no choices".into()).into());
    };
    Ok(Completion {
        message: choice.message,
        usage: parsed.usage.unwrap_or_default(),
        provider: provider.name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let base = Duration::from_millis(100);
        for attempt in 0..5 {
            let w = backoff(base, attempt);
            assert!(w <= base * (1 << attempt), "{w:?} at attempt {attempt}");
        }
    }

    #[test]
    fn only_rate_limits_and_server_errors_are_retried() {
        assert!(retryable(&CallError::Status { status: 429 }));
        assert!(retryable(&CallError::Status { status: 503 }));
        assert!(!retryable(&CallError::Status { status: 401 }));
        assert!(!retryable(&CallError::Timeout(DEFAULT_TIMEOUT)));
        assert!(!retryable(&CallError::Malformed("x".into())));
    }
}
