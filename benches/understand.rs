//! Benchmarks of the understanding core: normalize, extract and classify of a
//! typical message, per stage and together, in each language. After criterion's
//! figures, a percentile run times every call of a mixed workload and prints p50
//! and p99 (criterion reports means of batches, not the tail of single calls).

use criterion::{black_box, Criterion};
use pasar::classify::Scratch;
use pasar::content::Content;
use pasar::lang::Lang;
use pasar::pipeline::{understand, Options};
use std::path::PathBuf;
use std::time::Instant;

/// Typical ten-word customer messages, as typed.
const MESSAGES: &[(&str, Lang)] = &[
    (
        "kak ada sepatu lari warna hitam ukuran 42 di bawah 500rb",
        Lang::Id,
    ),
    (
        "shop oi co giay nike mau trang size 40 duoi 1tr ko",
        Lang::Vi,
    ),
    (
        "do you have black running shoes in size 42 under 500k",
        Lang::En,
    ),
    (
        "yg kedua masukin keranjang ya kak 2 pasang ukuran 41",
        Lang::Id,
    ),
    ("đơn hàng của mình giao tới đâu rồi shop ơi", Lang::Vi),
];

fn content() -> Content {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Content::load(&root).unwrap_or_else(|e| panic!("content does not load:\n{e}"))
}

fn stages(c: &mut Criterion, content: &Content) {
    let (text, _) = MESSAGES[0];
    let msg = content.normalizer.normalize(text, None, None);
    let extraction = content.extractor.extract(&msg, false);
    let mut scratch = Scratch::default();
    let mut g = c.benchmark_group("stage");
    g.bench_function("normalize", |b| {
        b.iter(|| content.normalizer.normalize(black_box(text), None, None))
    });
    g.bench_function("extract", |b| {
        b.iter(|| content.extractor.extract(black_box(&msg), false))
    });
    g.bench_function("classify", |b| {
        b.iter(|| {
            content.classifier.classify(
                black_box(&msg),
                black_box(&extraction.classes),
                &mut scratch,
            )
        })
    });
    g.finish();
    let mut g = c.benchmark_group("understand");
    for (text, lang) in MESSAGES {
        let opts = Options {
            lang: None,
            hint: None,
            trace: false,
        };
        g.bench_function(format!("{}: {}", lang, &text[..text.len().min(24)]), |b| {
            b.iter(|| understand(content, black_box(text), opts, &mut scratch))
        });
    }
    g.finish();
}

/// Times every single call of a mixed workload and prints p50 / p99.
fn percentiles(content: &Content) {
    let mut scratch = Scratch::default();
    let opts = Options {
        lang: None,
        hint: None,
        trace: false,
    };
    for (text, _) in MESSAGES {
        understand(content, text, opts, &mut scratch);
    }
    let rounds = 20_000;
    let mut times: Vec<u64> = Vec::with_capacity(rounds * MESSAGES.len());
    for _ in 0..rounds {
        for (text, _) in MESSAGES {
            let t = Instant::now();
            black_box(understand(content, black_box(text), opts, &mut scratch));
            times.push(t.elapsed().as_nanos() as u64);
        }
    }
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
    println!(
        "understand (normalize+extract+classify+decide, no trace): calls={} p50_us={:.2} p99_us={:.2} max_us={:.2}",
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let content = content();
    let mut c = Criterion::default().configure_from_args();
    stages(&mut c, &content);
    c.final_summary();
    percentiles(&content);
}
