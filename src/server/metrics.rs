//! Prometheus metrics (`prometheus-client`): turns by intent, source and language,
//! stage latency histograms, escalations, errors by code, rate-limited requests,
//! content reloads. `/metrics` renders them in the text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TurnLabels {
    pub intent: String,
    pub source: String,
    pub lang: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    pub stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabels {
    pub code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

fn seconds_histogram() -> Histogram {
    // 5 µs to ~2.6 s
    Histogram::new(exponential_buckets(0.000_005, 2.0, 20))
}

/// Every metric the service keeps.
pub struct Metrics {
    registry: Registry,
    pub turns: Family<TurnLabels, Counter>,
    pub stage_seconds: Family<StageLabels, Histogram, fn() -> Histogram>,
    pub turn_seconds: Histogram,
    pub escalations: Family<ReasonLabels, Counter>,
    pub errors: Family<CodeLabels, Counter>,
    pub rate_limited: Counter,
    pub reloads: Family<OutcomeLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("pasar");
        let turns = Family::<TurnLabels, Counter>::default();
        registry.register(
            "turns",
            "Turns answered, by intent, source and language",
            turns.clone(),
        );
        let stage_seconds =
            Family::<StageLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                seconds_histogram,
            );
        registry.register(
            "stage_seconds",
            "Time spent in each stage of a turn",
            stage_seconds.clone(),
        );
        let turn_seconds = seconds_histogram();
        registry.register(
            "turn_seconds",
            "Server time of a whole chat turn",
            turn_seconds.clone(),
        );
        let escalations = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "escalations",
            "Turns the rules could not answer, by reason",
            escalations.clone(),
        );
        let errors = Family::<CodeLabels, Counter>::default();
        registry.register("errors", "API errors, by code", errors.clone());
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit",
            rate_limited.clone(),
        );
        let reloads = Family::<OutcomeLabels, Counter>::default();
        registry.register("reloads", "Content reloads, by outcome", reloads.clone());
        Metrics {
            registry,
            turns,
            stage_seconds,
            turn_seconds,
            escalations,
            errors,
            rate_limited,
            reloads,
        }
    }
}

impl Metrics {
    /// The service's metrics and the LLM's (`pasar_llm_*`).
    pub fn with_llm(llm: &crate::llm::metrics::LlmMetrics) -> Metrics {
        let mut m = Metrics::default();
        llm.register(&mut m.registry);
        m
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    pub fn error(&self, code: &str) {
        self.errors
            .get_or_create(&CodeLabels { code: code.into() })
            .inc();
        if code == "rate_limited" {
            self.rate_limited.inc();
        }
    }

    pub fn reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "invalid" };
        self.reloads
            .get_or_create(&OutcomeLabels {
                outcome: outcome.into(),
            })
            .inc();
    }
}
