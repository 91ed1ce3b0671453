//! Shared helpers: the shipped content, loaded once, and a one-call `understand`.

mod check;
mod cli;
mod commerce;
mod conversation;
mod crossval;
mod e2e;
mod external;
mod golden;
mod http;
mod llm;
mod props;
mod serve;
mod store;
mod understanding;

use pasar::classify::Scratch;
use pasar::content::Content;
use pasar::lang::Lang;
use pasar::pipeline::{understand, Options, Understanding};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped content, compiled once for the whole test binary.
pub fn content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| match Content::load(&repo_root()) {
        Ok(c) => c,
        Err(e) => panic!("the shipped content does not load:\n{e}"),
    })
}

/// The shipped content and the demo store, indexed once for the whole binary.
pub fn assistant() -> &'static pasar::dialogue::Assistant {
    static ASSISTANT: OnceLock<pasar::dialogue::Assistant> = OnceLock::new();
    ASSISTANT.get_or_init(|| {
        let content = Content::load(&repo_root()).expect("the shipped content");
        let catalog = pasar::catalog::import::read_file(&pasar::catalog::demo_catalog_path())
            .expect("the demo store");
        pasar::dialogue::Assistant::build(
            std::sync::Arc::new(content),
            std::sync::Arc::new(catalog),
        )
        .expect("an index")
    })
}

/// One runtime for the whole binary: stores opened in it serve every test thread.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

/// A fresh in-memory store holding the demo catalog: each test's own stock.
pub fn shop() -> pasar::shop::Shop {
    block_on(pasar::shop::Shop::in_memory(assistant().shelf.catalog())).expect("an in-memory shop")
}

/// Plays messages in one session of `a` against `shop`.
pub fn play_with(
    a: &pasar::dialogue::Assistant,
    shop: &pasar::shop::Shop,
    session: &mut pasar::dialogue::Session,
    messages: &[&str],
) -> Vec<pasar::dialogue::TurnOutcome> {
    let mut scratch = pasar::dialogue::TurnScratch::default();
    messages
        .iter()
        .map(|m| block_on(a.turn(shop, session, m, None, true, &mut scratch)))
        .collect()
}

/// The Indonesian names (lower case) of what a search for `c` lists first.
pub fn found_names(
    a: &pasar::dialogue::Assistant,
    c: &pasar::extract::Constraints,
    limit: usize,
) -> Vec<String> {
    use pasar::lang::Currency;
    let req = pasar::dialogue::act::request(c, &a.shelf, Currency::Idr, limit, &[]);
    a.shelf
        .search(&req)
        .hits
        .iter()
        .map(|&i| {
            a.shelf.catalog().products()[i as usize]
                .name
                .get(Lang::Id)
                .to_lowercase()
        })
        .collect()
}

pub fn understand_in(text: &str, lang: Option<Lang>) -> Understanding {
    let mut scratch = Scratch::default();
    understand(
        content(),
        text,
        Options {
            lang,
            hint: None,
            trace: true,
        },
        &mut scratch,
    )
}

/// Copies the shipped content folders into a fresh temporary folder, for tests
/// that break one file on purpose.
pub fn content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for folder in ["intents", "lexicons", "rules", "templates"] {
        copy_dir(&repo_root().join(folder), &dir.path().join(folder));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let p = entry.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&p, to.join(entry.file_name())).expect("copy file");
        }
    }
}

/// The folder of external data when `PASAR_EXTERNAL_DATA` is set; `None` (after a
/// one-line message) when it is not. Set but missing is a failure, not a skip.
pub fn external_data(test: &str) -> Option<PathBuf> {
    match std::env::var_os("PASAR_EXTERNAL_DATA") {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            assert!(
                p.is_dir(),
                "PASAR_EXTERNAL_DATA={} is not a folder",
                p.display()
            );
            Some(p)
        }
        _ => {
            eprintln!("skipping {test}: PASAR_EXTERNAL_DATA is not set");
            None
        }
    }
}
