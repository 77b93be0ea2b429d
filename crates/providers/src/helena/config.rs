//! Connection settings for one Helena account.

use secrecy::SecretString;
use std::fmt;
use std::time::Duration;

/// Helena's API host; paths carry the service prefix (`/chat`, `/core`, `/crm`).
/// `api.wts.chat` and `api.flw.chat` are aliases of the same API.
pub const DEFAULT_BASE_URL: &str = "https://api.helena.run";

/// Per-request limit. Sends are asynchronous on Helena's side (they answer `PROCESSING`),
/// so a slow answer means trouble, and the job runner retries.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How to reach one Helena account.
#[derive(Clone)]
pub struct HelenaConfig {
    /// API root without a trailing slash; configurable so tests can point it at a mock.
    pub base_url: String,
    /// The permanent API token (`pn_...`), sent as `Authorization: Bearer ...`.
    pub token: SecretString,
    /// The clinic's channel number, used as `from` when a message names none. `None` lets
    /// Helena pick the account's channel.
    pub default_from: Option<String>,
    /// Limit for each HTTP request, connection included.
    pub timeout: Duration,
    /// Lets the base URL name a private or loopback address (local mocks, tests). A
    /// deployment setting, never a tenant's: see `crate::egress`.
    pub allow_private_network: bool,
}

impl HelenaConfig {
    /// Settings for the production API and the default timeout.
    pub fn new(token: SecretString) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token,
            default_from: None,
            timeout: DEFAULT_TIMEOUT,
            allow_private_network: false,
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    pub fn with_default_from(mut self, from: impl Into<String>) -> Self {
        self.default_from = Some(from.into());
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

impl fmt::Debug for HelenaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaConfig")
            .field("base_url", &self.base_url)
            .field("token", &"[redacted]")
            .field("default_from", &self.default_from.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_masking() {
        let config =
            HelenaConfig::new(SecretString::from("pn_supersecret")).with_default_from("+5511988887777");
        assert_eq!(config.base_url, "https://api.helena.run");
        let shown = format!("{config:?}");
        assert!(!shown.contains("pn_supersecret"), "{shown}");
        assert!(!shown.contains("988887777"), "{shown}");
    }
}
