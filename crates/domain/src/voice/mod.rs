//! AI voice calls as pure rules: the call record and its transcript, how an ended call is
//! classified into an outcome, the retry cadence that follows an unanswered call, and the
//! telephony facts (answer rate, handle time, cost) computed from stored calls.
//!
//! Nothing here places a call, stores one or reads a clock.

mod cadence;
mod call;
pub mod callback;
mod facts;
mod outcome;
mod settings;
pub mod spoken;

pub use cadence::{RetryCadence, RetryPlan, RetryStep, next_attempt};
pub use call::{CAMPAIGN_REASON_PREFIX, Call, CallDirection, CallStatus, TranscriptTurn};
pub use callback::{CallbackTime, callback_phrase, callback_time};
pub use facts::{OutcomeTally, TelephonyFacts};
pub use outcome::{CallOutcome, Classification, EndedCall, classify};
pub use settings::{
    SandboxOutcome, VapiHmacSettings, VapiSettings, VoiceProviderKind, VoiceSettings, VoiceSettingsError,
};
