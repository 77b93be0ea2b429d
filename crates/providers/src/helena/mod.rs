//! Helena CRM (ex-WTS Chat / flw.chat): WhatsApp through the clinic's Helena account
//! (`PROVIDERS.md` section 3; mostly known from third-party clients).
//!
//! In: Helena signs nothing, so each tenant's webhook URL carries a random secret that the
//! handler checks with [`verify_token`]; [`parse_event`] reads the delivery. Out:
//! [`HelenaClient`] sends text and templates. Callers depend on the [`HelenaApi`] trait so
//! the engine can be tested with a fake.

mod client;
mod config;
mod error;
mod events;
mod types;

pub use client::HelenaClient;
pub use config::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT, HelenaConfig};
pub use error::HelenaError;
pub use events::{HelenaParseError, parse_event, parse_event_value, phone};
pub use types::{
    HelenaContactEvent, HelenaContactKind, HelenaDirection, HelenaEvent, HelenaFile, HelenaInboundMessage,
    HelenaMessageStatus, HelenaSent, HelenaStatusUpdate, HelenaTemplate, HelenaText,
};

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What Frontdesk needs from Helena. One HTTP call each and no retries inside: retries
/// belong to the job runner ([`HelenaError::is_retryable`]).
#[async_trait]
pub trait HelenaApi: Send + Sync {
    /// Sends free text; returns Helena's message id.
    async fn send_text(&self, message: &HelenaText) -> Result<HelenaSent, HelenaError>;

    /// Sends an approved template (the only way to open a WhatsApp conversation).
    async fn send_template(&self, message: &HelenaTemplate) -> Result<HelenaSent, HelenaError>;
}

/// Whether a webhook presented the tenant's secret token (from the query or a header).
///
/// Both sides are hashed before a constant-time comparison, so neither the content nor the
/// length of the secret leaks through timing. An empty configured secret never matches: a
/// tenant without one has not set Helena up, and must not accept everything.
pub fn verify_token(expected: &SecretString, presented: Option<&str>) -> bool {
    let expected = expected.expose_secret();
    let Some(presented) = presented else { return false };
    if expected.is_empty() {
        return false;
    }
    let expected = Sha256::digest(expected.as_bytes());
    let presented = Sha256::digest(presented.as_bytes());
    bool::from(expected[..].ct_eq(&presented[..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_check() {
        let secret = SecretString::from("f3a9c1d2e5b7");
        assert!(verify_token(&secret, Some("f3a9c1d2e5b7")));
        assert!(!verify_token(&secret, Some("f3a9c1d2e5b8")));
        assert!(!verify_token(&secret, Some("f3a9c1d2e5b7 ")));
        assert!(!verify_token(&secret, Some("")));
        assert!(!verify_token(&secret, None));
        assert!(!verify_token(&SecretString::from(""), Some("")));
    }
}
