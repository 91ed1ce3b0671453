//! A circuit breaker per provider. Closed, calls go through and consecutive
//! failures are counted; at `threshold` it opens and calls are refused at once (the
//! turn falls back without waiting on a provider known to be down). After
//! `cooldown` it lets one probe through (half-open): a success closes it, a failure
//! opens it again for another cooldown.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    /// The gauge value in `/metrics`: 0 closed, 1 open, 2 half-open.
    pub fn gauge(self) -> i64 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    failures: u32,
    opened_at: Option<Instant>,
    probing: bool,
}

#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                failures: 0,
                opened_at: None,
                probing: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // the state is a few plain fields: a panic elsewhere cannot leave it torn
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// May a call go out now? In half-open state only one probe at a time may.
    pub fn allow(&self, now: Instant) -> bool {
        let mut s = self.lock();
        match s.state {
            BreakerState::Closed => true,
            BreakerState::Open => {
                if s.opened_at
                    .is_some_and(|t| now.duration_since(t) >= self.cooldown)
                {
                    s.state = BreakerState::HalfOpen;
                    s.probing = true;
                    true
                } else {
                    false
                }
            }
            BreakerState::HalfOpen if !s.probing => {
                s.probing = true;
                true
            }
            BreakerState::HalfOpen => false,
        }
    }

    pub fn succeeded(&self) {
        let mut s = self.lock();
        s.state = BreakerState::Closed;
        s.failures = 0;
        s.opened_at = None;
        s.probing = false;
    }

    pub fn failed(&self, now: Instant) {
        let mut s = self.lock();
        s.failures = s.failures.saturating_add(1);
        s.probing = false;
        if s.state == BreakerState::HalfOpen || s.failures >= self.threshold {
            s.state = BreakerState::Open;
            s.opened_at = Some(now);
        }
    }

    pub fn state(&self) -> BreakerState {
        self.lock().state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_probes_after_the_cooldown() {
        let b = Breaker::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        for _ in 0..2 {
            assert!(b.allow(t0));
            b.failed(t0);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        b.failed(t0);
        assert_eq!(b.state(), BreakerState::Open);
        assert!(!b.allow(t0 + Duration::from_secs(9)));
        // one probe, and only one
        assert!(b.allow(t0 + Duration::from_secs(10)));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(!b.allow(t0 + Duration::from_secs(10)));
        // the probe fails: open for another cooldown
        b.failed(t0 + Duration::from_secs(11));
        assert_eq!(b.state(), BreakerState::Open);
        assert!(!b.allow(t0 + Duration::from_secs(20)));
        assert!(b.allow(t0 + Duration::from_secs(21)));
        b.succeeded();
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.allow(t0 + Duration::from_secs(21)));
    }

    #[test]
    fn a_success_resets_the_count() {
        let b = Breaker::new(2, Duration::from_secs(1));
        let t = Instant::now();
        b.failed(t);
        b.succeeded();
        b.failed(t);
        assert_eq!(b.state(), BreakerState::Closed);
    }
}
