//! Conversations with patients over WhatsApp, SMS and e-mail: accepting inbound messages (stored
//! first, processed by a job), sending with consent, quiet hours and the WhatsApp window
//! respected, provider status updates, and the real `Notifier` for scheduling.

mod assignment;
pub mod contact_prefs;
pub mod email;
mod email_send;
mod email_threads;
pub mod gmail;
mod inbound;
mod notifier;
mod outbound;
mod send_job;
mod status;
mod voice_notes;
pub mod webhooks;

pub use assignment::{hand_to_staff, set_assignee};
pub use inbound::{InboundMessageEvent, PROCESS_INBOUND_JOB, accept_inbound};
pub use notifier::MessagingNotifier;
pub use outbound::{Content, SendKey, SendRequest, send, send_keyed};
pub use send_job::SEND_JOB;
pub use status::{APPLY_STATUS_JOB, StatusOutcome, StatusReport, accept_status, apply_status};

use crate::Ctx;
use crate::jobs::JobRegistry;
use frontdesk_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MessagingFailure {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The patient opted out of automated messages on this channel.
    #[error("the patient opted out of automated messages on this channel")]
    OptedOut,
    /// WhatsApp accepts free-form text only within 24 hours of the patient's last message.
    #[error("the WhatsApp 24-hour window is closed: send an approved template instead")]
    WindowClosed,
    #[error("no approved WhatsApp template is configured for {0}")]
    NoApprovedTemplate(String),
    #[error("invalid message: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MessagingFailure> for crate::jobs::JobError {
    fn from(e: MessagingFailure) -> Self {
        match e {
            MessagingFailure::Store(s) => s.into(),
            other => Self::permanent(other),
        }
    }
}

/// Registers the messaging jobs with the runner.
pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(PROCESS_INBOUND_JOB, inbound::ProcessInbound { ctx: ctx.clone() });
    registry.register(SEND_JOB, send_job::SendHandler { ctx: ctx.clone() });
    registry.register(gmail::SYNC_JOB, gmail::GmailSync { ctx: ctx.clone() });
    registry.register(gmail::WATCH_JOB, gmail::GmailWatch { ctx: ctx.clone() });
    registry.register(APPLY_STATUS_JOB, status::ApplyStatusLater { ctx });
}
