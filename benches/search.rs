//! Search over a synthetic 100k-product catalog: text plus price range plus colour
//! (the filtered path), text alone, and filters alone, against a baseline in the
//! same run: the same filtered search as one tantivy BooleanQuery with a RangeQuery
//! on a fast price field (`pasar::cli::baseline`).

use criterion::{black_box, Criterion};
use pasar::catalog::synthetic;
use pasar::content::Content;
use pasar::dialogue::act::request;
use pasar::dialogue::Assistant;
use pasar::extract::Constraints;
use pasar::lang::Currency;
use std::path::PathBuf;
use std::sync::Arc;

fn constraints(query: Option<&str>, filtered: bool) -> Constraints {
    Constraints {
        query: query.map(str::to_string),
        category: filtered.then(|| "shoes".to_string()),
        colors: if filtered {
            vec!["black".into()]
        } else {
            Vec::new()
        },
        price_min: filtered.then_some(200_000),
        price_max: filtered.then_some(800_000),
        currency: Some(Currency::Idr),
        ..Constraints::default()
    }
}

fn main() {
    let content = Arc::new(
        Content::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR"))).expect("the shipped content"),
    );
    let catalog = Arc::new(synthetic::generate(100_000, 42).expect("a synthetic catalog"));
    let assistant = Assistant::build(content, catalog).expect("an index");
    let shelf = &assistant.shelf;
    let mut c = Criterion::default().configure_from_args();
    let cases = [
        ("text+price+colour", constraints(Some("lari"), true)),
        ("text alone", constraints(Some("lari"), false)),
        ("filters alone", constraints(None, true)),
    ];
    for (name, cons) in cases {
        let req = request(&cons, shelf, Currency::Idr, 5, &[]);
        c.bench_function(&format!("search 100k: {name}"), |b| {
            b.iter(|| black_box(shelf.search(black_box(&req))))
        });
    }
    let naive = pasar::cli::baseline::NaiveIndex::build(shelf.catalog()).expect("a naive index");
    c.bench_function("search 100k: baseline, BooleanQuery + RangeQuery", |b| {
        b.iter(|| black_box(naive.search("lari", "shoes", "black", 200_000, 800_000)))
    });
    c.final_summary();
}
