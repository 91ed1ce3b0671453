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
            content
                .classifier
                .classify(black_box(&msg), black_box(&extraction), &mut scratch)
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

/// The baseline measured in the same run: only the cheap evidence — one
/// aho-corasick automaton over every lexicon phrase and keyword of the language,
/// and the language's `RegexSet` of patterns — run over the lower-cased message.
struct Baseline {
    automaton: aho_corasick::AhoCorasick,
    patterns: regex::bytes::RegexSet,
    phrases: usize,
}

impl Baseline {
    fn new(content: &Content, lang: Lang) -> Baseline {
        let mut phrases: Vec<String> = content.extractor.langs[lang.index()]
            .gazetteer
            .entries
            .iter()
            .map(|e| e.phrase.to_lowercase())
            .collect();
        let model = &content.classifier.langs[lang.index()];
        phrases.extend(model.keywords.iter().map(|k| k.phrase.to_lowercase()));
        let automaton = aho_corasick::AhoCorasick::new(&phrases).expect("phrases");
        let patterns =
            regex::bytes::RegexSetBuilder::new(model.patterns.iter().map(|p| p.source.as_str()))
                .unicode(false)
                .build()
                .expect("patterns");
        Baseline {
            automaton,
            patterns,
            phrases: phrases.len(),
        }
    }

    fn run(&self, text: &str) -> usize {
        let lower = text.to_lowercase();
        self.automaton.find_overlapping_iter(&lower).count()
            + self.patterns.matches(lower.as_bytes()).iter().count()
    }
}

fn quantiles(mut times: Vec<u64>) -> (f64, f64, f64) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
    (at(0.5), at(0.99), at(1.0))
}

/// Times every single call of a mixed workload and prints p50 / p99, for the
/// pipeline and for the baseline, interleaved so both see the same machine.
fn percentiles(content: &Content) {
    let baselines: Vec<Baseline> = Lang::ALL
        .iter()
        .map(|l| Baseline::new(content, *l))
        .collect();
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
    let mut base: Vec<u64> = Vec::with_capacity(rounds * MESSAGES.len());
    for _ in 0..rounds {
        for (text, lang) in MESSAGES {
            let t = Instant::now();
            black_box(understand(content, black_box(text), opts, &mut scratch));
            times.push(t.elapsed().as_nanos() as u64);
            let t = Instant::now();
            black_box(baselines[lang.index()].run(black_box(text)));
            base.push(t.elapsed().as_nanos() as u64);
        }
    }
    let (p50, p99, max) = quantiles(times);
    let (b50, b99, _) = quantiles(base);
    println!(
        "baseline (aho-corasick over {} phrases + RegexSet of {} patterns, id): p50_us={b50:.2} p99_us={b99:.2}",
        baselines[0].phrases,
        content.classifier.langs[0].patterns.len()
    );
    println!(
        "understand (normalize+extract+classify+decide, no trace): calls={} p50_us={p50:.2} p99_us={p99:.2} max_us={max:.2} ratio_p50={:.1}x",
        rounds * MESSAGES.len(),
        p50 / b50
    );
}

fn main() {
    let content = content();
    let mut c = Criterion::default().configure_from_args();
    stages(&mut c, &content);
    c.final_summary();
    percentiles(&content);
}
