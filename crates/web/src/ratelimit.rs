//! Request rate limits. Each process decides every request itself (GCRA via `governor`,
//! which also smooths bursts); when the processes share a database they also share
//! per-minute counts through it (`shared`), so the configured limit holds for the whole
//! deployment, not per process, without a database round trip per request.
//!
//! Every bucket is keyed by who is asking and which route (its template, never the raw
//! path, so `/leads/{id}` is one route and a percent-encoded path is no way around it):
//! - the API: (API key, route);
//! - webhooks and public links: (client IP, route), so a flood of unsigned requests from
//!   one address cannot use up the budget of the provider's genuine deliveries;
//! - failed authentication: client IP, so guessing keys is throttled too.
//!
//! Keys are a keyed hash (HMAC-SHA-256 with a secret every process shares) of the limit,
//! the caller and the route: the same in every process, and no address or key prefix is
//! stored in the database.
//!
//! Memory is bounded: buckets that have refilled are dropped regularly, and if distinct
//! keys still pile up beyond a cap the limiter starts afresh (forgetting counts is the
//! lesser harm than growing without end).

mod shared;

pub use shared::WINDOW_SECS;

use crate::ApiError;
use axum::extract::{ConnectInfo, MatchedPath, Request};
use frontdesk_store::RateCounterStore;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use shared::SharedCounts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};

/// Buckets kept before a clean-up is forced.
const MAX_KEYS: usize = 100_000;
/// Checks between routine clean-ups.
const SWEEP_EVERY: u32 = 4096;

/// Who a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller<'a> {
    ApiKey(&'a str),
    /// A sign-in name (lower-cased e-mail), or a phone number booking online.
    Account(&'a str),
    Ip(IpAddr),
}

/// The secret limiter keys are hashed with. Processes sharing counts must use the same
/// one (the server derives it from the encryption key); a process alone can use a random
/// one.
#[derive(Clone)]
pub struct HashKey(Arc<[u8; 32]>);

impl HashKey {
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Arc::new(bytes))
    }

    pub fn random() -> Self {
        let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let mut bytes = [0; 32];
        bytes[..16].copy_from_slice(a.as_bytes());
        bytes[16..].copy_from_slice(b.as_bytes());
        Self::new(bytes)
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(redacted)")
    }
}

/// Turns (limit, caller, route) into a stable 64-bit key.
struct KeyHasher(Hmac<Sha256>);

impl KeyHasher {
    fn new(key: &HashKey) -> Self {
        Self(<Hmac<Sha256> as KeyInit>::new_from_slice(key.0.as_slice()).expect("HMAC takes any key length"))
    }

    fn key(&self, limit: &str, caller: Caller<'_>, route: &str) -> u64 {
        let mut mac = self.0.clone();
        let ip_bytes;
        let (kind, who): (&[u8], &[u8]) = match caller {
            Caller::ApiKey(k) => (b"key", k.as_bytes()),
            Caller::Account(a) => (b"account", a.as_bytes()),
            Caller::Ip(ip) => {
                ip_bytes = match ip {
                    IpAddr::V4(v4) => v4.octets().to_vec(),
                    IpAddr::V6(v6) => v6.octets().to_vec(),
                };
                (b"ip", &ip_bytes)
            }
        };
        // Length-prefixed parts: no two different tuples hash the same bytes.
        for part in [limit.as_bytes(), kind, who, route.as_bytes()] {
            mac.update(&(part.len() as u32).to_be_bytes());
            mac.update(part);
        }
        let digest = mac.finalize().into_bytes();
        u64::from_be_bytes(digest[..8].try_into().expect("SHA-256 is 32 bytes"))
    }
}

/// One keyed limiter with bounded memory.
struct Limiter {
    /// Names the limit in its keys, so two limits never share a count.
    name: &'static str,
    per_minute: u32,
    quota: Quota,
    buckets: RwLock<DefaultKeyedRateLimiter<u64>>,
    hasher: Arc<KeyHasher>,
    shared: Option<Arc<SharedCounts>>,
    since_sweep: AtomicU32,
    max_keys: usize,
}

impl Limiter {
    fn new(
        name: &'static str,
        per_minute: u32,
        max_keys: usize,
        hasher: Arc<KeyHasher>,
        shared: Option<Arc<SharedCounts>>,
    ) -> Option<Self> {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute)?);
        Some(Self {
            name,
            per_minute,
            quota,
            buckets: RwLock::new(RateLimiter::keyed(quota)),
            hasher,
            shared,
            since_sweep: AtomicU32::new(0),
            max_keys,
        })
    }

    fn check(&self, caller: Caller<'_>, route: &str) -> Result<(), ApiError> {
        let key = self.hasher.key(self.name, caller, route);
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
        })?;
        // Accepted here; the deployment's count for this window decides too.
        match &self.shared {
            Some(shared) => {
                shared.admit(key, self.per_minute, shared::unix_now()).map_err(ApiError::too_many_requests)
            }
            None => Ok(()),
        }
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
    online_booking_per_ip: Option<Limiter>,
    online_booking_per_phone: Option<Limiter>,
}

/// What the limits are built from: the rate-limit part of the web configuration.
pub struct LimitSettings<'a> {
    pub enabled: bool,
    pub api_per_minute: u32,
    pub webhooks_per_minute: u32,
    /// Requests with a missing or wrong API key, per client address.
    pub auth_failures_per_minute: u32,
    /// How often shared counts are sent to the database and the totals learned.
    pub flush: std::time::Duration,
    pub hash_key: &'a HashKey,
}

impl RateLimits {
    /// Limits counted in this process only.
    pub fn new(config: &LimitSettings<'_>) -> Self {
        Self::build(config, None)
    }

    /// Limits whose counts are also shared through `store` with every process using the
    /// same database, flushed every `config.flush` (on the current runtime).
    pub fn shared(config: &LimitSettings<'_>, store: Arc<dyn RateCounterStore>) -> Self {
        if !config.enabled {
            return Self::new(config);
        }
        let counts = Arc::new(SharedCounts::new(store, MAX_KEYS));
        shared::spawn_flusher(&counts, config.flush);
        Self::build(config, Some(counts))
    }

    fn build(config: &LimitSettings<'_>, shared: Option<Arc<SharedCounts>>) -> Self {
        let hasher = Arc::new(KeyHasher::new(config.hash_key));
        let limiter = |name, per_minute| {
            config
                .enabled
                .then(|| Limiter::new(name, per_minute, MAX_KEYS, hasher.clone(), shared.clone()))
                .flatten()
        };
        Self {
            api: limiter("api", config.api_per_minute),
            webhooks: limiter("webhooks", config.webhooks_per_minute),
            auth_failures: limiter("auth-failures", config.auth_failures_per_minute),
            // Sign-in attempts: a few per account (guessing one person's password) and
            // more per address (a reception desk shares one).
            sign_in_per_ip: limiter("sign-in-ip", SIGN_IN_PER_IP_PER_MINUTE),
            sign_in_per_account: limiter("sign-in-account", SIGN_IN_PER_ACCOUNT_PER_MINUTE),
            // Bookings from the public page: a family at one address books a few, a
            // script is stopped; per phone, a few tries (a typo, a taken slot).
            online_booking_per_ip: limiter("online-booking-ip", ONLINE_BOOKINGS_PER_IP_PER_MINUTE),
            online_booking_per_phone: limiter("online-booking-phone", ONLINE_BOOKINGS_PER_PHONE_PER_MINUTE),
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

    /// One booking attempt from the public page, from `ip` for `phone` (E.164), counted
    /// before anything is booked.
    pub fn check_online_booking(&self, ip: IpAddr, phone: &str) -> Result<(), ApiError> {
        self.online_booking_per_ip.as_ref().map_or(Ok(()), |l| l.check(Caller::Ip(ip), "online-booking"))?;
        self.online_booking_per_phone
            .as_ref()
            .map_or(Ok(()), |l| l.check(Caller::Account(phone), "online-booking"))
    }
}

const SIGN_IN_PER_IP_PER_MINUTE: u32 = 30;
const ONLINE_BOOKINGS_PER_IP_PER_MINUTE: u32 = 10;
const ONLINE_BOOKINGS_PER_PHONE_PER_MINUTE: u32 = 3;
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
        RateLimits::new(&LimitSettings {
            enabled,
            api_per_minute: 3,
            webhooks_per_minute: 2,
            auth_failures_per_minute: 2,
            flush: std::time::Duration::from_millis(250),
            hash_key: &HashKey::random(),
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
        let hasher = Arc::new(KeyHasher::new(&HashKey::random()));
        let limiter = Limiter::new("test", 1000, 500, hasher, None).unwrap();
        for n in 0..20_000u32 {
            let ip = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            let _ = limiter.check(Caller::Ip(ip), TWILIO);
        }
        // Sweeps run every SWEEP_EVERY checks; between them at most that many keys are added.
        assert!(limiter.len() <= 500 + SWEEP_EVERY as usize + 1, "{} buckets", limiter.len());
    }

    #[test]
    fn keys_are_the_same_in_every_process_with_the_same_secret_and_only_then() {
        let secret = HashKey::new([7; 32]);
        let (here, there) = (KeyHasher::new(&secret), KeyHasher::new(&secret));
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        let key = here.key("webhooks", Caller::Ip(ip), TWILIO);
        assert_eq!(key, there.key("webhooks", Caller::Ip(ip), TWILIO));
        assert_ne!(key, KeyHasher::new(&HashKey::new([8; 32])).key("webhooks", Caller::Ip(ip), TWILIO));
        assert_ne!(key, here.key("auth-failures", Caller::Ip(ip), TWILIO), "each limit counts apart");
        assert_ne!(key, here.key("webhooks", Caller::Ip(ip), LEAD));
        // Parts are length-prefixed: moving bytes between them makes another key.
        assert_ne!(here.key("api", Caller::ApiKey("ab"), "c"), here.key("api", Caller::ApiKey("a"), "bc"));
        assert_ne!(here.key("api", Caller::ApiKey("x"), LEAD), here.key("api", Caller::Account("x"), LEAD));
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
