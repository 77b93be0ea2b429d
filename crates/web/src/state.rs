use crate::ratelimit::RateLimits;
use frontdesk_engine::Ctx;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::SecretString;
use std::ops::Deref;
use std::sync::Arc;

/// The HTTP layer's share of the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Externally visible base URL; webhook signatures are computed over it.
    pub public_url: String,
    pub cors_origins: Vec<String>,
    pub body_limit_bytes: usize,
    /// How long a client may take to send a request body (then 408).
    pub body_read_timeout: std::time::Duration,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    pub rate_limit_enabled: bool,
    pub api_requests_per_minute: u32,
    pub webhook_requests_per_minute: u32,
    /// Requests with a missing or wrong API key, per client address.
    pub auth_failures_per_minute: u32,
    /// Share the counts with every process on the same database (see `ratelimit`);
    /// otherwise each process counts alone.
    pub rate_limit_shared: bool,
    /// How often shared counts are sent to the database and the totals learned.
    pub rate_limit_flush: std::time::Duration,
    /// Hashes limiter keys; processes sharing counts need the same one.
    pub rate_limit_hash_key: crate::ratelimit::HashKey,
    /// Cancelled when the process starts shutting down: readiness answers 503 from then
    /// on, and live-update streams end so connections drain without waiting for the grace
    /// period.
    pub draining: tokio_util::sync::CancellationToken,
    /// The newest migration this build knows; readiness requires the database to be at
    /// it (`None`: not checked).
    pub expected_schema_version: Option<i64>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            cors_origins: Vec::new(),
            body_limit_bytes: 1024 * 1024,
            body_read_timeout: std::time::Duration::from_secs(30),
            metrics_token: None,
            rate_limit_enabled: true,
            api_requests_per_minute: 100,
            webhook_requests_per_minute: 1000,
            auth_failures_per_minute: 30,
            rate_limit_shared: false,
            rate_limit_flush: std::time::Duration::from_millis(250),
            rate_limit_hash_key: crate::ratelimit::HashKey::random(),
            draining: tokio_util::sync::CancellationToken::new(),
            expected_schema_version: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub ctx: Ctx,
    pub config: WebConfig,
    pub limits: RateLimits,
    pub prometheus: PrometheusHandle,
}

impl AppState {
    pub fn new(ctx: Ctx, config: WebConfig) -> Self {
        let settings = crate::ratelimit::LimitSettings {
            enabled: config.rate_limit_enabled,
            api_per_minute: config.api_requests_per_minute,
            webhooks_per_minute: config.webhook_requests_per_minute,
            auth_failures_per_minute: config.auth_failures_per_minute,
            flush: config.rate_limit_flush,
            hash_key: &config.rate_limit_hash_key,
        };
        let limits = if config.rate_limit_shared {
            RateLimits::shared(&settings, ctx.store.clone())
        } else {
            RateLimits::new(&settings)
        };
        Self(Arc::new(Inner { ctx, config, limits, prometheus: crate::telemetry::prometheus() }))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
