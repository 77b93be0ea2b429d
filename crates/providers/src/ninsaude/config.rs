//! Connection settings for one Ninsaúde account.

use secrecy::SecretString;
use std::fmt;
use std::time::Duration;

/// Ninsaúde's production API root.
pub const DEFAULT_BASE_URL: &str = "https://api.ninsaude.com/v1";

/// Per-request limit. A booking conversation waits on these calls, so a hung upstream
/// must turn into a clear "unreachable" quickly rather than stall the patient.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How to reach and log in to one clinic's Ninsaúde account.
#[derive(Clone)]
pub struct NinsaudeConfig {
    /// API root without a trailing slash; configurable so tests can point it at a mock.
    pub base_url: String,
    /// The clinic's account name (`account` in the token request).
    pub account: String,
    /// The integration user's login.
    pub username: String,
    pub password: SecretString,
    /// The clinic unit (`accountUnit` / `accountUnidade`) that slots and bookings belong to.
    pub account_unit: u32,
    /// Limit for each HTTP request, connection included.
    pub timeout: Duration,
    /// Lets the base URL name a private or loopback address (local mocks, tests). A
    /// deployment setting, never a tenant's: see `crate::egress`.
    pub allow_private_network: bool,
}

impl NinsaudeConfig {
    /// Settings for the production API, unit 1 and the default timeout.
    pub fn new(account: impl Into<String>, username: impl Into<String>, password: SecretString) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            account: account.into(),
            username: username.into(),
            password,
            account_unit: 1,
            timeout: DEFAULT_TIMEOUT,
            allow_private_network: false,
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    pub fn with_account_unit(mut self, account_unit: u32) -> Self {
        self.account_unit = account_unit;
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

impl fmt::Debug for NinsaudeConfig {
    // The username is often a staff e-mail address, and no e-mail may reach a log line;
    // the password never does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NinsaudeConfig")
            .field("base_url", &self.base_url)
            .field("account", &self.account)
            .field("username", &"[redacted]")
            .field("password", &"[redacted]")
            .field("account_unit", &self.account_unit)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_protocol_notes() {
        let config = NinsaudeConfig::new("clinica", "bot", SecretString::from("pw"));
        assert_eq!(config.base_url, "https://api.ninsaude.com/v1");
        assert_eq!(config.account_unit, 1);
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn debug_hides_password_and_username() {
        let config =
            NinsaudeConfig::new("clinica", "staff@example.com", SecretString::from("hunter2-secret"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(!shown.contains("staff@example.com"), "{shown}");
        assert!(shown.contains("clinica"), "{shown}");
    }
}
