//! Connection settings for one VAPI organisation.

use secrecy::SecretString;
use std::fmt;
use std::time::Duration;

/// VAPI's REST API root.
pub const DEFAULT_BASE_URL: &str = "https://api.vapi.ai";

/// Per-request limit. Calls are placed from jobs, so a hung request only needs to fail in
/// time for the job's lease; a create that timed out is retried by the job runner.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How to reach and authenticate against VAPI.
#[derive(Clone)]
pub struct VapiConfig {
    /// The organisation's private API key, sent as `Authorization: Bearer`.
    pub api_key: SecretString,
    /// API root without a trailing slash; configurable so tests can point it at a mock.
    pub base_url: String,
    /// Limit for each HTTP request, connection included.
    pub timeout: Duration,
    /// Lets the base URL name a private or loopback address (local mocks, tests). A
    /// deployment setting, never a tenant's: see `crate::egress`.
    pub allow_private_network: bool,
}

impl VapiConfig {
    /// Settings for the production API and the default timeout.
    pub fn new(api_key: SecretString) -> Self {
        Self {
            api_key,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            allow_private_network: false,
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    pub fn with_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl fmt::Debug for VapiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapiConfig")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_masking() {
        let config = VapiConfig::new(SecretString::from("vapi-key-very-secret"));
        assert_eq!(config.base_url, "https://api.vapi.ai");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        let config = config.with_base_url("http://127.0.0.1:1").with_timeout(Duration::from_secs(2));
        let shown = format!("{config:?}");
        assert!(!shown.contains("vapi-key-very-secret"), "{shown}");
        assert!(shown.contains("127.0.0.1"), "{shown}");
    }
}
