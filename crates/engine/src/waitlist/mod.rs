//! The waitlist as a capability: patients join it (from the dialogue, the staff app or the
//! API), freed slots are offered to the best-placed few at a time (`offers`), and the first
//! to accept books it while the others are told, once each, that it was taken (`accept`).
//! The rules themselves (which entries a slot suits, their order) are in
//! `frontdesk_domain::waitlist`; the playbook that reacts to cancellations is
//! `playbooks::waitlist`.

mod accept;
mod jobs;
mod offers;

pub use accept::{AcceptOutcome, accept, decline, latest_offer_for};
pub use jobs::{ROUND_JOB, SEND_OFFER_JOB, register_jobs};
pub use offers::offer_freed_slot;

use crate::Ctx;
use crate::scheduling::{Calendar, SchedulingFailure};
use frontdesk_domain::scheduling::{Appointment, AppointmentStatus};
use frontdesk_domain::waitlist::{EntryStatus, FreedSlot, TimeWindow, WaitlistEntry};
use frontdesk_domain::{LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use frontdesk_store::StoreError;
use jiff::civil::Date;
use thiserror::Error;
use uuid::Uuid;

#[derive(Debug, Error)]
pub enum WaitlistFailure {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Scheduling(SchedulingFailure),
}

impl From<SchedulingFailure> for WaitlistFailure {
    fn from(e: SchedulingFailure) -> Self {
        match e {
            SchedulingFailure::NotFound(what) => Self::NotFound(what),
            SchedulingFailure::Store(s) => Self::Store(s),
            other => Self::Scheduling(other),
        }
    }
}

impl From<WaitlistFailure> for crate::jobs::JobError {
    fn from(e: WaitlistFailure) -> Self {
        match e {
            WaitlistFailure::Store(s) => s.into(),
            WaitlistFailure::Scheduling(s) => s.into(),
            other => Self::permanent(other.to_string()),
        }
    }
}

/// Who joins, for what, and when they can come.
#[derive(Debug, Clone)]
pub struct JoinRequest {
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub service_id: ServiceId,
    pub practitioner_id: Option<PractitionerId>,
    pub location_id: Option<LocationId>,
    pub windows: Vec<TimeWindow>,
    pub not_after: Option<Date>,
    /// `api`, `staff`, `dialogue` or `online`.
    pub source: &'static str,
}

/// Puts a patient on the waitlist. Joining again for the same service and practitioner
/// while still waiting returns the entry already there (a patient who asks twice is on the
/// list once).
pub async fn join(ctx: &Ctx, req: JoinRequest) -> Result<WaitlistEntry, WaitlistFailure> {
    let cal = Calendar::load(ctx, req.tenant_id).await?;
    cal.service(req.service_id)?;
    if let Some(p) = req.practitioner_id {
        cal.practitioner(p)?;
    }
    if let Some(l) = req.location_id {
        cal.location(l)?;
    }
    ctx.store
        .get_patient(req.tenant_id, req.patient_id)
        .await?
        .ok_or(WaitlistFailure::NotFound("patient"))?;
    let now = ctx.clock.now();
    let today = cal.tenant.timezone.time_zone().to_datetime(now).date();
    let entry = WaitlistEntry {
        id: Uuid::now_v7(),
        tenant_id: req.tenant_id,
        patient_id: req.patient_id,
        service_id: req.service_id,
        practitioner_id: req.practitioner_id,
        location_id: req.location_id,
        windows: req.windows,
        not_after: req.not_after,
        status: EntryStatus::Waiting,
        source: req.source.to_owned(),
        created_at: now,
        updated_at: now,
    };
    entry.validate(today).map_err(|e| WaitlistFailure::Invalid(e.to_string()))?;
    let waiting = ctx.store.waiting_for_service(req.tenant_id, req.service_id).await?;
    if let Some(already) = waiting
        .into_iter()
        .find(|e| e.patient_id == req.patient_id && e.practitioner_id == req.practitioner_id)
    {
        return Ok(already);
    }
    ctx.store.add_waitlist_entry(&entry).await?;
    metrics::counter!("frontdesk_waitlist_joined_total").increment(1);
    Ok(entry)
}

/// Puts the patient who filled in the public page's form on the waitlist (found by phone
/// or created, their consent recorded), as `join` does.
pub async fn join_online(
    ctx: &Ctx,
    who: crate::scheduling::OnlinePatient,
    mut req: JoinRequest,
) -> Result<WaitlistEntry, WaitlistFailure> {
    let patient = crate::scheduling::online_patient(ctx, req.tenant_id, who).await?;
    req.patient_id = patient.id;
    req.source = "online";
    join(ctx, req).await
}

/// Takes an entry off the list; false when it was not waiting.
pub async fn leave(ctx: &Ctx, tenant: TenantId, id: Uuid) -> Result<bool, WaitlistFailure> {
    if ctx.store.get_waitlist_entry(tenant, id).await?.is_none() {
        return Err(WaitlistFailure::NotFound("waitlist entry"));
    }
    let now = ctx.clock.now();
    Ok(ctx.store.move_waitlist_entry(tenant, id, EntryStatus::Waiting, EntryStatus::Removed, now).await?)
}

/// The slot as an appointment of `patient`'s, for what is computed per appointment (its
/// words to the patient, its no-show risk). Never stored.
fn as_appointment(
    tenant: TenantId,
    patient: PatientId,
    slot: &FreedSlot,
    now: jiff::Timestamp,
) -> Appointment {
    Appointment {
        id: frontdesk_domain::AppointmentId::new(),
        tenant_id: tenant,
        patient_id: patient,
        practitioner_id: slot.practitioner_id,
        location_id: slot.location_id,
        service_id: slot.service_id,
        start: slot.start,
        end: slot.end,
        blocked_until: slot.end,
        status: AppointmentStatus::Booked,
        version: 1,
        external_id: None,
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    }
}
