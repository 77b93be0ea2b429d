//! Twilio Messaging: SMS and WhatsApp (`PROVIDERS.md` section 1).
//!
//! In: a webhook handler checks `X-Twilio-Signature` with [`verify_signature`], reads the
//! form with [`parse_form`] and turns it into an [`InboundMessage`] ([`parse_inbound`]) or a
//! [`StatusUpdate`] ([`parse_status`]). Out: [`TwilioClient`] sends through the Messages API.
//! Callers depend on the [`TwilioApi`] trait so the engine can be tested with a fake.

mod client;
mod config;
mod error;
pub mod signature;
mod types;
mod wire;

pub use client::{IDEMPOTENCY_HEADER, MAX_BODY_CHARS, MAX_MEDIA_URLS, TwilioClient};
pub use config::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT, TwilioConfig, TwilioSender};
pub use error::TwilioError;
pub use signature::{
    FormField, SIGNATURE_HEADER, SignatureError, compute_signature, verify_params, verify_parsed,
    verify_signature,
};
pub use types::{
    Channel, InboundMessage, Media, MessageContent, MessageStatus, OutboundSms, SentMessage, StatusUpdate,
};
pub use wire::{MAX_MEDIA, ParseError, is_whatsapp, parse_form, parse_inbound, parse_status};

use async_trait::async_trait;

/// The empty TwiML answer to an inbound-message webhook: Twilio requires TwiML (`text/xml`),
/// and an empty `<Response/>` acknowledges without sending the patient an automatic reply.
pub const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#;

/// What Frontdesk needs from Twilio. One HTTP call per send and no retries inside: retries
/// belong to the job runner, which knows about back-off ([`TwilioError::is_retryable`]);
/// the message's idempotency token makes such a retry safe.
#[async_trait]
pub trait TwilioApi: Send + Sync {
    async fn send(&self, message: &OutboundSms) -> Result<SentMessage, TwilioError>;

    /// Downloads an inbound message's media (a voice note) with the account's credentials,
    /// which Twilio requires when media access is protected, under the client's
    /// [`crate::media::MediaPolicy`].
    async fn fetch_media(&self, url: &str) -> Result<Vec<u8>, TwilioError> {
        let _ = url;
        Err(TwilioError::InvalidRequest("this client cannot download media"))
    }
}
