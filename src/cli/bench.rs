//! `pasar bench` (CONTRACT.md section 8): indexes a synthetic catalog of `--products`
//! products, plays `--turns` deterministic turns of scripted conversations in
//! Indonesian and Vietnamese (normalize to rendered reply, no database write), and
//! prints per-stage p50/p99, a filtered-search microbenchmark against a naive
//! baseline, what queueing chat history costs a turn, and the closing line
//! `bench products=N turns=N p50_us=X p99_us=X turns_per_s=X index_ms=X rss_mb=X`.

use super::load_content;
use crate::catalog::synthetic;
use crate::dialogue::act::request;
use crate::dialogue::{Assistant, Session, Source, TurnScratch};
use crate::extract::Constraints;
use crate::intent::{Intent, IntentGroup};
use crate::lang::Currency;
use crate::shop::Shop;
use crate::store::history::{turn_messages, HistoryWriter, TurnRecord};
use crate::store::Store;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Scripted conversations: searches with text, price and colour, refinements,
/// ordinals, a policy detour, the cart.
pub const SCRIPT: &[&[&str]] = &[
    &[
        "halo kak",
        "ada sepatu lari merah di bawah 500rb?",
        "yang hitam ada?",
        "yang kedua berapa?",
        "ongkirnya berapa ke surabaya",
        "masukin keranjang yang pertama ukuran 42",
    ],
    &[
        "chào shop",
        "tìm giày sneaker màu trắng dưới 1 triệu",
        "có màu đen không",
        "cái thứ 2 giá bao nhiêu",
        "shop có những hình thức thanh toán nào",
        "cảm ơn shop",
    ],
    &[
        "cari kaos polos putih ukuran L",
        "yang termurah dong",
        "hp samsung 2jtan ada?",
        "bandingin yang pertama sama kedua",
        "lihat keranjang",
    ],
    &[
        "tai nghe bluetooth tầm 500k",
        "balo laptop màu xanh navy",
        "son lì giá rẻ",
        "chính sách đổi trả thế nào",
    ],
];

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn rss_mb() -> f64 {
    // the peak resident set size, from /proc on Linux
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

pub fn run(
    products: usize,
    turns: usize,
    content_dir: Option<PathBuf>,
    cart_databases: &[String],
) -> anyhow::Result<i32> {
    let content = Arc::new(load_content(content_dir)?);
    let catalog = Arc::new(synthetic::generate(products, 42)?);
    let started = Instant::now();
    let assistant = Assistant::build(content.clone(), catalog)?;
    let index_ms = started.elapsed().as_secs_f64() * 1000.0;
    let runtime = super::db::runtime()?;
    // the scripted cart turns reserve in an in-memory store holding the catalog
    let started = Instant::now();
    let shop = runtime.block_on(Shop::in_memory(assistant.shelf.catalog()))?;
    let store_ms = started.elapsed().as_secs_f64() * 1000.0;

    // whole turns
    let mut scratch = TurnScratch::default();
    let mut whole: Vec<u64> = Vec::with_capacity(turns);
    let (mut rule_turns, mut store_turns): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let mut stages: BTreeMap<&'static str, Vec<u64>> = BTreeMap::new();
    let lines: Vec<(usize, &str)> = SCRIPT
        .iter()
        .enumerate()
        .flat_map(|(c, conv)| conv.iter().map(move |m| (c, *m)))
        .collect();
    let mut session = Session::new("bench-0");
    let mut last_conv = usize::MAX;
    let run_started = Instant::now();
    for i in 0..turns {
        let (conv, text) = lines[i % lines.len()];
        if conv != last_conv {
            session = Session::new(format!("bench-{i}"));
            last_conv = conv;
        }
        let t = Instant::now();
        let out =
            runtime.block_on(assistant.turn(&shop, &mut session, text, None, false, &mut scratch));
        whole.push(t.elapsed().as_nanos() as u64);
        // cart, voucher, checkout and order turns go to the store
        if out.intent.is_some_and(|i| {
            i.group() == IntentGroup::Cart || matches!(i, Intent::OrderStatus | Intent::OrderCancel)
        }) {
            store_turns.push(t.elapsed().as_nanos() as u64);
        } else {
            rule_turns.push(t.elapsed().as_nanos() as u64);
        }
        for s in &out.trace {
            stages.entry(s.stage).or_default().push(s.nanos);
        }
    }
    let run_secs = run_started.elapsed().as_secs_f64();

    // chat history: what a turn adds to the hot path (queueing its records), and
    // how fast the writer task drains them into a SQLite file in batches
    let history_turns = turns.min(5_000);
    let db = std::env::temp_dir().join(format!("pasar-bench-{}.db", std::process::id()));
    let (enqueue_ns, drain_secs) = runtime.block_on(async {
        let store = Store::open(&format!("sqlite://{}", db.display())).await?;
        let writer = HistoryWriter::start(store);
        let mut enqueue: Vec<u64> = Vec::with_capacity(history_turns);
        let mut session = Session::new("bench-history");
        let started = Instant::now();
        for i in 0..history_turns {
            let (_, text) = lines[i % lines.len()];
            let out = assistant
                .turn(&shop, &mut session, text, None, false, &mut scratch)
                .await;
            let t = Instant::now();
            writer
                .record(TurnRecord {
                    session: session.clone(),
                    customer: None,
                    messages: turn_messages(&session.id, text, &out, 0),
                })
                .await;
            enqueue.push(t.elapsed().as_nanos() as u64);
        }
        writer.flush().await;
        anyhow::Ok((enqueue, started.elapsed().as_secs_f64()))
    })?;
    let _ = std::fs::remove_file(&db);

    // the filtered search alone: text + price range + colour
    let queries = [
        // the words left after the category is taken out, as a turn would have them
        ("lari", "shoes", "black", 200_000, 800_000),
        ("polos", "t-shirts", "white", 50_000, 200_000),
        ("bluetooth", "headphones", "black", 100_000, 1_000_000),
        ("laptop", "backpacks", "navy", 100_000, 900_000),
        ("sepatu sneakers", "shoes", "white", 150_000, 1_000_000),
        ("gaming", "laptops", "black", 5_000_000, 20_000_000),
    ];
    let rules = &assistant.content.dialogue;
    let mut search_ns: Vec<u64> = Vec::new();
    let mut per_query: Vec<Vec<u64>> = vec![Vec::new(); queries.len()];
    for i in 0..turns.max(1000) {
        let (q, cat, color, min, max) = queries[i % queries.len()];
        let c = Constraints {
            query: Some(q.to_string()),
            category: Some(cat.to_string()),
            colors: vec![color.to_string()],
            price_min: Some(min),
            price_max: Some(max),
            currency: Some(Currency::Idr),
            ..Constraints::default()
        };
        let req = request(
            &c,
            &assistant.shelf,
            Currency::Idr,
            rules.results_shown,
            &[],
        );
        let t = Instant::now();
        let found = assistant.shelf.search(&req);
        search_ns.push(t.elapsed().as_nanos() as u64);
        per_query[i % queries.len()].push(t.elapsed().as_nanos() as u64);
        std::hint::black_box(found);
    }

    // the same searches the straightforward way, as a baseline
    let naive = super::baseline::NaiveIndex::build(assistant.shelf.catalog())?;
    let mut naive_ns: Vec<u64> = Vec::new();
    for i in 0..turns.max(1000) {
        let (q, cat, color, min, max) = queries[i % queries.len()];
        let word = q.split_whitespace().last().unwrap_or(q);
        let t = Instant::now();
        let n = naive.search(word, cat, color, min as u64, max as u64);
        naive_ns.push(t.elapsed().as_nanos() as u64);
        std::hint::black_box(n);
    }

    let us = |ns: u64| ns as f64 / 1000.0;
    println!("{:<10} {:>10} {:>10}", "stage", "p50_us", "p99_us");
    for (stage, mut v) in stages {
        v.sort_unstable();
        println!(
            "{stage:<10} {:>10.2} {:>10.2}",
            us(percentile(&v, 0.5)),
            us(percentile(&v, 0.99))
        );
    }
    search_ns.sort_unstable();
    println!(
        "{:<10} {:>10.2} {:>10.2}   (text + price range + colour, {} searches)",
        "search",
        us(percentile(&search_ns, 0.5)),
        us(percentile(&search_ns, 0.99)),
        search_ns.len()
    );
    for (q, mut v) in queries.iter().zip(per_query) {
        v.sort_unstable();
        println!(
            "  {:<8} {:>10.2} {:>10.2}   ({} in {}, {} colour, price range)",
            "",
            us(percentile(&v, 0.5)),
            us(percentile(&v, 0.99)),
            q.0,
            q.1,
            q.2
        );
    }
    naive_ns.sort_unstable();
    println!(
        "{:<10} {:>10.2} {:>10.2}   (baseline: BooleanQuery + RangeQuery on a fast price field; shelf p50 is {:.1}x faster)",
        "naive",
        us(percentile(&naive_ns, 0.5)),
        us(percentile(&naive_ns, 0.99)),
        percentile(&naive_ns, 0.5) as f64 / percentile(&search_ns, 0.5).max(1) as f64
    );
    let mut enqueue_ns = enqueue_ns;
    enqueue_ns.sort_unstable();
    println!(
        "{:<10} {:>10.2} {:>10.2}   (queueing a turn's history; {} turns and their {} messages written to SQLite in {:.2} s)",
        "history",
        us(percentile(&enqueue_ns, 0.5)),
        us(percentile(&enqueue_ns, 0.99)),
        history_turns,
        history_turns * 2,
        drain_secs
    );
    println!(
        "{:<10} {:>10.0}   (importing the catalog into an in-memory SQLite store, ms)",
        "store", store_ms
    );
    let tmp = std::env::temp_dir().join(format!("pasar-bench-cart-{}.db", std::process::id()));
    let mut databases = vec![format!("sqlite://{}", tmp.display())];
    databases.extend(cart_databases.iter().cloned());
    for url in &databases {
        let (mut add, mut view) =
            runtime.block_on(cart_turns(content.clone(), url, turns.min(2_000)))?;
        add.sort_unstable();
        view.sort_unstable();
        let shown = url.split('@').next_back().unwrap_or(url);
        println!(
            "{:<10} {:>10.2} {:>10.2}   (a cart turn: add the first result, reserve, reply; {})",
            "cart_add",
            us(percentile(&add, 0.5)),
            us(percentile(&add, 0.99)),
            shown
        );
        println!(
            "{:<10} {:>10.2} {:>10.2}   (the cart read and priced; {})",
            "cart_view",
            us(percentile(&view, 0.5)),
            us(percentile(&view, 0.99)),
            shown
        );
    }
    let _ = std::fs::remove_file(&tmp);
    // memory after the scripted turns (the fake provider below keeps every request)
    let rss = rss_mb();
    let (mut none, mut open, mut fake) =
        runtime.block_on(escalated_turns(&assistant, &shop, turns.clamp(200, 5_000)))?;
    none.sort_unstable();
    let baseline = percentile(&none, 0.5).max(1) as f64;
    for (name, v, what) in [
        (
            "fallback",
            &mut none,
            "escalated turns, no LLM configured: the baseline",
        ),
        (
            "breaker",
            &mut open,
            "escalated turns, the provider down and its breaker open",
        ),
        (
            "llm_fake",
            &mut fake,
            "escalated turns answered by an in-process fake provider: pasar's LLM path without a model",
        ),
    ] {
        v.sort_unstable();
        println!(
            "{:<10} {:>10.2} {:>10.2}   ({what}; p50 {:.2}x the baseline)",
            name,
            us(percentile(v, 0.5)),
            us(percentile(v, 0.99)),
            percentile(v, 0.5) as f64 / baseline
        );
    }
    for (what, v) in [
        ("rule turns", &mut rule_turns),
        ("store turns", &mut store_turns),
    ] {
        v.sort_unstable();
        println!(
            "{:<10} {:>10.2} {:>10.2}   ({what}: {} of the scripted turns{})",
            what.split(' ').next().unwrap_or(what),
            us(percentile(v, 0.5)),
            us(percentile(v, 0.99)),
            v.len(),
            if what == "store turns" {
                ", cart and orders in the in-memory store"
            } else {
                ", no store access"
            }
        );
    }
    whole.sort_unstable();
    println!(
        "bench products={products} turns={turns} p50_us={:.1} p99_us={:.1} turns_per_s={:.0} index_ms={:.0} rss_mb={:.1}",
        us(percentile(&whole, 0.5)),
        us(percentile(&whole, 0.99)),
        turns as f64 / run_secs.max(1e-9),
        index_ms,
        rss
    );
    Ok(0)
}

/// Messages the rules are unsure of, numbered so no two are the same (a validated
/// answer would otherwise come from the cache).
const UNSURE: &[&str] = &[
    "kak aku mau lari pagi tapi bingung pake apa yg enak",
    "chị muốn đi chạy bộ buổi sáng mà không biết mặc gì cho êm",
    "bikinin puisi cinta dong kak",
    "em ơi viết giúp anh bài thơ tình",
];

/// Times `n` escalated turns three ways: with no LLM (the baseline), with the only
/// provider down and its breaker open, and answered by a fake provider.
async fn escalated_turns(
    assistant: &Assistant,
    shop: &Shop,
    n: usize,
) -> anyhow::Result<(Vec<u64>, Vec<u64>, Vec<u64>)> {
    use crate::llm::fake::{FakeProvider, Step};
    use crate::llm::{Llm, LlmSettings, ProviderConfig};
    let mut scratch = TurnScratch::default();
    let none = assistant.clone().with_llm(Arc::new(Llm::disabled()));
    // a port nothing listens on: every call is refused, the first opens the breaker
    let mut down = ProviderConfig::new("down", "http://127.0.0.1:9/v1", "none");
    down.retries = 0;
    let mut settings = LlmSettings::new(vec![down]);
    settings.breaker_threshold = 1;
    let open = assistant.clone().with_llm(Arc::new(Llm::new(settings)));
    let fake = FakeProvider::start(Vec::new()).await?;
    let answered = assistant
        .clone()
        .with_llm(Arc::new(Llm::new(LlmSettings::new(vec![
            ProviderConfig::new("fake", &fake.base_url(), "scripted"),
        ]))));
    let mut session = Session::new("bench-escalated-warmup");
    open.turn(shop, &mut session, UNSURE[0], None, false, &mut scratch)
        .await;
    let mut times = [
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    ];
    for i in 0..n {
        let text = format!("{} {}", UNSURE[i % UNSURE.len()], i + 2);
        let reply = if (i % UNSURE.len()).is_multiple_of(2) {
            "Boleh kak, aku bantu carikan ya. Mau cari sepatu, baju atau tas?"
        } else {
            "Dạ em giúp anh/chị tìm nhé. Anh/chị muốn xem giày, quần áo hay túi ạ?"
        };
        fake.push([Step::reply(reply)]);
        let ways = [
            (&none, Source::Fallback),
            (&open, Source::Fallback),
            (&answered, Source::Llm),
        ];
        // each way goes first in turn: none profits from the others warming up
        for j in 0..ways.len() {
            let k = (i + j) % ways.len();
            let (a, want) = ways[k];
            let mut session = Session::new(format!("bench-escalated-{k}-{i}"));
            let t = Instant::now();
            let out = a
                .turn(shop, &mut session, &text, None, false, &mut scratch)
                .await;
            times[k].push(t.elapsed().as_nanos() as u64);
            anyhow::ensure!(
                out.source == want,
                "{text:?} was answered by {:?}, not {want:?}: {}",
                out.source,
                out.reply.text
            );
        }
    }
    let [none, open, answered] = times;
    Ok((none, open, answered))
}

/// Times cart turns against the store at `url`: in each of `n` fresh sessions a
/// search, then "add the first one" (timed: the reservation and the reply) and "show
/// the cart" (timed), then the cart is emptied (untimed) so stock lasts.
async fn cart_turns(
    content: Arc<crate::content::Content>,
    url: &str,
    n: usize,
) -> anyhow::Result<(Vec<u64>, Vec<u64>)> {
    let store = Store::open(url).await?;
    let catalog = synthetic::generate(2_000, 7)?;
    store.import_catalog(&catalog).await?;
    let assistant = Assistant::build(content, Arc::new(store.load_catalog().await?))?;
    let shop = Shop::new(store);
    let mut scratch = TurnScratch::default();
    let (mut add, mut view) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let run = uuid::Uuid::new_v4().simple().to_string();
    for i in 0..n {
        let mut session = Session::new(format!("bench-cart-{run}-{i}"));
        let search = if i % 2 == 0 {
            "cari kaos polos"
        } else {
            "tìm giày sneaker"
        };
        assistant
            .turn(&shop, &mut session, search, None, false, &mut scratch)
            .await;
        let t = Instant::now();
        let out = assistant
            .turn(
                &shop,
                &mut session,
                "masukin keranjang yang pertama",
                Some(crate::lang::Lang::Id),
                false,
                &mut scratch,
            )
            .await;
        add.push(t.elapsed().as_nanos() as u64);
        anyhow::ensure!(
            out.cart.items == 1,
            "the cart turn did not add: {}",
            out.reply.text
        );
        let t = Instant::now();
        assistant
            .turn(
                &shop,
                &mut session,
                "lihat keranjang",
                Some(crate::lang::Lang::Id),
                false,
                &mut scratch,
            )
            .await;
        view.push(t.elapsed().as_nanos() as u64);
        shop.clear_cart(&session.owner(), crate::store::now_millis())
            .await?;
    }
    Ok((add, view))
}
