//! The clinic's calendar as a service: what is free, what ranks best for a patient,
//! booking without double-booking, the appointment lifecycle, reminders and no-shows.
//! Pure rules live in `frontdesk_domain::scheduling`; this module loads what they need
//! from the store and writes their decisions back, jobs included.

mod booking;
mod cache;
mod calendar;
mod catalog;
mod confirmations;
mod external;
mod external_ops;
mod ics_file;
mod lifecycle;
mod noshow_training;
mod notifier;
mod online;
mod reminder_jobs;
mod reminders;
mod risk;
mod search;
mod stored_model;
mod upcoming;

pub use booking::{BookingRequest, BookingResult, PatientRef, book};
pub use cache::{CalendarCache, load_cached};
pub use calendar::{BusySnapshot, Calendar, free_slots};
pub use catalog::{
    CatalogError, PractitionerChanges, add_exception, create_location, create_practitioner, create_service,
    set_weekly_hours, update_location, update_practitioner, update_service,
};
pub use confirmations::{CONFIRMATION_JOB, Confirmation, appointment_variables, patient_date, patient_time};
pub use external::{ExternalCalendar, ExternalCalendars, NINSAUDE};
pub use ics_file::calendar_file;
pub use lifecycle::{ActionRequest, apply_action};
pub use noshow_training::{
    NOSHOW_RETRAIN_JOB, TrainingError, schedule_all_noshow_retrains, schedule_noshow_retrain,
    train_noshow_model,
};
pub use notifier::{Notification, Notifier, NotifyError, SandboxNotifier};
pub use online::{
    MAX_UPCOMING_ONLINE, ONLINE_ACTOR, OnlineBooking, OnlinePatient, book_online, online_patient,
};
pub use reminder_jobs::{NO_SHOW_JOB, REMINDER_JOB, RISK_CHECK_JOB, jobs_for as reminder_jobs};
pub use reminders::register_jobs;
pub use risk::{features as no_show_features, no_show_risks};
pub use search::{Availability, SearchOutcome, availability, search};
pub use upcoming::upcoming_for;

use frontdesk_domain::scheduling::{SchedulingError, SearchError, SlotRejection};
use frontdesk_store::StoreError;
use thiserror::Error;

/// Why a scheduling operation did not happen, in terms an API can map to a status code.
#[derive(Debug, Error)]
pub enum SchedulingFailure {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The slot (or an overlapping one) is taken: 409.
    #[error("the requested time is no longer available")]
    SlotTaken,
    /// Never bookable under the clinic's hours and rules: 422.
    #[error("the requested time cannot be booked: {0}")]
    NotBookable(&'static str),
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The action is not allowed from the appointment's current status: 409.
    #[error("cannot {action} an appointment that is {current}")]
    InvalidTransition { action: &'static str, current: &'static str },
    /// Allowed from the status, but not at this moment (a no-show before the start): 409.
    #[error("{0}")]
    NotYet(&'static str),
    #[error("the Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// Someone changed the appointment meanwhile: retry.
    #[error("the appointment changed meanwhile; reload and retry")]
    Stale,
    /// The external system of record failed: 502.
    #[error("the clinic's scheduling system is unavailable: {0}")]
    Upstream(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SchedulingFailure {
    fn from(err: StoreError) -> Self {
        use frontdesk_store::Conflict;
        match err {
            StoreError::Conflict(Conflict::SlotTaken) => Self::SlotTaken,
            StoreError::Conflict(Conflict::IdempotencyKeyReused) => Self::IdempotencyKeyReused,
            StoreError::Conflict(Conflict::Stale) => Self::Stale,
            other => Self::Store(other),
        }
    }
}

impl From<SearchError> for SchedulingFailure {
    fn from(err: SearchError) -> Self {
        Self::Invalid(err.to_string())
    }
}

impl From<SchedulingError> for SchedulingFailure {
    fn from(err: SchedulingError) -> Self {
        Self::Invalid(err.to_string())
    }
}

impl From<SlotRejection> for SchedulingFailure {
    fn from(r: SlotRejection) -> Self {
        match r {
            SlotRejection::Overlaps => Self::SlotTaken,
            SlotRejection::InvalidDuration => Self::NotBookable("invalid_duration"),
            SlotRejection::TooSoon => Self::NotBookable("too_soon"),
            SlotRejection::BeyondHorizon => Self::NotBookable("beyond_horizon"),
            SlotRejection::OutsideWorkingHours => Self::NotBookable("outside_working_hours"),
            SlotRejection::NotAligned => Self::NotBookable("not_aligned"),
        }
    }
}

impl From<SchedulingFailure> for crate::jobs::JobError {
    fn from(e: SchedulingFailure) -> Self {
        match e {
            SchedulingFailure::Store(s) => s.into(),
            // The external calendar is down, or someone changed the appointment meanwhile:
            // a later attempt can succeed.
            SchedulingFailure::Upstream(_) | SchedulingFailure::Stale => Self::retryable(e),
            other => Self::permanent(other),
        }
    }
}

/// The jobs of the playbooks that react to `kind` happening to `appointment`; the fact is
/// keyed by the appointment's version, so a replayed change yields the same fact. For a
/// change that frees the time `freed` held (a cancellation, a move) the fact names that
/// slot, for the playbooks that refill it.
/// `confirmed_before` says whether the appointment had been confirmed when it ended (a show
/// or a no-show), for the no-show rate split by confirmation.
pub(crate) fn fact_jobs_freeing(
    kind: frontdesk_domain::facts::FactKind,
    appointment: &frontdesk_domain::scheduling::Appointment,
    freed: Option<&frontdesk_domain::scheduling::Appointment>,
    confirmed_before: bool,
    now: jiff::Timestamp,
) -> Vec<frontdesk_domain::jobs::NewJob> {
    use frontdesk_domain::facts::FactKind;
    let mut payload = appointment_payload(appointment);
    if matches!(kind, FactKind::AppointmentShowed | FactKind::AppointmentNoShow) {
        payload["confirmed"] = serde_json::json!(confirmed_before);
    }
    if let Some(f) = freed {
        payload["freed"] = serde_json::json!(frontdesk_domain::waitlist::FreedSlot {
            practitioner_id: f.practitioner_id,
            location_id: f.location_id,
            service_id: f.service_id,
            start: f.start,
            end: f.end,
        });
    }
    let fact = frontdesk_domain::facts::Fact::new(
        appointment.tenant_id,
        kind,
        format_args!("appointment:{}:v{}", appointment.id, appointment.version),
        payload,
        now,
    );
    crate::facts::jobs_for(&fact, now)
}

/// What every appointment fact says: ids and state (the service, for analytics to price it).
fn appointment_payload(a: &frontdesk_domain::scheduling::Appointment) -> serde_json::Value {
    // What the figures split appointments by (docs/metrics.md): who, what, where, when,
    // and how far ahead it was booked.
    serde_json::json!({
        "appointment_id": a.id,
        "patient_id": a.patient_id,
        "service_id": a.service_id,
        "practitioner_id": a.practitioner_id,
        "location_id": a.location_id,
        "start": a.start,
        "booked_at": a.created_at,
        "status": a.status,
    })
}

/// The jobs that react to a new booking; its fact also says who booked it (`ai`, `staff`,
/// `api` or `system`, from the actor), for the share of bookings the assistant makes, and
/// the campaign the patient booked after, if any.
pub(crate) fn booked_fact_jobs(
    appointment: &frontdesk_domain::scheduling::Appointment,
    actor: &str,
    campaign: Option<uuid::Uuid>,
    now: jiff::Timestamp,
) -> Vec<frontdesk_domain::jobs::NewJob> {
    let mut payload = appointment_payload(appointment);
    payload["by"] = serde_json::json!(frontdesk_domain::analytics::counters::booked_by(actor));
    if let Some(campaign) = campaign {
        payload["campaign_id"] = serde_json::json!(campaign);
    }
    let fact = frontdesk_domain::facts::Fact::new(
        appointment.tenant_id,
        frontdesk_domain::facts::FactKind::AppointmentBooked,
        format_args!("appointment:{}:v{}", appointment.id, appointment.version),
        payload,
        now,
    );
    crate::facts::jobs_for(&fact, now)
}

pub type SchedulingResult<T> = Result<T, SchedulingFailure>;
