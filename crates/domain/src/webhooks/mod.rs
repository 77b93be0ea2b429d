//! Outbound webhooks to the clinic's own systems, in the Standard Webhooks format: which
//! events exist (and which fact each comes from), a subscription with its secrets and
//! their rotation, a delivery and its retry schedule, and the body sent.
//!
//! The body carries ids and states only - the fact's own payload, which by contract holds
//! no name, phone number or message text - so a misconfigured or leaky receiver learns
//! nothing about a patient it could not already look up with the clinic's API key.

mod delivery;
mod signature;

pub use delivery::{DeliveryState, RetrySchedule, WebhookDelivery};
pub use signature::{SECRET_BYTES, SecretError, VerifyError, WebhookSecret, sign, sign_one, verify};

use crate::TenantId;
use crate::facts::{Fact, FactKind};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An event a subscription can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "appointment.booked")]
    AppointmentBooked,
    #[serde(rename = "appointment.cancelled")]
    AppointmentCancelled,
    #[serde(rename = "appointment.no_show")]
    AppointmentNoShow,
    #[serde(rename = "lead.stage_changed")]
    LeadStageChanged,
    #[serde(rename = "message.received")]
    MessageReceived,
    #[serde(rename = "call.ended")]
    CallEnded,
    #[serde(rename = "handoff.requested")]
    HandoffRequested,
    #[serde(rename = "report.ready")]
    ReportReady,
}

impl EventType {
    pub const ALL: [EventType; 8] = [
        Self::AppointmentBooked,
        Self::AppointmentCancelled,
        Self::AppointmentNoShow,
        Self::LeadStageChanged,
        Self::MessageReceived,
        Self::CallEnded,
        Self::HandoffRequested,
        Self::ReportReady,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppointmentBooked => "appointment.booked",
            Self::AppointmentCancelled => "appointment.cancelled",
            Self::AppointmentNoShow => "appointment.no_show",
            Self::LeadStageChanged => "lead.stage_changed",
            Self::MessageReceived => "message.received",
            Self::CallEnded => "call.ended",
            Self::HandoffRequested => "handoff.requested",
            Self::ReportReady => "report.ready",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == raw)
    }

    /// The fact this event reports.
    pub fn fact_kind(self) -> FactKind {
        match self {
            Self::AppointmentBooked => FactKind::AppointmentBooked,
            Self::AppointmentCancelled => FactKind::AppointmentCancelled,
            Self::AppointmentNoShow => FactKind::AppointmentNoShow,
            Self::LeadStageChanged => FactKind::LeadStageChanged,
            Self::MessageReceived => FactKind::MessageReceived,
            Self::CallEnded => FactKind::CallEnded,
            Self::HandoffRequested => FactKind::HandoffRequested,
            Self::ReportReady => FactKind::ReportReady,
        }
    }

    /// The event a fact is reported as, if any.
    pub fn of_fact(kind: FactKind) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.fact_kind() == kind)
    }

    /// The facts that can become events (what the webhook playbook subscribes to).
    pub const FACT_KINDS: &'static [FactKind] = &[
        FactKind::AppointmentBooked,
        FactKind::AppointmentCancelled,
        FactKind::AppointmentNoShow,
        FactKind::LeadStageChanged,
        FactKind::MessageReceived,
        FactKind::CallEnded,
        FactKind::HandoffRequested,
        FactKind::ReportReady,
    ];
}

/// The JSON body sent for a fact: `{"type", "timestamp", "data"}` as the specification
/// recommends; `data` is the fact's payload (ids and states) plus the fact's id.
pub fn payload(event: EventType, fact: &Fact) -> serde_json::Value {
    let mut data = match &fact.payload {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    data.insert("fact_id".into(), fact.id.clone().into());
    serde_json::json!({ "type": event.as_str(), "timestamp": fact.at, "data": data })
}

/// How long the previous secret keeps signing after a rotation unless told otherwise:
/// a day for the receiver to deploy the new one.
pub const DEFAULT_ROTATION_OVERLAP: SignedDuration = SignedDuration::from_hours(24);
/// The longest overlap a rotation may ask for.
pub const MAX_ROTATION_OVERLAP: SignedDuration = SignedDuration::from_hours(24 * 7);

/// Where a tenant wants which events sent, and the secrets that sign them.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSubscription {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: Option<String>,
    pub enabled: bool,
    pub secret: WebhookSecret,
    /// The secret before the last rotation, still signing until `previous_expires_at`.
    pub previous_secret: Option<WebhookSecret>,
    pub previous_expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl WebhookSubscription {
    pub fn new(
        tenant_id: TenantId,
        url: String,
        event_types: Vec<EventType>,
        secret: WebhookSecret,
        now: Timestamp,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            tenant_id,
            url,
            event_types: normalise(event_types),
            description: None,
            enabled: true,
            secret,
            previous_secret: None,
            previous_expires_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn wants(&self, event: EventType) -> bool {
        self.enabled && self.event_types.contains(&event)
    }

    /// The secrets that sign at `now`: the current one, and the previous one during the
    /// overlap after a rotation.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&WebhookSecret> {
        let mut secrets = vec![&self.secret];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_expires_at)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }

    /// `new` signs from now on; the current secret keeps signing beside it for `overlap`
    /// (zero ends it at once). A secret rotated out earlier is dropped.
    pub fn rotate(&mut self, new: WebhookSecret, overlap: SignedDuration, now: Timestamp) {
        let old = std::mem::replace(&mut self.secret, new);
        let overlap = overlap.clamp(SignedDuration::ZERO, MAX_ROTATION_OVERLAP);
        if overlap.is_zero() {
            self.previous_secret = None;
            self.previous_expires_at = None;
        } else {
            self.previous_secret = Some(old);
            self.previous_expires_at = now.checked_add(overlap).ok();
        }
        self.updated_at = now;
    }
}

/// Event types in a stable order, each once.
pub fn normalise(mut events: Vec<EventType>) -> Vec<EventType> {
    events.sort_by_key(|e| EventType::ALL.iter().position(|x| x == e));
    events.dedup();
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(now: Timestamp) -> WebhookSubscription {
        let secret = WebhookSecret::from_key(&[1; SECRET_BYTES]);
        WebhookSubscription::new(
            TenantId::new(),
            "https://example.com/h".into(),
            vec![EventType::CallEnded],
            secret,
            now,
        )
    }

    #[test]
    fn every_event_maps_to_its_fact_and_back() {
        for e in EventType::ALL {
            assert_eq!(EventType::of_fact(e.fact_kind()), Some(e));
            assert_eq!(EventType::parse(e.as_str()), Some(e));
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
            assert!(EventType::FACT_KINDS.contains(&e.fact_kind()));
        }
        assert_eq!(EventType::of_fact(FactKind::MessageDelivered), None);
        assert_eq!(EventType::parse("appointment_booked"), None);
    }

    #[test]
    fn the_body_is_type_timestamp_and_the_facts_ids() {
        let at: Timestamp = "2026-05-04T12:00:00Z".parse().unwrap();
        let fact = Fact::new(
            TenantId::new(),
            FactKind::AppointmentBooked,
            "appointment:a1:v1",
            serde_json::json!({"appointment_id": "a1", "status": "booked"}),
            at,
        );
        let body = payload(EventType::AppointmentBooked, &fact);
        assert_eq!(body["type"], "appointment.booked");
        assert_eq!(body["timestamp"], "2026-05-04T12:00:00Z");
        assert_eq!(body["data"]["appointment_id"], "a1");
        assert_eq!(body["data"]["fact_id"], "appointment:a1:v1:appointment_booked");
    }

    #[test]
    fn rotation_signs_with_both_during_the_overlap_only() {
        let t0: Timestamp = "2026-05-04T12:00:00Z".parse().unwrap();
        let mut s = sub(t0);
        let first = s.secret.clone();
        assert_eq!(s.signing_secrets(t0), vec![&first]);
        let second = WebhookSecret::from_key(&[2; SECRET_BYTES]);
        s.rotate(second.clone(), SignedDuration::from_hours(1), t0);
        assert_eq!(s.signing_secrets(t0), vec![&second, &first]);
        assert_eq!(s.signing_secrets(t0 + SignedDuration::from_hours(1)), vec![&second]);
        s.rotate(WebhookSecret::from_key(&[3; SECRET_BYTES]), SignedDuration::ZERO, t0);
        assert_eq!(s.signing_secrets(t0).len(), 1);
        assert!(s.previous_secret.is_none());
    }

    #[test]
    fn a_disabled_subscription_wants_nothing() {
        let mut s = sub(Timestamp::UNIX_EPOCH);
        assert!(s.wants(EventType::CallEnded));
        assert!(!s.wants(EventType::AppointmentBooked));
        s.enabled = false;
        assert!(!s.wants(EventType::CallEnded));
        assert_eq!(
            normalise(vec![EventType::CallEnded, EventType::AppointmentBooked, EventType::CallEnded]),
            vec![EventType::AppointmentBooked, EventType::CallEnded]
        );
    }
}
