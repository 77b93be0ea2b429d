//! Connection settings for one Twilio account.

use crate::media::MediaPolicy;
use secrecy::SecretString;
use std::fmt;
use std::time::Duration;

/// Twilio's REST API root.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// Per-request limit. Sends run in jobs, so a hung request only needs to fail in time for
/// the job's lease; the idempotency token makes the retry of a send that did get through
/// harmless.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Who a message comes from when the message does not say.
#[derive(Clone, PartialEq, Eq)]
pub enum TwilioSender {
    /// A Messaging Service (`MG...`), which picks the number from its sender pool.
    MessagingService(String),
    /// A number in E.164 (`+14155238886`); `whatsapp:` is added for WhatsApp.
    Number(String),
}

impl fmt::Debug for TwilioSender {
    // The clinic's own number is not a patient's, but masking every number is simpler to
    // audit than deciding case by case.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MessagingService(sid) => f.debug_tuple("MessagingService").field(sid).finish(),
            Self::Number(_) => f.write_str("Number([redacted])"),
        }
    }
}

/// How to reach and authenticate against one Twilio account.
#[derive(Clone)]
pub struct TwilioConfig {
    /// `AC...`; the user name of HTTP Basic auth and part of every path.
    pub account_sid: String,
    /// The password of HTTP Basic auth, and the key of webhook signatures.
    pub auth_token: SecretString,
    /// API root without a trailing slash; configurable so tests can point it at a mock.
    pub base_url: String,
    pub sender: TwilioSender,
    /// Limit for each HTTP request, connection included.
    pub timeout: Duration,
    /// Lets the base URL name a private or loopback address (local mocks, tests). A
    /// deployment setting, never a tenant's: see `crate::egress`.
    pub allow_private_network: bool,
    /// How inbound media (voice notes) may be downloaded.
    pub media: MediaPolicy,
}

impl TwilioConfig {
    /// Settings for the production API and the default timeout.
    pub fn new(account_sid: impl Into<String>, auth_token: SecretString, sender: TwilioSender) -> Self {
        Self {
            account_sid: account_sid.into(),
            auth_token,
            base_url: DEFAULT_BASE_URL.to_owned(),
            sender,
            timeout: DEFAULT_TIMEOUT,
            allow_private_network: false,
            media: MediaPolicy::default(),
        }
    }

    pub fn with_media_policy(mut self, media: MediaPolicy) -> Self {
        self.media = media;
        self
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

impl fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("sender", &self.sender)
            .field("timeout", &self.timeout)
            .field("media", &self.media)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_masking() {
        let config = TwilioConfig::new(
            "AC123",
            SecretString::from("tok-very-secret"),
            TwilioSender::Number("+14155238886".into()),
        );
        assert_eq!(config.base_url, "https://api.twilio.com");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        let shown = format!("{config:?}");
        assert!(!shown.contains("tok-very-secret"), "{shown}");
        assert!(!shown.contains("4155238886"), "{shown}");
        assert!(shown.contains("AC123"), "{shown}");
    }
}
