//! Storage for the calendar (catalog, hours, exceptions), patients, appointments and the
//! notifications the sandbox notifier records.

use crate::{StoreResult, Versioned};
use async_trait::async_trait;
use frontdesk_domain::contact::PhoneE164;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{
    Appointment, AppointmentEvent, AppointmentStatus, Exception, Location, Practitioner, Service, TimeRange,
    WeeklyHours,
};
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::{AppointmentId, PatientId, PractitionerId, TenantId};
use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;

/// An exception with the id it is stored under.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionRecord {
    pub id: Uuid,
    pub exception: Exception,
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn create_location(&self, location: &Location) -> StoreResult<()>;
    async fn list_locations(&self, tenant: TenantId) -> StoreResult<Vec<Location>>;
    /// Renames or moves a location (`NotFound` for another clinic's).
    async fn update_location(&self, location: &Location) -> StoreResult<()>;
    async fn create_practitioner(&self, practitioner: &Practitioner) -> StoreResult<()>;
    /// Replaces name, department, locations and the active flag.
    async fn update_practitioner(&self, practitioner: &Practitioner) -> StoreResult<()>;
    async fn list_practitioners(&self, tenant: TenantId) -> StoreResult<Vec<Practitioner>>;
    async fn create_service(&self, service: &Service) -> StoreResult<()>;
    async fn list_services(&self, tenant: TenantId) -> StoreResult<Vec<Service>>;
    /// Changes a service's name, department, duration or price (`NotFound` for another clinic's).
    async fn update_service(&self, service: &Service) -> StoreResult<()>;
    /// Replaces the weekly hours of one practitioner at one location.
    async fn set_weekly_hours(&self, tenant: TenantId, hours: &WeeklyHours) -> StoreResult<()>;
    async fn list_weekly_hours(&self, tenant: TenantId) -> StoreResult<Vec<WeeklyHours>>;
    async fn add_exception(&self, tenant: TenantId, exception: &ExceptionRecord) -> StoreResult<()>;
    async fn list_exceptions(&self, tenant: TenantId) -> StoreResult<Vec<ExceptionRecord>>;
    /// A counter that changes whenever anything affecting free time changes (appointments,
    /// catalog, hours, exceptions, settings, external ids); 0 before any change.
    async fn calendar_version(&self, tenant: TenantId) -> StoreResult<i64>;
    async fn delete_exception(&self, tenant: TenantId, id: Uuid) -> StoreResult<()>;
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The tenant's settings; defaults when none were saved.
    async fn tenant_settings(&self, tenant: TenantId) -> StoreResult<TenantSettings>;
    async fn save_tenant_settings(&self, tenant: TenantId, settings: &TenantSettings) -> StoreResult<()>;
    /// The settings with their version; version 0 (and defaults) when none were saved.
    async fn tenant_settings_versioned(&self, tenant: TenantId) -> StoreResult<Versioned<TenantSettings>>;
    /// Saves the settings only if their version is still `expected_version` (0: none saved
    /// yet); returns the new version. `Conflict::Stale` if they changed meanwhile.
    async fn save_tenant_settings_if(
        &self,
        tenant: TenantId,
        settings: &TenantSettings,
        expected_version: i64,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait PatientStore: Send + Sync {
    /// `Conflict` when the tenant already has a patient with that phone.
    async fn create_patient(&self, patient: &Patient) -> StoreResult<()>;
    async fn get_patient(&self, tenant: TenantId, id: PatientId) -> StoreResult<Option<Patient>>;
    async fn patient_by_phone(&self, tenant: TenantId, phone: &PhoneE164) -> StoreResult<Option<Patient>>;
    /// The patient with this e-mail address (compared without case), the earliest
    /// registered when two share it (a family address).
    async fn patient_by_email(&self, tenant: TenantId, email: &str) -> StoreResult<Option<Patient>>;
    /// Replaces the patient's tags with `tags` (already normalized, see
    /// `frontdesk_domain::patients::normalize_tags`), in one transaction.
    async fn set_patient_tags(
        &self,
        tenant: TenantId,
        patient: PatientId,
        tags: &[String],
    ) -> StoreResult<()>;
    /// Adds the tags the patient does not carry yet (a lead's form adds, never removes).
    async fn add_patient_tags(
        &self,
        tenant: TenantId,
        patient: PatientId,
        tags: &[String],
    ) -> StoreResult<()>;
    /// The tags of these patients, by patient then tag.
    async fn patient_tags(
        &self,
        tenant: TenantId,
        patients: &[PatientId],
    ) -> StoreResult<Vec<(PatientId, String)>>;
    async fn set_patient_external_id(
        &self,
        tenant: TenantId,
        id: PatientId,
        external_id: &str,
    ) -> StoreResult<()>;
    /// Replaces name, phone, email, birth date, locale and external id.
    async fn update_patient(&self, patient: &Patient) -> StoreResult<()>;
    async fn get_patient_versioned(
        &self,
        tenant: TenantId,
        id: PatientId,
    ) -> StoreResult<Option<Versioned<Patient>>>;
    /// `update_patient`, only if the patient is still at `expected_version`; returns the new
    /// version. `Conflict::Stale` if it changed meanwhile, `NotFound` if it is not there.
    async fn update_patient_if(&self, patient: &Patient, expected_version: i64) -> StoreResult<i64>;
    /// Newest first.
    async fn search_patients(
        &self,
        tenant: TenantId,
        query: &PatientQuery,
        page: PageRequest,
    ) -> StoreResult<Page<Patient>>;
}

#[derive(Debug, Clone, Default)]
pub struct PatientQuery {
    /// Case-insensitive part of the name.
    pub name: Option<String>,
    /// Digits that the E.164 phone contains.
    pub phone_digits: Option<String>,
}

/// A request to replay an earlier booking instead of booking again.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub key: String,
    /// Hash of the request body: the same key with another body is refused.
    pub request_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewBooking {
    pub appointment: Appointment,
    pub event: AppointmentEvent,
    /// Reminders, no-show check...: enqueued in the booking's transaction.
    pub jobs: Vec<NewJob>,
    pub idempotency: Option<IdempotencyClaim>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BookingOutcome {
    Booked(Appointment),
    /// The idempotency key was used before with the same request: the earlier appointment.
    Replayed(Appointment),
}

/// A state change of an existing appointment, applied only if nobody changed it meanwhile.
#[derive(Debug, Clone)]
pub struct AppointmentChange {
    /// The new state; its `version` must be `expected_version + 1`.
    pub appointment: Appointment,
    pub expected_version: i32,
    pub event: AppointmentEvent,
    /// Live jobs holding these dedupe keys are cancelled first (old reminders)...
    pub cancel_dedupe_keys: Vec<String>,
    /// ...then these are enqueued (new reminders), in the same transaction.
    pub jobs: Vec<NewJob>,
}

#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub status: Option<AppointmentStatus>,
    pub practitioner_id: Option<PractitionerId>,
    pub patient_id: Option<PatientId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NoShowCounts {
    pub by_patient: Vec<(PatientId, u64)>,
    pub by_practitioner: Vec<(PractitionerId, u64)>,
}

#[async_trait]
pub trait AppointmentStore: Send + Sync {
    /// Books atomically: no overlapping live appointment of the practitioner may exist on
    /// `[start, blocked_until)` (`Conflict::SlotTaken`), even under concurrency.
    async fn book_appointment(&self, booking: &NewBooking) -> StoreResult<BookingOutcome>;
    /// Applies a change; `Conflict::Stale` if the version moved, `Conflict::SlotTaken`
    /// if a new time overlaps another appointment.
    async fn update_appointment(&self, change: &AppointmentChange) -> StoreResult<Appointment>;
    async fn get_appointment(&self, tenant: TenantId, id: AppointmentId) -> StoreResult<Option<Appointment>>;
    /// Ordered by start time, then id; the cursor is the last appointment's id.
    async fn list_appointments(
        &self,
        tenant: TenantId,
        filter: &AppointmentFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>>;
    /// `[start, end)` of live appointments of these practitioners whose blocked range
    /// (end plus buffer) overlaps `range`. Slot generation widens them by the current buffer
    /// itself, so the buffer is not counted twice.
    async fn busy_ranges(
        &self,
        tenant: TenantId,
        practitioners: &[PractitionerId],
        range: TimeRange,
    ) -> StoreResult<Vec<(PractitionerId, TimeRange)>>;
    async fn appointment_history(
        &self,
        tenant: TenantId,
        id: AppointmentId,
    ) -> StoreResult<Vec<AppointmentEvent>>;
    /// The request hash and appointment an idempotency key was used for, if any.
    async fn idempotency_record(
        &self,
        tenant: TenantId,
        key: &str,
    ) -> StoreResult<Option<(String, AppointmentId)>>;
    async fn no_show_counts(&self, tenant: TenantId) -> StoreResult<NoShowCounts>;
}

/// A message the notifier was asked to send, as recorded by the sandbox notifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub template: String,
    pub variables: serde_json::Value,
    pub channel: String,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    async fn record_notification(&self, notification: &NotificationRecord) -> StoreResult<()>;
    /// Newest first.
    async fn list_notifications(
        &self,
        tenant: TenantId,
        patient: Option<PatientId>,
    ) -> StoreResult<Vec<NotificationRecord>>;
}

/// Our row's id in an external system: `system` (`ninsaude`), `resource` (`practitioner`,
/// `service`, `location`), our `local_id`, their `external_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalId {
    pub system: String,
    pub resource: String,
    pub local_id: Uuid,
    pub external_id: String,
}

#[async_trait]
pub trait ExternalIdStore: Send + Sync {
    /// Sets (or replaces) the mapping; `Conflict` if another row of ours has that external id.
    async fn set_external_id(&self, tenant: TenantId, id: &ExternalId) -> StoreResult<()>;
    async fn list_external_ids(&self, tenant: TenantId, system: &str) -> StoreResult<Vec<ExternalId>>;
}
