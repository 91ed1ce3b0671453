//! `pasar import` and `pasar migrate`: the catalog into the store (all-or-nothing,
//! errors with line numbers) and the schema up to date.

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
