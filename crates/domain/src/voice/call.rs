//! One voice call with a patient (or a caller not yet known), and its transcript.

use super::outcome::CallOutcome;
use crate::messaging::MessageText;
use crate::{AppointmentId, CallId, LeadId, PatientId, TenantId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    /// The clinic called the patient (speed-to-lead, confirmation, recall).
    Outbound,
    /// The patient called the clinic's number.
    Inbound,
}

wire_names!(CallDirection { Outbound => "outbound", Inbound => "inbound" });

/// Where a call is in its life. Only moves forward (see [`CallStatus::rank`]); a late
/// `ringing` never overwrites `ended`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Stored, waiting for the job that places it.
    Queued,
    /// Accepted by the provider, not yet ringing.
    Scheduled,
    Ringing,
    InProgress,
    Forwarding,
    Ended,
    /// The provider refused to place it (bad number, bad credentials); never rang.
    Failed,
    /// Not placed on purpose (opt-out, not interested, attempts exhausted).
    Skipped,
}

wire_names!(CallStatus {
    Queued => "queued",
    Scheduled => "scheduled",
    Ringing => "ringing",
    InProgress => "in_progress",
    Forwarding => "forwarding",
    Ended => "ended",
    Failed => "failed",
    Skipped => "skipped",
});

impl CallStatus {
    fn rank(&self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Scheduled => 1,
            Self::Ringing => 2,
            Self::InProgress => 3,
            Self::Forwarding => 4,
            Self::Ended | Self::Failed | Self::Skipped => 5,
        }
    }

    pub fn is_final(&self) -> bool {
        self.rank() == 5
    }

    /// VAPI's status names (`queued`, `ringing`, `in-progress`, `forwarding`, `ended`,
    /// `scheduled`); anything else is not a status Frontdesk tracks.
    pub fn from_vapi(s: &str) -> Option<Self> {
        Some(match s {
            "queued" | "scheduled" => Self::Scheduled,
            "ringing" => Self::Ringing,
            "in-progress" | "in_progress" => Self::InProgress,
            "forwarding" => Self::Forwarding,
            "ended" => Self::Ended,
            _ => return None,
        })
    }

    /// The status after a report of `incoming`, or `None` when the report is stale or
    /// repeats the current status.
    pub fn advance(self, incoming: CallStatus) -> Option<CallStatus> {
        (incoming.rank() > self.rank()).then_some(incoming)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: CallId,
    pub tenant_id: TenantId,
    /// `None` for an inbound call from a number no patient has.
    pub patient_id: Option<PatientId>,
    pub lead_id: Option<LeadId>,
    pub direction: CallDirection,
    /// `vapi`, `sandbox` or a generic platform's name.
    pub provider: String,
    /// The provider's call id; `None` until the provider accepted an outbound call.
    pub provider_call_id: Option<String>,
    pub status: CallStatus,
    /// Why the clinic called (`hot_lead`, `confirmation`, `recall`...).
    pub reason: Option<String>,
    pub assistant_id: Option<String>,
    /// 1 for the first call of a sequence, 2 for its first retry...
    pub attempt: u32,
    /// The first call of a retry sequence; `None` on that first call itself.
    pub parent_call_id: Option<CallId>,
    /// The provider's ended reason, as sent (`customer-did-not-answer`...).
    pub ended_reason: Option<String>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_seconds: Option<f64>,
    /// Total cost in USD.
    pub cost: Option<f64>,
    /// As the provider sent it; `Null` when unknown.
    pub cost_breakdown: Value,
    pub recording_url: Option<String>,
    pub stereo_recording_url: Option<String>,
    /// The provider's summary of the conversation (masked in logs).
    pub summary: Option<MessageText>,
    /// Fields the assistant extracted (`analysis.structuredData`); `Null` when none.
    pub structured_data: Value,
    pub outcome: Option<CallOutcome>,
    /// Why the outcome was chosen and what was decided next, for staff.
    pub outcome_reason: Option<String>,
    /// When the patient asked to be called back.
    pub callback_at: Option<Timestamp>,
    /// The appointment a tool booked during the call.
    pub appointment_id: Option<AppointmentId>,
    /// Why the provider refused to place the call (permanent failure).
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// How a campaign's call names its reason (`campaign_recall`...), told to the assistant:
/// such a call is tried again by the campaign step's own attempts, not the clinic's retry
/// cadence (and gets no missed-call message: the campaign has its own steps).
pub const CAMPAIGN_REASON_PREFIX: &str = "campaign_";

impl Call {
    /// Placed by a campaign's call step.
    pub fn placed_by_campaign(&self) -> bool {
        self.reason.as_deref().is_some_and(|r| r.starts_with(CAMPAIGN_REASON_PREFIX))
    }

    /// A new outbound call, not yet placed.
    pub fn outbound(
        tenant_id: TenantId,
        patient_id: PatientId,
        provider: &str,
        reason: Option<String>,
        now: Timestamp,
    ) -> Self {
        let mut call = Self::new(tenant_id, Some(patient_id), CallDirection::Outbound, provider, now);
        call.reason = reason;
        call
    }

    /// A call first heard of from its provider (an inbound call, or one placed elsewhere),
    /// already under way.
    pub fn reported(
        tenant_id: TenantId,
        patient_id: Option<PatientId>,
        direction: CallDirection,
        provider: &str,
        provider_call_id: &str,
        now: Timestamp,
    ) -> Self {
        let mut call = Self::new(tenant_id, patient_id, direction, provider, now);
        call.provider_call_id = Some(provider_call_id.to_owned());
        call.status = CallStatus::InProgress;
        call
    }

    fn new(
        tenant_id: TenantId,
        patient_id: Option<PatientId>,
        direction: CallDirection,
        provider: &str,
        now: Timestamp,
    ) -> Self {
        Self {
            id: CallId::new(),
            tenant_id,
            patient_id,
            lead_id: None,
            direction,
            provider: provider.to_string(),
            provider_call_id: None,
            status: CallStatus::Queued,
            reason: None,
            assistant_id: None,
            attempt: 1,
            parent_call_id: None,
            ended_reason: None,
            started_at: None,
            ended_at: None,
            duration_seconds: None,
            cost: None,
            cost_breakdown: Value::Null,
            recording_url: None,
            stereo_recording_url: None,
            summary: None,
            structured_data: Value::Null,
            outcome: None,
            outcome_reason: None,
            callback_at: None,
            appointment_id: None,
            error: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Applies a reported status; `false` when it was stale or a repeat.
    pub fn apply_status(&mut self, incoming: CallStatus, at: Timestamp) -> bool {
        let Some(next) = self.status.advance(incoming) else { return false };
        self.status = next;
        if next == CallStatus::InProgress && self.started_at.is_none() {
            self.started_at = Some(at);
        }
        self.updated_at = self.updated_at.max(at);
        true
    }
}

/// One turn of a call's transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptTurn {
    /// `assistant`, `patient`, `system` or `tool` (provider roles are mapped on ingest).
    pub role: String,
    pub text: MessageText,
    pub seconds_from_start: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for s in CallStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<CallStatus>().unwrap(), *s);
        }
        for d in CallDirection::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
    }

    #[test]
    fn status_only_moves_forward() {
        let t: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let mut c = Call::outbound(TenantId::new(), PatientId::new(), "vapi", None, t);
        assert!(c.apply_status(CallStatus::Ringing, t));
        assert!(c.apply_status(CallStatus::InProgress, t));
        assert_eq!(c.started_at, Some(t));
        assert!(c.apply_status(CallStatus::Ended, t));
        assert!(!c.apply_status(CallStatus::Ringing, t));
        assert!(!c.apply_status(CallStatus::Ended, t));
        assert_eq!(c.status, CallStatus::Ended);
        assert_eq!(CallStatus::from_vapi("in-progress"), Some(CallStatus::InProgress));
        assert_eq!(CallStatus::from_vapi("bogus"), None);
    }

    #[test]
    fn summary_is_masked_in_debug() {
        let t: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let mut c = Call::outbound(TenantId::new(), PatientId::new(), "vapi", None, t);
        c.summary = Some(MessageText::new("Maria quer remarcar"));
        assert!(!format!("{c:?}").contains("Maria"));
    }
}
