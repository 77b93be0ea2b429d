//! Facts: what happened, recorded by the capability that made it happen, in the same
//! transaction as the change. Playbooks react to facts (through jobs deduplicated by fact
//! and playbook), so a capability never needs to know who listens.
//!
//! A fact's id is derived from the change itself (the appointment and its version, the
//! provider's message id...), so recording the same change twice - a retried job - yields
//! the same id, and the playbooks' jobs are not doubled.

use crate::TenantId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    AppointmentBooked,
    AppointmentCancelled,
    /// Checked in (completing the visit later records nothing more).
    AppointmentShowed,
    AppointmentNoShow,
    MessageReceived,
    MessageDelivered,
    MessageFailed,
    CallEnded,
    LeadCreated,
    LeadStageChanged,
    OptedOut,
    AppointmentConfirmed,
    AppointmentRescheduled,
    /// An outbound message filed (queued for its provider).
    MessageSent,
    /// An outbound message moved on (sent, delivered, read, failed): its new status.
    MessageStatusChanged,
    CallStarted,
    /// The assistant gave a conversation to staff (the patient asked, or it could not
    /// answer).
    HandoffRequested,
    /// Who works a conversation changed: assigned to a person, or handed back.
    ConversationAssigned,
    /// A lead edited without a stage move (owner, value, notes...).
    LeadUpdated,
    /// A patient's message had a red-flag symptom: the conversation is urgent and with
    /// staff (the payload never says which symptom).
    EmergencyFlagged,
    /// A patient likely to miss an appointment was asked to confirm it (the 48 h check).
    ConfirmationRequested,
    /// The clinic reached out to a lead for the first time (call placed or message queued);
    /// the payload's `seconds` is the speed to lead.
    LeadContacted,
    /// A scheduled report's period ended: the report can be downloaded (the payload says
    /// which report, format and period, and where).
    ReportReady,
}

impl FactKind {
    pub const ALL: &'static [FactKind] = &[
        Self::AppointmentBooked,
        Self::AppointmentCancelled,
        Self::AppointmentShowed,
        Self::AppointmentNoShow,
        Self::MessageReceived,
        Self::MessageDelivered,
        Self::MessageFailed,
        Self::CallEnded,
        Self::LeadCreated,
        Self::LeadStageChanged,
        Self::OptedOut,
        Self::AppointmentConfirmed,
        Self::AppointmentRescheduled,
        Self::MessageSent,
        Self::MessageStatusChanged,
        Self::CallStarted,
        Self::HandoffRequested,
        Self::ConversationAssigned,
        Self::LeadUpdated,
        Self::EmergencyFlagged,
        Self::ConfirmationRequested,
        Self::LeadContacted,
        Self::ReportReady,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppointmentBooked => "appointment_booked",
            Self::AppointmentCancelled => "appointment_cancelled",
            Self::AppointmentShowed => "appointment_showed",
            Self::AppointmentNoShow => "appointment_no_show",
            Self::MessageReceived => "message_received",
            Self::MessageDelivered => "message_delivered",
            Self::MessageFailed => "message_failed",
            Self::CallEnded => "call_ended",
            Self::LeadCreated => "lead_created",
            Self::LeadStageChanged => "lead_stage_changed",
            Self::OptedOut => "opted_out",
            Self::AppointmentConfirmed => "appointment_confirmed",
            Self::AppointmentRescheduled => "appointment_rescheduled",
            Self::MessageSent => "message_sent",
            Self::MessageStatusChanged => "message_status_changed",
            Self::CallStarted => "call_started",
            Self::HandoffRequested => "handoff_requested",
            Self::ConversationAssigned => "conversation_assigned",
            Self::LeadUpdated => "lead_updated",
            Self::EmergencyFlagged => "emergency_flagged",
            Self::ConfirmationRequested => "confirmation_requested",
            Self::LeadContacted => "lead_contacted",
            Self::ReportReady => "report_ready",
        }
    }
}

/// One thing that happened. The payload holds ids and states only - never a name, a
/// number or message text - so facts can be logged, stored and forwarded freely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Stable: the same change always yields the same id.
    pub id: String,
    pub tenant_id: TenantId,
    pub kind: FactKind,
    pub payload: serde_json::Value,
    pub at: Timestamp,
}

impl Fact {
    /// `subject` names what changed (`appointment:{id}:v{version}`, `message:{id}`...);
    /// the kind is appended, so one change can yield several facts.
    pub fn new(
        tenant_id: TenantId,
        kind: FactKind,
        subject: impl std::fmt::Display,
        payload: serde_json::Value,
        at: Timestamp,
    ) -> Self {
        Self { id: format!("{subject}:{}", kind.as_str()), tenant_id, kind, payload, at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_depends_on_the_change_not_the_moment() {
        let t = TenantId::new();
        let a = Fact::new(
            t,
            FactKind::MessageReceived,
            "message:1",
            serde_json::json!({}),
            Timestamp::UNIX_EPOCH,
        );
        let b = Fact::new(t, FactKind::MessageReceived, "message:1", serde_json::json!({}), Timestamp::MAX);
        assert_eq!(a.id, b.id);
        let c = Fact::new(t, FactKind::OptedOut, "message:1", serde_json::json!({}), Timestamp::MAX);
        assert_ne!(a.id, c.id);
    }
}
