//! A booked appointment as stored, and the history of what happened to it.

use super::{AppointmentStatus, TimeRange};
use crate::{AppointmentId, LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: AppointmentId,
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub location_id: LocationId,
    pub service_id: ServiceId,
    pub start: Timestamp,
    pub end: Timestamp,
    /// `end` plus the tenant's buffer: the calendar stays blocked until then, and two
    /// appointments of a practitioner may not overlap on `[start, blocked_until)`.
    pub blocked_until: Timestamp,
    pub status: AppointmentStatus,
    /// Bumped on every change; jobs scheduled for one version ignore later ones.
    pub version: i32,
    /// The appointment's id in the external system of record, if it has one.
    pub external_id: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Appointment {
    pub fn range(&self) -> TimeRange {
        TimeRange { start: self.start, end: self.end }
    }

    pub fn blocked_range(&self) -> TimeRange {
        TimeRange { start: self.start, end: self.blocked_until }
    }

    pub fn blocked_until_for(end: Timestamp, buffer_minutes: u32) -> Timestamp {
        end.saturating_add(SignedDuration::from_mins(i64::from(buffer_minutes))).unwrap_or(end)
    }
}

/// One line of an appointment's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentEvent {
    pub appointment_id: AppointmentId,
    pub at: Timestamp,
    /// `booked`, `confirm`, `cancel`, `reschedule`, `check_in`, `complete`, `no_show`.
    pub action: String,
    pub from_status: Option<AppointmentStatus>,
    pub to_status: AppointmentStatus,
    /// `api_key:<prefix>`, `system:no_show` ...
    pub actor: String,
    pub detail: Option<String>,
}
