//! Request rate limits: per API key on the API, per path on webhooks. Counted in this
//! process (GCRA via `governor`); with N instances behind a balancer the effective limit
//! is up to N times the configured one.

use crate::ApiError;
use crate::state::WebConfig;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct RateLimits {
    api: Option<DefaultKeyedRateLimiter<String>>,
    webhooks: Option<DefaultKeyedRateLimiter<String>>,
}

fn limiter(enabled: bool, per_minute: u32) -> Option<DefaultKeyedRateLimiter<String>> {
    let per_minute = NonZeroU32::new(per_minute)?;
    enabled.then(|| RateLimiter::keyed(Quota::per_minute(per_minute)))
}

fn check(limiter: &Option<DefaultKeyedRateLimiter<String>>, key: &str) -> Result<(), ApiError> {
    let Some(limiter) = limiter else { return Ok(()) };
    limiter.check_key(&key.to_owned()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::too_many_requests(wait.as_secs() + 1)
    })
}

impl RateLimits {
    pub fn new(config: &WebConfig) -> Self {
        Self {
            api: limiter(config.rate_limit_enabled, config.api_requests_per_minute),
            webhooks: limiter(config.rate_limit_enabled, config.webhook_requests_per_minute),
        }
    }

    pub fn check_api_key(&self, key_prefix: &str) -> Result<(), ApiError> {
        check(&self.api, key_prefix)
    }

    pub fn check_webhook(&self, path: &str) -> Result<(), ApiError> {
        check(&self.webhooks, path)
    }
}

/// Middleware for webhook routers: limits by request path (provider and tenant).
pub async fn webhook_limit(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, ApiError> {
    state.limits.check_webhook(req.uri().path())?;
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
            ..WebConfig::default()
        })
    }

    #[test]
    fn excess_gets_429_with_retry_after() {
        let l = limits(true);
        for _ in 0..3 {
            assert!(l.check_api_key("k1").is_ok());
        }
        let err = l.check_api_key("k1").unwrap_err();
        assert_eq!(err.status, 429);
        assert!(err.retry_after_secs.unwrap() >= 1);
        // Keys are counted apart.
        assert!(l.check_api_key("k2").is_ok());
        assert!(l.check_webhook("/webhooks/a").is_ok());
        assert!(l.check_webhook("/webhooks/a").is_ok());
        assert!(l.check_webhook("/webhooks/a").is_err());
        assert!(l.check_webhook("/webhooks/b").is_ok());
    }

    #[test]
    fn off_switch() {
        let l = limits(false);
        for _ in 0..100 {
            assert!(l.check_api_key("k1").is_ok());
            assert!(l.check_webhook("/webhooks/a").is_ok());
        }
    }
}
