//! Request rate limits, counted in this process (GCRA via `governor`); with N instances
//! behind a balancer the effective limit is up to N times the configured one.
//!
//! Every bucket is keyed by who is asking and which route (its template, never the raw
//! path, so `/leads/{id}` is one route and a percent-encoded path is no way around it):
//! - the API: (API key, route);
//! - webhooks and public links: (client IP, route), so a flood of unsigned requests from
//!   one address cannot use up the budget of the provider's genuine deliveries;
//! - failed authentication: client IP, so guessing keys is throttled too.
//!
//! Memory is bounded: buckets that have refilled are dropped regularly, and if distinct
//! keys still pile up beyond a cap the limiter starts afresh (forgetting counts is the
//! lesser harm than growing without end).

use crate::ApiError;
use crate::state::WebConfig;
use axum::extract::{ConnectInfo, MatchedPath, Request};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Buckets kept before a clean-up is forced.
const MAX_KEYS: usize = 100_000;
/// Checks between routine clean-ups.
const SWEEP_EVERY: u32 = 4096;

/// Who a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller<'a> {
    ApiKey(&'a str),
    /// A sign-in name (lower-cased e-mail).
    Account(&'a str),
    Ip(IpAddr),
}

/// One keyed limiter with bounded memory. Keys are hashed (with a per-process random
/// seed) so that each bucket costs the same few bytes whatever the key.
struct Limiter {
    quota: Quota,
    buckets: RwLock<DefaultKeyedRateLimiter<u64>>,
    hasher: RandomState,
    since_sweep: AtomicU32,
    max_keys: usize,
}

impl Limiter {
    fn new(per_minute: u32, max_keys: usize) -> Option<Self> {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute)?);
        Some(Self {
            quota,
            buckets: RwLock::new(RateLimiter::keyed(quota)),
            hasher: RandomState::new(),
            since_sweep: AtomicU32::new(0),
            max_keys,
        })
    }

    fn check(&self, caller: Caller<'_>, route: &str) -> Result<(), ApiError> {
        let key = self.hasher.hash_one((caller, route));
        let verdict = {
            let buckets = self.buckets.read().unwrap_or_else(|p| p.into_inner());
            buckets.check_key(&key)
        };
        if self.since_sweep.fetch_add(1, Ordering::Relaxed) >= SWEEP_EVERY {
            self.sweep();
        }
        verdict.map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::too_many_requests(wait.as_secs() + 1)
        })
    }

    /// Drops refilled buckets; starts afresh if the keys are still too many.
    fn sweep(&self) {
        self.since_sweep.store(0, Ordering::Relaxed);
        let mut buckets = self.buckets.write().unwrap_or_else(|p| p.into_inner());
        buckets.retain_recent();
        if buckets.len() > self.max_keys {
            *buckets = RateLimiter::keyed(self.quota);
        }
        buckets.shrink_to_fit();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

pub struct RateLimits {
    api: Option<Limiter>,
    webhooks: Option<Limiter>,
    auth_failures: Option<Limiter>,
    sign_in_per_ip: Option<Limiter>,
    sign_in_per_account: Option<Limiter>,
}

impl RateLimits {
    pub fn new(config: &WebConfig) -> Self {
        let limiter =
            |per_minute| config.rate_limit_enabled.then(|| Limiter::new(per_minute, MAX_KEYS)).flatten();
        Self {
            api: limiter(config.api_requests_per_minute),
            webhooks: limiter(config.webhook_requests_per_minute),
            auth_failures: limiter(config.auth_failures_per_minute),
            // Sign-in attempts: a few per account (guessing one person's password) and
            // more per address (a reception desk shares one).
            sign_in_per_ip: limiter(SIGN_IN_PER_IP_PER_MINUTE),
            sign_in_per_account: limiter(SIGN_IN_PER_ACCOUNT_PER_MINUTE),
        }
    }

    /// An authenticated API request.
    pub fn check_api(&self, key_prefix: &str, route: &str) -> Result<(), ApiError> {
        self.api.as_ref().map_or(Ok(()), |l| l.check(Caller::ApiKey(key_prefix), route))
    }

    /// A webhook delivery or public link, before its signature or token is checked.
    pub fn check_webhook(&self, ip: IpAddr, route: &str) -> Result<(), ApiError> {
        self.webhooks.as_ref().map_or(Ok(()), |l| l.check(Caller::Ip(ip), route))
    }

    /// A request whose credentials were missing or wrong: past the limit it gets 429
    /// instead of 401.
    pub fn check_auth_failure(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.auth_failures.as_ref().map_or(Ok(()), |l| l.check(Caller::Ip(ip), "auth"))
    }

    /// One sign-in attempt from `ip` for `email` (counted before the password is checked).
    pub fn check_sign_in(&self, ip: IpAddr, email: &str) -> Result<(), ApiError> {
        let account = email.trim().to_lowercase();
        self.sign_in_per_ip.as_ref().map_or(Ok(()), |l| l.check(Caller::Ip(ip), "sign-in"))?;
        self.sign_in_per_account.as_ref().map_or(Ok(()), |l| l.check(Caller::Account(&account), "sign-in"))
    }
}

const SIGN_IN_PER_IP_PER_MINUTE: u32 = 30;
const SIGN_IN_PER_ACCOUNT_PER_MINUTE: u32 = 5;

/// The route template of a request (`/api/v1/leads/{id}`), or a fixed name when none
/// matched, so unmatched paths share one bucket.
pub fn route_of(req: &Request) -> &str {
    req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str)
}

/// The peer address of the connection (the server is run with connect info). Requests
/// built in-process (tests through `oneshot`) have none and share one bucket.
pub fn client_ip(req: &Request) -> IpAddr {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The client's address as an extractor, for handlers that also read a body.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self(ip))
    }
}

/// Middleware for webhook routers: limits by client address and route template.
pub async fn webhook_limit(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, ApiError> {
    state.limits.check_webhook(client_ip(&req), route_of(&req))?;
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(enabled: bool) -> RateLimits {
        RateLimits::new(&WebConfig {
            rate_limit_enabled: enabled,
            api_requests_per_minute: 3,
            webhook_requests_per_minute: 2,
            auth_failures_per_minute: 2,
            ..WebConfig::default()
        })
    }

    const LEAD: &str = "/api/v1/leads/{id}";
    const TWILIO: &str = "/webhooks/twilio/{tenant}/messages";

    #[test]
    fn excess_gets_429_with_retry_after_per_key_and_route() {
        let l = limits(true);
        for _ in 0..3 {
            assert!(l.check_api("k1", LEAD).is_ok());
        }
        let err = l.check_api("k1", LEAD).unwrap_err();
        assert_eq!(err.status, 429);
        assert!(err.retry_after_secs.unwrap() >= 1);
        // Another key, or another route of the same key, has its own budget.
        assert!(l.check_api("k2", LEAD).is_ok());
        assert!(l.check_api("k1", "/api/v1/leads").is_ok());
    }

    #[test]
    fn webhooks_count_per_client_address() {
        let l = limits(true);
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let provider: IpAddr = "54.172.60.1".parse().unwrap();
        assert!(l.check_webhook(attacker, TWILIO).is_ok());
        assert!(l.check_webhook(attacker, TWILIO).is_ok());
        assert!(l.check_webhook(attacker, TWILIO).is_err());
        assert!(l.check_webhook(provider, TWILIO).is_ok(), "one address's flood does not block another");
    }

    #[test]
    fn failed_authentication_is_limited_per_address() {
        let l = limits(true);
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        assert!(l.check_auth_failure(ip).is_ok());
        assert!(l.check_auth_failure(ip).is_ok());
        assert_eq!(l.check_auth_failure(ip).unwrap_err().status, 429);
    }

    #[test]
    fn memory_stays_bounded_under_many_distinct_callers() {
        let limiter = Limiter::new(1000, 500).unwrap();
        for n in 0..20_000u32 {
            let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            let _ = limiter.check(Caller::Ip(ip), TWILIO);
        }
        // Sweeps run every SWEEP_EVERY checks; between them at most that many keys are added.
        assert!(limiter.len() <= 500 + SWEEP_EVERY as usize + 1, "{} buckets", limiter.len());
    }

    #[test]
    fn off_switch() {
        let l = limits(false);
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        for _ in 0..100 {
            assert!(l.check_api("k1", LEAD).is_ok());
            assert!(l.check_webhook(ip, TWILIO).is_ok());
            assert!(l.check_auth_failure(ip).is_ok());
        }
    }
}
