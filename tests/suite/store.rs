//! The store on both backends: the same checks on a fresh SQLite file and, when
//! `PASAR_TEST_POSTGRES_URL` is set, on PostgreSQL (a failure if it is set and the
//! server is unreachable; a one-line skip when it is not set).

use pasar::catalog::import::{parse, Format};
use pasar::dialogue::Session;
use pasar::store::history::{HistoryWriter, TurnRecord};
use pasar::store::{now_millis, MessageRecord, Store};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn message(session: &str, seq: i64, role: &str, text: &str) -> MessageRecord {
    MessageRecord {
        id: uuid::Uuid::new_v4().to_string(),
        session_id: session.to_string(),
        seq,
        role: role.to_string(),
        text: text.to_string(),
        intent: (role == "user").then(|| "product_search".to_string()),
        confidence: (role == "user").then_some(0.9),
        source: Some("rules".into()),
        constraints: Some("{\"category\":\"shoes\"}".into()),
        template: None,
        latency_us: Some(42),
        created_at: now_millis(),
        llm_provider: (role == "assistant").then(|| "fake".to_string()),
        llm_prompt_tokens: (role == "assistant").then_some(100),
        llm_completion_tokens: (role == "assistant").then_some(20),
    }
}

async fn exercise(store: &Store) {
    // sessions round-trip, history is written in order, deletion removes both
    let id = uuid::Uuid::new_v4().to_string();
    let mut session = Session::new(&id);
    session.turn = 2;
    session.search.category = Some("shoes".into());
    session.shown = vec!["shoe-0001".into()];
    let writer = HistoryWriter::start(store.clone());
    writer
        .record(TurnRecord {
            session: session.clone(),
            customer: Some("cust-1".into()),
            messages: vec![
                message(&id, 1, "user", "ada sepatu?"),
                message(&id, 1, "assistant", "Ada kak"),
            ],
        })
        .await;
    session.turn = 3;
    writer
        .record(TurnRecord {
            session: session.clone(),
            customer: Some("cust-1".into()),
            messages: vec![message(&id, 2, "user", "yang hitam")],
        })
        .await;
    writer.flush().await;
    // the reply's cost is kept and counted back (other runs share PostgreSQL)
    let used = store.llm_tokens_since(0).await.expect("tokens used");
    assert!(used >= 120, "{used}");
    let loaded = store
        .load_session(&id)
        .await
        .expect("load")
        .expect("a session");
    assert_eq!(loaded, session);
    let history = store.messages(&id).await.expect("messages");
    let texts: Vec<&str> = history.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["ada sepatu?", "Ada kak", "yang hitam"]);
    assert_eq!(history[0].confidence, Some(0.9));
    assert_eq!(history[1].llm_provider.as_deref(), Some("fake"));
    assert_eq!(history[1].llm_completion_tokens, Some(20));
    assert!(store.delete_session(&id).await.expect("delete"));
    assert!(store.load_session(&id).await.expect("load").is_none());
    assert!(store.messages(&id).await.expect("messages").is_empty());
    assert!(!store.delete_session(&id).await.expect("delete twice"));

    // the catalog goes in whole and comes back the same
    let tag = &id[..8];
    let json = format!(
        "{{\"products\": [{{\"id\": \"t-{tag}\", \"brand\": \"nike\", \"category\": \"shoes\", \
         \"name\": {{\"id\": \"Sepatu Uji\"}}, \"prices\": {{\"IDR\": 100000}}, \
         \"variants\": [{{\"sku\": \"t-{tag}-40\", \"size\": \"40\", \"stock\": 3}}]}}]}}"
    );
    let catalog = parse(&json, Format::Json, "test").expect("a valid catalog");
    assert_eq!(store.import_catalog(&catalog).await.expect("import"), 1);
    store
        .import_catalog(&catalog)
        .await
        .expect("importing again updates");
    let back = store.load_catalog().await.expect("load catalog");
    let p = back
        .get(&format!("t-{tag}"))
        .expect("the product is stored");
    assert_eq!(p, &catalog.products()[0]);
}

#[test]
fn store_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("pasar.db").display());
    runtime().block_on(async {
        let store = Store::open(&url).await.expect("open creates the file");
        exercise(&store).await;
        // migrating again is harmless
        store.migrate().await.expect("second migration");
    });
    assert!(dir.path().join("pasar.db").exists());
}

#[test]
fn store_on_postgres() {
    let Some(url) = std::env::var("PASAR_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipping store_on_postgres: PASAR_TEST_POSTGRES_URL is not set");
        return;
    };
    runtime().block_on(async {
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("PASAR_TEST_POSTGRES_URL is set but {e}"));
        exercise(&store).await;
    });
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let err = runtime()
        .block_on(Store::open("mysql://localhost/x"))
        .expect_err("mysql is not supported");
    assert!(err.to_string().contains("unsupported database URL"));
}
