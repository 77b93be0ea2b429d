//! Voice calls: placing outbound calls through a [`VoiceProvider`] from jobs, taking in
//! what the provider reports (status, end-of-call report, mid-call tool requests) through
//! one provider-neutral ingest path, and deciding the next step from each call's outcome.
//!
//! VAPI's server URL ([`vapi_webhook`]), the generic voice-agent webhook
//! ([`generic_webhook`]) and the sandbox provider all end in [`ingest`], so the sandbox
//! exercises exactly what a real call does.

pub mod callbacks;
mod calls;
mod follow_up;
mod generic;
pub mod ingest;
mod provider;
mod sandbox;
pub mod tools;
mod transfer;
mod vapi_webhook;

pub use callbacks::{CALLBACK_REASON, plan_callback};
pub use calls::{CallDetail, PlaceCallRequest, call_detail, may_call, once_call_id, place_call};
pub use generic::{GENERIC_PROVIDER, GenericCallReport, GenericTurn, check_generic_secret, generic_webhook};
pub use provider::{CallBrief, PlaceError, PlacedCall, VoiceProvider, provider_for};
pub use vapi_webhook::vapi_webhook;

use crate::Ctx;
use crate::jobs::JobRegistry;
use frontdesk_store::StoreError;
use thiserror::Error;

/// Places a stored call (payload `{"call_id"}`).
pub const PLACE_CALL_JOB: &str = "voice.place_call";
/// Starts the next attempt of a call sequence (payload `{"call_id"}` of the last attempt).
pub const RETRY_CALL_JOB: &str = "voice.retry_call";
/// Sends the WhatsApp follow-up after an unanswered call (payload `{"call_id"}`).
pub const MISSED_CALL_MESSAGE_JOB: &str = "voice.missed_call_message";
/// Plays the sandbox call's scripted outcome (payload `{"call_id"}`).
pub const SANDBOX_PLAY_JOB: &str = "voice.sandbox_play";

#[derive(Debug, Error)]
pub enum VoiceFailure {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("unknown tenant")]
    UnknownTenant,
    #[error("{0} is not configured for this tenant")]
    NotConfigured(&'static str),
    /// Authentication failed: nothing was stored.
    #[error("the request is not authentic: {0}")]
    Unauthorized(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The patient asked not to be called (their consent record for calls says so).
    #[error("the patient opted out of calls")]
    OptedOut,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(PLACE_CALL_JOB, calls::PlaceCall { ctx: ctx.clone() });
    registry.register(RETRY_CALL_JOB, follow_up::RetryCall { ctx: ctx.clone() });
    registry.register(MISSED_CALL_MESSAGE_JOB, follow_up::MissedCallMessage { ctx: ctx.clone() });
    registry.register(SANDBOX_PLAY_JOB, sandbox::SandboxPlay { ctx });
}
