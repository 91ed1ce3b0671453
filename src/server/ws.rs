//! `GET /v1/ws`: chat over a WebSocket. The client sends `{"type": "user_message",
//! …}` with the fields of `POST /v1/chat`; the server answers `{"type": "ai_typing"}`
//! and then `{"type": "ai_response", …}` with the body `POST /v1/chat` returns, or
//! `{"type": "error", "error": {…}}`. `{"type": "ping"}` gets `{"type": "pong"}`
//! (protocol pings are answered by the socket itself). Each connection has a
//! bounded queue of messages waiting for their turn; past it the client is told to
//! slow down and the message is dropped, so one client cannot pile up work.

use super::chat::{run_turn, ChatRequest};
use super::error::ApiError;
use super::{ClientIp, SharedApp};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::mpsc;

pub async fn upgrade(
    State(app): State<SharedApp>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| connection(app, headers, ip, socket))
}

fn error_frame(code: &str, message: &str) -> String {
    json!({"type": "error", "error": {"code": code, "message": message}}).to_string()
}

async fn connection(app: SharedApp, headers: HeaderMap, ip: std::net::IpAddr, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<String>(app.settings.ws_queue * 2 + 4);
    let (work_tx, mut work_rx) = mpsc::channel::<ChatRequest>(app.settings.ws_queue);
    let writer = tokio::spawn(async move {
        while let Some(text) = out_rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    let worker_out = out_tx.clone();
    let worker = tokio::spawn(async move {
        while let Some(req) = work_rx.recv().await {
            let typing = json!({"type": "ai_typing", "session_id": req.session_id});
            if worker_out.send(typing.to_string()).await.is_err() {
                break;
            }
            let frame = match run_turn(&app, &headers, ip, req).await {
                Ok(r) => {
                    let mut v = serde_json::to_value(&r).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("type".into(), "ai_response".into());
                    }
                    v.to_string()
                }
                Err(ApiError { code, message, .. }) => {
                    app.metrics.error(code);
                    error_frame(code, &message)
                }
            };
            if worker_out.send(frame).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Close(_) => break,
            _ => continue,
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let _ = out_tx
                    .send(error_frame("invalid_json", &e.to_string()))
                    .await;
                continue;
            }
        };
        match value.get("type").and_then(|t| t.as_str()) {
            Some("ping") => {
                let _ = out_tx.send(json!({"type": "pong"}).to_string()).await;
            }
            Some("user_message") => {
                let mut body = value.clone();
                if let Some(o) = body.as_object_mut() {
                    o.remove("type");
                }
                match serde_json::from_value::<ChatRequest>(body) {
                    Ok(req) => {
                        if work_tx.try_send(req).is_err() {
                            let _ = out_tx
                                .send(error_frame(
                                    "too_many_messages",
                                    "messages are arriving faster than they are answered; wait for the replies",
                                ))
                                .await;
                        }
                    }
                    Err(e) => {
                        let _ = out_tx
                            .send(error_frame("invalid_body", &e.to_string()))
                            .await;
                    }
                }
            }
            _ => {
                let _ = out_tx
                    .send(error_frame(
                        "invalid_body",
                        "expected {\"type\": \"user_message\", \"message\": …} or {\"type\": \"ping\"}",
                    ))
                    .await;
            }
        }
    }
    drop(work_tx);
    let _ = worker.await;
    drop(out_tx);
    let _ = writer.await;
}
