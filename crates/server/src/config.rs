//! One typed configuration: defaults, then an optional TOML file, then the environment
//! (`FRONTDESK_<SETTING>` and `DATABASE_URL`).

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    pub bind: String,
    /// A second listener serving only `/metrics`, without a token: for a Prometheus on a
    /// private network (e.g. "127.0.0.1:9464"). Off by default.
    pub metrics_bind: Option<String>,
    /// Base URL the outside world uses to reach this server (webhook signatures use it).
    pub public_url: Option<String>,
    #[serde(deserialize_with = "list_or_csv")]
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    pub log_level: String,
    pub metrics_token: Option<SecretString>,
    /// Signs the links patients open without an account; without it one is derived from
    /// the encryption key (`secrets::link_secret`).
    pub link_secret: Option<SecretString>,
    pub body_limit_bytes: usize,
    /// Seconds a client has to send a request's headers; then the connection is closed.
    pub header_read_timeout_secs: u64,
    /// Seconds a client has to send a request's body; then it gets 408.
    pub body_read_timeout_secs: u64,
    pub rate_limit_enabled: bool,
    pub rate_limit_api_per_minute: u32,
    pub rate_limit_webhook_per_minute: u32,
    pub rate_limit_auth_failures_per_minute: u32,
    /// Share rate-limit counts with the other processes on the same database, so a limit
    /// holds for the deployment rather than per process.
    pub rate_limit_shared: bool,
    /// Milliseconds between two flushes of the shared counts (one statement each).
    pub rate_limit_flush_ms: u64,
    pub jobs_workers: usize,
    pub jobs_batch_size: u32,
    pub jobs_poll_interval_ms: u64,
    pub jobs_lease_secs: i64,
    pub jobs_backoff_base_secs: i64,
    pub jobs_backoff_max_secs: i64,
    pub shutdown_grace_secs: u64,
    /// On SIGTERM, seconds during which readiness answers 503 but new connections are
    /// still served, so a load balancer stops routing here before the listener closes.
    pub shutdown_delay_secs: u64,
    /// Lets provider downloads (patients' voice notes) reach private and loopback
    /// addresses. Only for tests and local mocks: in production a forged webhook could
    /// otherwise make the server fetch from inside its own network.
    pub allow_private_network: bool,
    /// The key provider secrets and TOTP seeds are encrypted with (base64, 32 bytes);
    /// `FRONTDESK_ENCRYPTION_KEY` in the environment.
    pub encryption_key: Option<SecretString>,
    /// A file holding that key instead (one line, base64).
    pub encryption_key_file: Option<std::path::PathBuf>,
    /// Earlier keys, still used to decrypt until `frontdesk secrets rotate` has re-encrypted
    /// everything: base64 keys separated by commas.
    pub encryption_old_keys: Option<SecretString>,
    /// OpenTelemetry: an OTLP/HTTP collector base URL (e.g. "http://127.0.0.1:4318") that
    /// receives every span as a trace. Off by default.
    pub otlp_endpoint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://frontdesk.db?mode=rwc".into(),
            database_max_connections: 16,
            bind: "127.0.0.1:8080".into(),
            metrics_bind: None,
            public_url: None,
            cors_origins: Vec::new(),
            log_format: LogFormat::Json,
            log_level: "info".into(),
            metrics_token: None,
            link_secret: None,
            body_limit_bytes: 1024 * 1024,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            rate_limit_enabled: true,
            rate_limit_api_per_minute: 100,
            rate_limit_webhook_per_minute: 1000,
            rate_limit_auth_failures_per_minute: 30,
            rate_limit_shared: true,
            rate_limit_flush_ms: 250,
            jobs_workers: 4,
            jobs_batch_size: 32,
            jobs_poll_interval_ms: 1000,
            jobs_lease_secs: 300,
            jobs_backoff_base_secs: 5,
            jobs_backoff_max_secs: 3600,
            shutdown_grace_secs: 30,
            shutdown_delay_secs: 0,
            allow_private_network: false,
            encryption_key: None,
            encryption_key_file: None,
            encryption_old_keys: None,
            otlp_endpoint: None,
        }
    }
}

/// Printed by `frontdesk config example`; a test keeps it equal to `Config::default()`.
pub const EXAMPLE: &str = r#"# Frontdesk configuration. Every setting can also be given in the environment as
# FRONTDESK_<NAME IN CAPITALS> (e.g. FRONTDESK_BIND), and the database as DATABASE_URL.
# Precedence: these defaults < this file (--config) < environment.

# sqlite://PATH?mode=rwc (embedded default) or postgres://user@host/db
database_url = "sqlite://frontdesk.db?mode=rwc"
# Pool size per process (PostgreSQL; SQLite uses one writer and four readers).
database_max_connections = 16
# Address the HTTP server listens on.
bind = "127.0.0.1:8080"
# Externally visible base URL, e.g. "https://frontdesk.example.com". Provider webhook
# signatures are computed over it; defaults to http://<bind>.
# public_url = "https://frontdesk.example.com"
# Browser origins allowed to call the API (CORS); none by default. A list, or in the
# environment a comma-separated string.
cors_origins = []
# "json" (one JSON object per line) or "pretty".
log_format = "json"
# A tracing filter: "info", "debug", "frontdesk_engine=debug,info"...
log_level = "info"
# Prometheus metrics. On the main listener GET /metrics needs
# "Authorization: Bearer <metrics_token>" and answers 404 without a configured token; a
# separate listener on a private address serves them without a token.
# metrics_token = "change-me"
# metrics_bind = "127.0.0.1:9464"
# Signs the links patients open without an account (the calendar file, the page to
# reschedule or cancel, the booking form, personal booking links). Without it, a secret is
# derived from the encryption key. Any long random string; changing it invalidates sent links.
# link_secret = "change-me-too"
# Largest accepted request body, in bytes.
body_limit_bytes = 1048576
# Slow clients: seconds to send a request's headers (then the connection is closed) and
# its body (then 408).
header_read_timeout_secs = 10
body_read_timeout_secs = 30
# Rate limits (requests per minute), each per route: per API key on the API, per client
# address on webhooks and public links, and requests with a missing or wrong API key per
# client address. Turn off for benchmarks.
rate_limit_enabled = true
rate_limit_api_per_minute = 100
rate_limit_webhook_per_minute = 1000
rate_limit_auth_failures_per_minute = 30
# Processes on one database share their counts through it (one statement per process
# every rate_limit_flush_ms), so the limits above hold for the whole deployment; a
# window may admit a little more, at most about processes x flush interval x request rate.
rate_limit_shared = true
rate_limit_flush_ms = 250
# Background job workers in this process, and jobs claimed per round trip.
jobs_workers = 4
jobs_batch_size = 32
# Idle workers look for due jobs at least this often; new jobs wake them sooner.
jobs_poll_interval_ms = 1000
# A claimed job is given back to the queue if its worker has not finished it by then.
jobs_lease_secs = 300
# Retry back-off: base * 2^(attempt-1), capped, with +-25% jitter.
jobs_backoff_base_secs = 5
jobs_backoff_max_secs = 3600
# On SIGTERM, how long in-flight requests and jobs may take to finish.
shutdown_grace_secs = 30
# On SIGTERM, seconds /health/ready answers 503 while new requests are still served, so a
# load balancer stops sending traffic before the listener closes (e.g. 5 behind one).
shutdown_delay_secs = 0
# Lets the server's own requests reach private and loopback addresses: provider base URLs
# (Twilio, Helena, VAPI, Ninsaúde, n8n, model servers) and downloads of patients' media.
# Off, a base URL must be https on a public host. Only for tests, local mocks or a model
# server on the clinic's own network; keep it false otherwise.
allow_private_network = false
# Provider credentials and staff TOTP seeds are stored encrypted (AES-256-GCM) with this
# key: 32 random bytes in base64 (`frontdesk secrets generate-key`), given here, in
# FRONTDESK_ENCRYPTION_KEY, or in a file (encryption_key_file). Without either, a SQLite
# database gets a key file generated beside it (<database>.key, mode 0600) on first
# start; PostgreSQL refuses to start without a key. To rotate: make the new key current,
# list the previous one(s) in encryption_old_keys (comma-separated), run
# `frontdesk secrets rotate`, then drop the old keys. See docs/security.md.
# encryption_key = "base64 of 32 bytes"
# encryption_key_file = "/etc/frontdesk/encryption.key"
# encryption_old_keys = "old key 1, old key 2"
# OpenTelemetry traces: the base URL of an OTLP/HTTP collector (spans are POSTed to
# <otlp_endpoint>/v1/traces as protobuf). Off when unset.
# otlp_endpoint = "http://127.0.0.1:4318"
"#;

impl Config {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            anyhow::ensure!(path.exists(), "config file {} does not exist", path.display());
            figment = figment.merge(Toml::file(path));
        }
        figment
            .merge(Env::prefixed("FRONTDESK_").ignore(&["TEST_POSTGRES_URL", "BENCH_POSTGRES_URL"]))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .extract()
            .context("invalid configuration")
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.bind))
    }
}

fn list_or_csv<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        Csv(String),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::List(v) => v,
        Raw::Csv(s) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn debug_eq(a: &Config, b: &Config) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn example_matches_defaults() {
        let parsed: Config = Figment::new().merge(Toml::string(EXAMPLE)).extract().unwrap();
        assert!(debug_eq(&parsed, &Config::default()), "{parsed:#?}");
        // Every setting is documented in the example.
        let debug = format!("{:?}", Config::default());
        for field in debug.split([',', '{']).filter_map(|p| p.split(':').next()).map(str::trim) {
            if !field.is_empty() && !field.starts_with("Config") {
                assert!(EXAMPLE.contains(field), "{field} missing from the example");
            }
        }
    }

    #[test]
    // figment's own test helper returns its large error type; nothing to shrink here.
    #[allow(clippy::result_large_err)]
    fn environment_overrides_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("f.toml", "bind = \"0.0.0.0:9000\"\njobs_workers = 2\n")?;
            jail.set_env("FRONTDESK_JOBS_WORKERS", "7");
            jail.set_env("FRONTDESK_CORS_ORIGINS", "https://a.example, https://b.example");
            jail.set_env("FRONTDESK_METRICS_TOKEN", "s3cret");
            jail.set_env("DATABASE_URL", "postgres://x@y/z");
            let c = Config::load(Some(Path::new("f.toml"))).unwrap();
            assert_eq!(c.bind, "0.0.0.0:9000");
            assert_eq!(c.jobs_workers, 7);
            assert_eq!(c.database_url, "postgres://x@y/z");
            assert_eq!(c.cors_origins, vec!["https://a.example", "https://b.example"]);
            assert_eq!(c.metrics_token.as_ref().unwrap().expose_secret(), "s3cret");
            assert!(!format!("{c:?}").contains("s3cret"), "secrets never print");
            Ok(())
        });
    }
}
