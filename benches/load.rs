//! A load generator for `pasar serve` on SQLite: the server runs in this process on
//! its own two-worker runtime (the same `start` + `run` as `pasar serve`, a
//! temporary SQLite file), the clients on another, so both share the machine's
//! cores as a separate load tool would. Each connection sends rule turns (searches,
//! product questions, policies, chit-chat in Indonesian and Vietnamese), starting a
//! new session every 20 turns. Prints turns per second, client-side p50/p99 and
//! errors per concurrency level, and the process's resident memory as the turns
//! go by.
//!
//! `cargo bench --bench load` (PASAR_LOAD_TURNS per level, default 100000;
//! PASAR_LOAD_CONNECTIONS, default "32,256").

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MESSAGES: &[&str] = &[
    "halo kak",
    "ada sepatu lari merah di bawah 500rb?",
    "yang hitam ada?",
    "yang kedua berapa?",
    "ongkirnya berapa ke surabaya",
    "tìm giày sneaker màu trắng dưới 1 triệu",
    "có màu đen không",
    "cái thứ 2 giá bao nhiêu",
    "shop có những hình thức thanh toán nào",
    "cari kaos polos putih ukuran L",
    "yang termurah dong",
    "hp samsung 2jtan ada?",
    "tai nghe bluetooth tầm 500k",
    "son lì giá rẻ",
    "chính sách đổi trả thế nào",
    "makasih kak",
];

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    // `cargo bench` passes --bench; any other argument is ignored
    let turns: u64 = std::env::var("PASAR_LOAD_TURNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let levels: Vec<usize> = std::env::var("PASAR_LOAD_CONNECTIONS")
        .unwrap_or_else(|_| "32,256".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut settings = pasar::server::config::Settings::defaults();
    settings.database_url = format!("sqlite://{}", dir.path().join("load.db").display());
    // the limits are for customers, not for this generator
    settings.session_per_minute = 1_000_000;
    settings.address_per_minute = 100_000_000;
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let addr = server_rt.block_on(async {
        let app = pasar::server::start(settings)
            .await
            .expect("the server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(pasar::server::run(listener, app, std::future::pending()));
        addr
    });
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "server on {addr}; {turns} turns per level; rss {:.0} MB at start",
        rss_mb()
    );
    for connections in levels {
        client_rt.block_on(level(addr, connections, turns));
    }
}

async fn level(addr: std::net::SocketAddr, connections: usize, turns: u64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("a client");
    let url = format!("http://{addr}/v1/chat");
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    // resident memory as the turns go by
    let sampler = {
        let next = next.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let done = next.load(Ordering::Relaxed).min(turns);
                // the last sample is taken after the run
                samples.push(format!("{}k:{:.0}MB", done / 1000, rss_mb()));
                if done >= turns {
                    break;
                }
            }
            samples
        })
    };
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (client, url, next, errors) =
            (client.clone(), url.clone(), next.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut session: Option<String> = None;
            let mut in_session = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= turns {
                    break;
                }
                let message = MESSAGES[(i as usize + c) % MESSAGES.len()];
                let body = match &session {
                    Some(s) => json!({"session_id": s, "message": message}),
                    None => json!({"message": message}),
                };
                let t = Instant::now();
                let r = client.post(&url).json(&body).send().await;
                match r {
                    Ok(resp) if resp.status().is_success() => match resp.json::<Value>().await {
                        Ok(v) => {
                            latencies.push(t.elapsed().as_micros() as u64);
                            in_session += 1;
                            session = if in_session >= 20 {
                                in_session = 0;
                                None
                            } else {
                                v["session_id"].as_str().map(str::to_string)
                            };
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    },
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Vec::with_capacity(turns as usize);
    for t in tasks {
        all.extend(t.await.expect("a client task"));
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_unstable();
    println!(
        "load connections={connections} turns={} turns_per_s={:.0} p50_ms={:.2} p99_ms={:.2} errors={} rss_mb={:.0}",
        all.len(),
        all.len() as f64 / secs,
        percentile(&all, 0.5) as f64 / 1000.0,
        percentile(&all, 0.99) as f64 / 1000.0,
        errors.load(Ordering::Relaxed),
        rss_mb()
    );
    print_samples(&sampler.await.unwrap_or_default());
}

/// Prints the memory samples of a level (turns done: resident MB).
fn print_samples(samples: &[String]) {
    println!("  rss over the run: {}", samples.join(" "));
}
