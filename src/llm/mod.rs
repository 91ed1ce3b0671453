//! The LLM side of escalation (DESIGN.md "The LLM"): OpenAI-compatible providers
//! tried in order, each behind its own circuit breaker, with timeouts and retries
//! ([`client`]); the token budgets per session and per day; a `moka` cache of
//! validated answers; the validator that decides what the customer may see
//! ([`validate`]); and a scripted provider for tests ([`fake`]). The conversation
//! with tools is held by the dialogue (`dialogue::escalate`), which uses this.

pub mod breaker;
pub mod client;
pub mod fake;
pub mod metrics;
pub mod rules;
pub mod validate;

use breaker::{Breaker, BreakerState};
pub use client::{CallError, Completion, ProviderConfig, ToolSpec, Usage, WireMessage};
use metrics::{LlmMetrics, ProviderLabels, TokenLabels};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Consecutive failures that open a provider's breaker.
pub const BREAKER_THRESHOLD: u32 = 5;
/// How long an open breaker refuses calls before it lets a probe through.
pub const BREAKER_COOLDOWN: Duration = Duration::from_secs(30);

/// How the LLM is reached.
#[derive(Debug, Clone)]
pub struct LlmSettings {
    /// Tried in order.
    pub providers: Vec<ProviderConfig>,
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
}

impl LlmSettings {
    pub fn new(providers: Vec<ProviderConfig>) -> LlmSettings {
        LlmSettings {
            providers,
            breaker_threshold: BREAKER_THRESHOLD,
            breaker_cooldown: BREAKER_COOLDOWN,
        }
    }
}

#[derive(Debug)]
struct Provider {
    config: ProviderConfig,
    breaker: Breaker,
}

/// A validated answer kept for the same message in the same state.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedAnswer {
    pub text: String,
    pub products: Vec<String>,
    pub stored: Instant,
}

/// Why no provider answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Unanswered {
    /// Each provider tried (or skipped) and what went wrong.
    pub failures: Vec<(String, CallError)>,
}

impl Unanswered {
    /// The reason label: `breaker_open` when every breaker was open, else the
    /// last provider's failure.
    pub fn kind(&self) -> &'static str {
        self.failures
            .last()
            .map_or("no_provider", |(_, e)| e.kind())
    }
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .failures
            .iter()
            .map(|(p, e)| format!("{p}: {e}"))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// The shop's LLM: providers, breakers, the day's budget, the answer cache.
#[derive(Debug)]
pub struct Llm {
    http: reqwest::Client,
    providers: Vec<Provider>,
    cache: moka::sync::Cache<u64, Arc<CachedAnswer>>,
    /// (day number in the shop's clock, tokens used that day)
    day: Mutex<(i64, u64)>,
    pub metrics: LlmMetrics,
}

/// The day number of `now_ms` in the shop's clock (the day's budget resets at the
/// shop's midnight).
pub fn shop_day(offset: time::UtcOffset, now_ms: i64) -> i64 {
    (now_ms.div_euclid(1000) + i64::from(offset.whole_seconds())).div_euclid(86_400)
}

/// Unix milliseconds at which shop day `day` starts.
pub fn day_start(offset: time::UtcOffset, day: i64) -> i64 {
    (day * 86_400 - i64::from(offset.whole_seconds())) * 1000
}

/// Entries the answer cache holds at most.
const CACHE_ENTRIES: u64 = 10_000;

impl Llm {
    pub fn new(settings: LlmSettings) -> Llm {
        let metrics = LlmMetrics::default();
        let providers: Vec<Provider> = settings
            .providers
            .into_iter()
            .map(|config| Provider {
                config,
                breaker: Breaker::new(settings.breaker_threshold, settings.breaker_cooldown),
            })
            .collect();
        for p in &providers {
            metrics
                .breaker
                .get_or_create(&ProviderLabels {
                    provider: p.config.name.clone(),
                })
                .set(0);
        }
        Llm {
            // timeouts are per request (each provider has its own)
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(2))
                .build()
                .unwrap_or_default(),
            providers,
            cache: moka::sync::Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(Duration::from_secs(24 * 3600))
                .build(),
            day: Mutex::new((i64::MIN, 0)),
            metrics,
        }
    }

    /// The LLM for `providers`, with today's tokens counted again from the
    /// replies stored (a restart does not reset the day's budget).
    pub async fn open(
        providers: Vec<ProviderConfig>,
        store: &crate::store::Store,
        offset: time::UtcOffset,
        now_ms: i64,
    ) -> Llm {
        let llm = Llm::new(LlmSettings::new(providers));
        if llm.is_configured() {
            let day = shop_day(offset, now_ms);
            match store.llm_tokens_since(day_start(offset, day)).await {
                Ok(used) => llm.spend(day, used),
                Err(e) => tracing::warn!(error = %e, "today's LLM tokens could not be counted"),
            }
        }
        llm
    }

    /// No provider: every escalated turn is answered in fallback mode.
    pub fn disabled() -> Llm {
        Llm::new(LlmSettings::new(Vec::new()))
    }

    pub fn is_configured(&self) -> bool {
        !self.providers.is_empty()
    }

    pub fn provider_names(&self) -> Vec<String> {
        self.providers
            .iter()
            .map(|p| p.config.name.clone())
            .collect()
    }

    pub fn breaker_states(&self) -> Vec<(String, BreakerState)> {
        self.providers
            .iter()
            .map(|p| (p.config.name.clone(), p.breaker.state()))
            .collect()
    }

    fn show_breaker(&self, p: &Provider) {
        self.metrics
            .breaker
            .get_or_create(&ProviderLabels {
                provider: p.config.name.clone(),
            })
            .set(p.breaker.state().gauge());
    }

    /// One completion from the first provider that gives one.
    pub async fn complete(
        &self,
        messages: &[WireMessage],
        tools: &[ToolSpec],
        max_tokens: u32,
    ) -> Result<Completion, Unanswered> {
        let mut failures = Vec::new();
        for p in &self.providers {
            let name = &p.config.name;
            if !p.breaker.allow(Instant::now()) {
                self.metrics.call(name, "breaker_open");
                failures.push((name.clone(), CallError::BreakerOpen));
                continue;
            }
            self.show_breaker(p);
            let retried = |_: &CallError| {
                self.metrics
                    .retries
                    .get_or_create(&ProviderLabels {
                        provider: name.clone(),
                    })
                    .inc();
            };
            let result =
                client::complete(&self.http, &p.config, messages, tools, max_tokens, retried).await;
            match result {
                Ok(c) => {
                    p.breaker.succeeded();
                    self.show_breaker(p);
                    self.metrics.call(name, "ok");
                    for (kind, n) in [
                        ("prompt", c.usage.prompt_tokens),
                        ("completion", c.usage.completion_tokens),
                    ] {
                        self.metrics
                            .tokens
                            .get_or_create(&TokenLabels {
                                provider: name.clone(),
                                kind: kind.into(),
                            })
                            .inc_by(n);
                    }
                    return Ok(c);
                }
                Err(e) => {
                    p.breaker.failed(Instant::now());
                    self.show_breaker(p);
                    self.metrics.call(name, e.kind());
                    tracing::warn!(provider = %name, error = %e, "LLM call failed");
                    failures.push((name.clone(), e));
                }
            }
        }
        Err(Unanswered { failures })
    }

    /// Tokens used on `day` (a day number in the shop's clock).
    pub fn spent_on(&self, day: i64) -> u64 {
        let d = self.day.lock().unwrap_or_else(|p| p.into_inner());
        if d.0 == day {
            d.1
        } else {
            0
        }
    }

    /// Counts tokens against `day`'s budget (a new day starts from zero).
    pub fn spend(&self, day: i64, tokens: u64) {
        let mut d = self.day.lock().unwrap_or_else(|p| p.into_inner());
        if d.0 != day {
            *d = (day, 0);
        }
        d.1 = d.1.saturating_add(tokens);
    }

    /// A validated answer stored under `key` no longer than `max_age` ago.
    pub fn cached(&self, key: u64, max_age: Duration) -> Option<Arc<CachedAnswer>> {
        let hit = self
            .cache
            .get(&key)
            .filter(|a| a.stored.elapsed() <= max_age);
        if hit.is_some() {
            self.metrics.cache_hits.inc();
        }
        hit
    }

    pub fn remember(&self, key: u64, text: String, products: Vec<String>) {
        self.cache.insert(
            key,
            Arc::new(CachedAnswer {
                text,
                products,
                stored: Instant::now(),
            }),
        );
    }
}
