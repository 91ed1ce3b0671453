//! Chat history written off the hot path: a turn hands its records to a channel and
//! returns; one task drains the channel and writes whatever has queued up in one
//! transaction of multi-row statements, so a burst of turns costs one commit
//! instead of one each. The channel is bounded: when the database cannot keep up,
//! turns wait for room instead of memory growing without end.

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
    tx: mpsc::Sender<Job>,
}

/// Turns that may wait for the writer before a turn waits for room.
pub const QUEUE: usize = 4096;

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl HistoryWriter {
    /// Starts the writing task on the current tokio runtime.
    pub fn start(store: Store) -> HistoryWriter {
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
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
                let mut at: std::collections::HashMap<String, usize> = Default::default();
                for job in jobs {
                    match job {
                        Job::Turn(t) => {
                            messages.extend(t.messages);
                            match at.get(&t.session.id) {
                                Some(&i) => sessions[i] = (t.session, t.customer),
                                None => {
                                    at.insert(t.session.id.clone(), sessions.len());
                                    sessions.push((t.session, t.customer));
                                }
                            }
                        }
                        Job::Flush(done) => waiting.push(done),
                    }
                }
                let count = messages.len();
                if let Err(e) = store.save_turns(&sessions, messages).await {
                    tracing::error!(error = %e, sessions = sessions.len(), messages = count, "writing chat history failed");
                }
                for w in waiting {
                    let _ = w.send(());
                }
            }
        });
        HistoryWriter { tx }
    }

    /// Queues a turn's records; waits only when [`QUEUE`] turns are already
    /// waiting for the database.
    pub async fn record(&self, turn: TurnRecord) {
        let _ = self.tx.send(Job::Turn(Box::new(turn))).await;
    }

    /// Waits until everything queued so far is written.
    pub async fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Job::Flush(tx)).await.is_ok() {
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
    // time-ordered ids: new rows go to the end of the primary key's B-tree
    let user = MessageRecord {
        id: uuid::Uuid::now_v7().to_string(),
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
        llm_provider: None,
        llm_prompt_tokens: None,
        llm_completion_tokens: None,
    };
    let reply = MessageRecord {
        id: uuid::Uuid::now_v7().to_string(),
        role: "assistant".into(),
        text: outcome.reply.text.clone(),
        intent: None,
        confidence: None,
        constraints: None,
        template: Some(outcome.template.clone()),
        llm_provider: outcome.llm.as_ref().map(|l| l.provider.clone()),
        llm_prompt_tokens: outcome.llm.as_ref().map(|l| l.prompt_tokens as i64),
        llm_completion_tokens: outcome.llm.as_ref().map(|l| l.completion_tokens as i64),
        ..user.clone()
    };
    vec![user, reply]
}
