//! Rate limits per session and per client address (`governor`'s keyed GCRA
//! limiters): a refused request gets 429 with `Retry-After`. Limits are per
//! replica.

use super::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// The limiters.
pub struct Limits {
    sessions: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new(session_per_minute: u32, address_per_minute: u32) -> Limits {
        Limits {
            sessions: RateLimiter::keyed(per_minute(session_per_minute)),
            addresses: RateLimiter::keyed(per_minute(address_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    pub fn check_address(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.addresses.check_key(&ip).map_err(|u| {
            ApiError::rate_limited(u.wait_time_from(self.clock.now()).as_secs().max(1))
        })
    }

    pub fn check_session(&self, session: &str) -> Result<(), ApiError> {
        self.sessions.check_key(&session.to_string()).map_err(|u| {
            ApiError::rate_limited(u.wait_time_from(self.clock.now()).as_secs().max(1))
        })
    }

    /// Forgets keys that are back to a full quota (bounded memory).
    pub fn retain_recent(&self) {
        self.sessions.retain_recent();
        self.addresses.retain_recent();
    }
}
