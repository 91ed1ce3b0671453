//! What the LLM side reports to `/metrics`: calls by provider and outcome, retries,
//! tokens, each provider's breaker state, answers cached, and why escalated turns
//! ended in fallback mode.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub provider: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TokenLabels {
    pub provider: String,
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProviderLabels {
    pub provider: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FallbackLabels {
    pub reason: String,
}

/// The LLM's metrics; cheap to clone (the counters are shared).
#[derive(Clone, Debug, Default)]
pub struct LlmMetrics {
    pub calls: Family<CallLabels, Counter>,
    pub retries: Family<ProviderLabels, Counter>,
    pub tokens: Family<TokenLabels, Counter>,
    pub breaker: Family<ProviderLabels, Gauge>,
    pub cache_hits: Counter,
    pub answers: Family<FallbackLabels, Counter>,
    pub fallbacks: Family<FallbackLabels, Counter>,
}

impl LlmMetrics {
    /// Registers every metric under `llm_` in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        let r = registry.sub_registry_with_prefix("llm");
        r.register(
            "calls",
            "Chat-completion calls, by provider and outcome",
            self.calls.clone(),
        );
        r.register(
            "retries",
            "Calls retried after a 429 or 5xx, by provider",
            self.retries.clone(),
        );
        r.register(
            "tokens",
            "Tokens used, by provider and kind (prompt, completion)",
            self.tokens.clone(),
        );
        r.register(
            "breaker_state",
            "Each provider's circuit breaker: 0 closed, 1 open, 2 half-open",
            self.breaker.clone(),
        );
        r.register(
            "cache_hits",
            "Escalated turns answered from the cache of validated answers",
            self.cache_hits.clone(),
        );
        r.register(
            "answers",
            "Escalated turns the LLM answered, by how (validated, repaired, cached)",
            self.answers.clone(),
        );
        r.register(
            "fallbacks",
            "Escalated turns answered in fallback mode, by reason",
            self.fallbacks.clone(),
        );
    }

    pub fn call(&self, provider: &str, outcome: &str) {
        self.calls
            .get_or_create(&CallLabels {
                provider: provider.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    pub fn fallback(&self, reason: &str) {
        self.fallbacks
            .get_or_create(&FallbackLabels {
                reason: reason.into(),
            })
            .inc();
    }

    pub fn answered(&self, how: &str) {
        self.answers
            .get_or_create(&FallbackLabels { reason: how.into() })
            .inc();
    }
}
