//! Chat history written off the hot path: a turn hands its records to a channel and
//! returns; one task drains the channel and writes whatever has queued up in one
//! transaction, so a burst of turns costs one commit instead of one each.

use super::{MessageRecord, Store};
use crate::dialogue::Session;
use tokio::sync::mpsc;

/// What one turn leaves to persist.
#[derive(Debug)]
pub struct TurnRecord {
    pub session: Session,
    pub customer: Option<String>,
    pub messages: Vec<MessageRecord>,
}

enum Job {
    Turn(Box<TurnRecord>),
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct HistoryWriter {
    tx: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl HistoryWriter {
    /// Starts the writing task on the current tokio runtime.
    pub fn start(store: Store) -> HistoryWriter {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut jobs = vec![first];
                while let Ok(more) = rx.try_recv() {
                    jobs.push(more);
                }
                let mut messages = Vec::new();
                let mut waiting = Vec::new();
                // the last state of each session is the one to keep
                let mut sessions: Vec<(Session, Option<String>)> = Vec::new();
                for job in jobs {
                    match job {
                        Job::Turn(t) => {
                            messages.extend(t.messages);
                            match sessions.iter_mut().find(|(s, _)| s.id == t.session.id) {
                                Some(slot) => *slot = (t.session, t.customer),
                                None => sessions.push((t.session, t.customer)),
                            }
                        }
                        Job::Flush(done) => waiting.push(done),
                    }
                }
                for (s, customer) in &sessions {
                    if let Err(e) = store.save_session(s, customer.as_deref()).await {
                        tracing::error!(error = %e, session = %s.id, "saving a session failed");
                    }
                }
                if let Err(e) = store.append_messages(&messages).await {
                    tracing::error!(error = %e, count = messages.len(), "writing chat history failed");
                }
                for w in waiting {
                    let _ = w.send(());
                }
            }
        });
        HistoryWriter { tx }
    }

    /// Queues a turn's records; never waits for the database.
    pub fn record(&self, turn: TurnRecord) {
        let _ = self.tx.send(Job::Turn(Box::new(turn)));
    }

    /// Waits until everything queued so far is written.
    pub async fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Job::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// The two messages of a turn: the customer's and the reply, with what pasar
/// understood and how long the turn took.
pub fn turn_messages(
    session_id: &str,
    text: &str,
    outcome: &crate::dialogue::TurnOutcome,
    latency_us: i64,
) -> Vec<MessageRecord> {
    let now = super::now_millis();
    let seq = i64::from(outcome.turn);
    let user = MessageRecord {
        id: uuid::Uuid::new_v4().to_string(),
        session_id: session_id.to_string(),
        seq,
        role: "user".into(),
        text: text.to_string(),
        intent: outcome.intent.map(|i| i.name().to_string()),
        confidence: Some(f64::from(outcome.confidence)),
        source: Some(outcome.source.as_str().to_string()),
        constraints: serde_json::to_string(&outcome.constraints).ok(),
        template: None,
        latency_us: Some(latency_us),
        created_at: now,
    };
    let reply = MessageRecord {
        id: uuid::Uuid::new_v4().to_string(),
        role: "assistant".into(),
        text: outcome.reply.text.clone(),
        intent: None,
        confidence: None,
        constraints: None,
        template: Some(outcome.template.clone()),
        ..user.clone()
    };
    vec![user, reply]
}
