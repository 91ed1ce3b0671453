//! A scripted OpenAI-compatible provider (axum, in-process) for tests and golden
//! conversations: each chat-completions request takes the next [`Step`] of the
//! script, which answers normally, calls a tool, fails with a status, hangs,
//! sends broken JSON or an HTML error page. It keeps every request it was sent, so
//! a test can check what the LLM was shown. A request past the end of the script
//! gets 503, so an unplanned call shows up as a fallback turn.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One scripted answer. Exactly one of `reply`, `tool`, `status`, `hang`,
/// `malformed` and `html` is given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A normal answer with this text.
    pub reply: Option<String>,
    /// A call of this tool, with `args`.
    pub tool: Option<String>,
    #[serde(default)]
    pub args: Option<Value>,
    /// An error status with a JSON error body (429 also sends `Retry-After: 0`).
    pub status: Option<u16>,
    /// No answer at all: the client's timeout decides.
    pub hang: Option<bool>,
    /// 200 with a body that is not JSON.
    pub malformed: Option<bool>,
    /// This status with an HTML error page, as a proxy in front of a model sends.
    pub html: Option<u16>,
    /// Tokens the answer reports using (prompt and completion together).
    pub tokens: Option<u64>,
}

impl Step {
    pub fn reply(text: &str) -> Step {
        Step {
            reply: Some(text.to_string()),
            ..Step::default()
        }
    }

    pub fn tool(name: &str, args: Value) -> Step {
        Step {
            tool: Some(name.to_string()),
            args: Some(args),
            ..Step::default()
        }
    }

    pub fn status(code: u16) -> Step {
        Step {
            status: Some(code),
            ..Step::default()
        }
    }

    /// What is wrong with a step written by hand (a golden conversation's script).
    pub fn problem(&self) -> Option<String> {
        let given = [
            self.reply.is_some(),
            self.tool.is_some(),
            self.status.is_some(),
            self.hang.is_some(),
            self.malformed.is_some(),
            self.html.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            return Some(
                "a step is exactly one of reply, tool, status, hang, malformed, html".into(),
            );
        }
        if self.args.is_some() && self.tool.is_none() {
            return Some("args go with tool".into());
        }
        if self.hang == Some(false) || self.malformed == Some(false) {
            return Some("hang and malformed are written `true`; leave them out otherwise".into());
        }
        None
    }
}

#[derive(Debug, Default)]
struct Script {
    steps: Mutex<VecDeque<Step>>,
    seen: Mutex<Vec<Value>>,
}

/// A running fake provider; it stops when dropped.
#[derive(Debug)]
pub struct FakeProvider {
    addr: SocketAddr,
    script: Arc<Script>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeProvider {
    /// Listens on a free local port; needs a tokio runtime.
    pub async fn start(steps: Vec<Step>) -> std::io::Result<FakeProvider> {
        let script = Arc::new(Script {
            steps: Mutex::new(steps.into()),
            seen: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/v1/chat/completions", post(answer))
            .with_state(script.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeProvider { addr, script, task })
    }

    /// The base URL to configure (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Adds steps to the end of the script.
    pub fn push(&self, steps: impl IntoIterator<Item = Step>) {
        lock(&self.script.steps).extend(steps);
    }

    /// Every request body received so far.
    pub fn requests(&self) -> Vec<Value> {
        lock(&self.script.seen).clone()
    }

    /// Steps not yet used.
    pub fn left(&self) -> usize {
        lock(&self.script.steps).len()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn usage(tokens: Option<u64>) -> Value {
    let total = tokens.unwrap_or(120);
    let completion = total / 6;
    json!({"prompt_tokens": total - completion, "completion_tokens": completion, "total_tokens": total})
}

async fn answer(State(script): State<Arc<Script>>, Json(body): Json<Value>) -> Response {
    let n = {
        let mut seen = lock(&script.seen);
        seen.push(body);
        seen.len()
    };
    let step = lock(&script.steps).pop_front();
    let Some(step) = step else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": {"message": "the script has no more steps"}})),
        )
            .into_response();
    };
    if let Some(text) = step.reply {
        return Json(json!({
            "id": format!("chatcmpl-{n}"), "object": "chat.completion",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": usage(step.tokens),
        }))
        .into_response();
    }
    if let Some(name) = step.tool {
        let args = step.args.unwrap_or_else(|| json!({}));
        return Json(json!({
            "id": format!("chatcmpl-{n}"), "object": "chat.completion",
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                         "message": {"role": "assistant", "content": null, "tool_calls": [{
                             "id": format!("call_{n}"), "type": "function",
                             "function": {"name": name, "arguments": args.to_string()}}]}}],
            "usage": usage(step.tokens),
        }))
        .into_response();
    }
    if let Some(code) = step.status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (
            status,
            Json(json!({"error": {"message": "scripted failure", "code": code}})),
        )
            .into_response();
        if code == 429 {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("0"));
        }
        return res;
    }
    if step.hang == Some(true) {
        std::future::pending::<()>().await;
    }
    if let Some(code) = step.html {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
        return (
            status,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
        )
            .into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"Hal",
    )
        .into_response()
}
