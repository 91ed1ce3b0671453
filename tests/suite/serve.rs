//! A real server on a port: the WebSocket protocol, and a graceful shutdown that
//! finishes the turn in flight and writes its chat history before returning.

use super::block_on;
use futures_util::{SinkExt, StreamExt};
use pasar::server::config::Settings;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

async fn next_json(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket is open")
            .expect("a frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).expect("JSON frames");
        }
    }
}

#[test]
fn websocket_turns_and_a_graceful_shutdown_that_keeps_the_history() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    let mut settings = Settings::defaults();
    settings.database_url = url.clone();
    block_on(async move {
        let app = pasar::server::start(settings)
            .await
            .expect("the server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(pasar::server::run(listener, app, async {
            let _ = stopped.await;
        }));

        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/ws"))
            .await
            .expect("the socket opens");
        ws.send(Message::Text(json!({"type": "ping"}).to_string().into()))
            .await
            .unwrap();
        assert_eq!(next_json(&mut ws).await["type"], "pong");
        ws.send(Message::Text(
            json!({"type": "user_message", "message": "tìm giày sneaker màu trắng dưới 1 triệu"})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        assert_eq!(next_json(&mut ws).await["type"], "ai_typing");
        let answer = next_json(&mut ws).await;
        assert_eq!(answer["type"], "ai_response", "{answer}");
        assert_eq!(answer["intent"], "product_search");
        assert_eq!(answer["products"][0]["currency"], "VND");
        let session = answer["session_id"].as_str().unwrap().to_string();
        ws.send(Message::Text("not json".into())).await.unwrap();
        let e = next_json(&mut ws).await;
        assert_eq!(
            (e["type"].as_str(), e["error"]["code"].as_str()),
            (Some("error"), Some("invalid_json"))
        );
        ws.send(Message::Text(
            json!({"type": "user_message", "message": ""})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        assert_eq!(next_json(&mut ws).await["type"], "ai_typing");
        assert_eq!(next_json(&mut ws).await["error"]["code"], "empty_message");

        // one more turn over HTTP, then stop: the server finishes and flushes
        let client = reqwest::Client::new();
        let r: Value = client
            .post(format!("http://{addr}/v1/chat"))
            .json(&json!({"session_id": session, "message": "có màu đen không"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["session_id"], session.as_str());
        drop(ws);
        stop.send(()).unwrap();
        server.await.unwrap().expect("a clean shutdown");

        let store = pasar::store::Store::open(&url).await.unwrap();
        let messages = store.messages(&session).await.unwrap();
        assert_eq!(messages.len(), 4, "both turns are written: {messages:?}");
        assert!(store.load_session(&session).await.unwrap().is_some());
    });
}
