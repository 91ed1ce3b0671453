//! `pasar test`: runs golden conversations (CONTRACT.md section 5) against the
//! content and catalog, prints one line per failed expectation, the per-intent
//! precision/recall and escalation rate, and `N passed, N failed`; writes JUnit and
//! JSON reports on request. Exit 1 when anything failed. The conversations run
//! against a private in-memory store holding the catalog.

use super::{load_assistant, CatalogFlags};
use crate::golden;
use crate::shop::Shop;
use std::path::PathBuf;

pub fn run(
    paths: Vec<PathBuf>,
    junit: Option<PathBuf>,
    json: Option<PathBuf>,
    now: &str,
    flags: CatalogFlags,
) -> anyhow::Result<i32> {
    let pinned = match now {
        "now" => None,
        t => Some(golden::parse_time(t).ok_or_else(|| {
            anyhow::anyhow!("--now {t:?} is not a time like 2026-11-22T12:00:00+07:00 (or `now`)")
        })?),
    };
    let paths = if paths.is_empty() {
        vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/conversations")]
    } else {
        paths
    };
    let files = golden::collect_files(&paths)?;
    let mut fixtures = Vec::new();
    for f in &files {
        fixtures.push(golden::read(f)?);
    }
    let assistant = load_assistant(flags)?;
    let runtime = super::db::runtime()?;
    // a private store: stock, carts and orders start from the catalog every run
    let mut shop = runtime.block_on(Shop::in_memory(assistant.shelf.catalog()))?;
    if let Some(t) = pinned {
        shop = shop.pinned_at(t);
    }
    let started = std::time::Instant::now();
    let report = runtime.block_on(golden::run(&assistant, &shop, &fixtures));
    let elapsed = started.elapsed();
    // the timing first, on stderr, so the closing line stays the last one
    eprintln!(
        "{} conversations, {} turns in {:.0} ms",
        report.conversations.len(),
        report.turns,
        elapsed.as_secs_f64() * 1000.0
    );
    println!("{}", report.text());
    if let Some(path) = junit {
        std::fs::write(&path, report.junit())?;
    }
    if let Some(path) = json {
        std::fs::write(&path, report.json())?;
    }
    Ok(if report.failed() == 0 { 0 } else { 1 })
}
