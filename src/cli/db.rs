//! `pasar import`, `pasar migrate` and `pasar handoffs`: the catalog into the store
//! (all-or-nothing, errors with line numbers), the schema up to date, and the
//! conversations waiting for a person.

use crate::catalog::import::read_file;
use crate::store::Store;
use std::path::Path;

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub fn import(file: &Path, url: &str) -> anyhow::Result<i32> {
    let catalog = match read_file(file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return Ok(1);
        }
    };
    runtime()?.block_on(async {
        let store = Store::open(url).await?;
        let n = store.import_catalog(&catalog).await?;
        let total = store.product_count().await?;
        println!(
            "imported {n} products from {} ({total} in the store)",
            file.display()
        );
        Ok(0)
    })
}

pub fn migrate(url: &str) -> anyhow::Result<i32> {
    runtime()?.block_on(async {
        Store::open(url).await?;
        println!("{url}: migrated");
        Ok(0)
    })
}

pub fn handoffs(status: &str, url: &str) -> anyhow::Result<i32> {
    runtime()?.block_on(async {
        let shop = crate::shop::Shop::new(Store::open(url).await?);
        let wanted = (status != "all").then_some(status);
        let list = shop.handoffs(wanted).await?;
        for h in &list {
            let when = time::OffsetDateTime::from_unix_timestamp(h.created_at / 1000)
                .map(|t| t.to_string())
                .unwrap_or_default();
            println!(
                "{}  {}  {:<13} {}  session {}{}  {:?}",
                h.id,
                when,
                h.reason,
                h.status,
                h.session_id,
                h.customer_id
                    .as_deref()
                    .map(|c| format!(" (customer {c})"))
                    .unwrap_or_default(),
                h.message
            );
        }
        println!(
            "{} handoff(s) {}",
            list.len(),
            if status == "all" { "in all" } else { status }
        );
        Ok(0)
    })
}
