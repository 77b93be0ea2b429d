//! VAPI voice agent (`PROVIDERS.md` section 2).
//!
//! Out: [`VapiClient`] places outbound calls (`POST /call`) behind the [`VapiApi`] trait, so
//! the engine can be tested with a fake. In: a server URL handler authenticates the request
//! with [`verify_secret`] (`X-Vapi-Secret`) or [`verify_hmac`] (the HMAC credential), reads
//! it with [`parse_server_message`], and answers `tool-calls` with
//! [`tool_results_response`] and `assistant-request` with [`assistant_response`].

mod auth;
mod client;
mod config;
mod error;
mod messages;
mod responses;
mod types;

pub use auth::{
    HmacAlgorithm, HmacError, HmacPlan, SECRET_HEADER, SignatureEncoding, SignedRequest,
    compute_hmac_signature, verify_hmac, verify_secret,
};
pub use client::VapiClient;
pub use config::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT, VapiConfig};
pub use error::VapiError;
pub use messages::{VapiParseError, parse_server_message};
pub use responses::{assistant_response, spoken_error_response, tool_results_response, transfer_response};
pub use types::{
    CreateCall, CreatedCall, EndOfCallReport, ServerMessage, ToolCall, ToolResult, TranscriptMessage,
};

use async_trait::async_trait;

/// How long VAPI waits for an `assistant-request` answer; past it the caller hears a failure.
pub const ASSISTANT_REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_millis(7500);

/// What Frontdesk needs from VAPI. One HTTP call per create and no retries inside: retries
/// belong to the job runner, which knows about back-off ([`VapiError::is_retryable`]).
#[async_trait]
pub trait VapiApi: Send + Sync {
    async fn create_call(&self, call: &CreateCall) -> Result<CreatedCall, VapiError>;
}
