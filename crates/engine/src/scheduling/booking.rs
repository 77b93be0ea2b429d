//! Booking: validate against hours and rules, then let the store insert atomically (it is
//! the one place that can see every concurrent booking).

use super::calendar::Calendar;
use super::reminder_jobs::jobs_for;
use super::{SchedulingFailure, SchedulingResult};
use crate::Ctx;
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentEvent, AppointmentStatus, check_start};
use frontdesk_domain::{AppointmentId, LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use frontdesk_store::{BookingOutcome, IdempotencyClaim, NewBooking, StoreError};
use jiff::Timestamp;

#[derive(Debug, Clone)]
pub enum PatientRef {
    Id(PatientId),
    /// Find the patient by phone, or create them.
    Contact {
        name: PersonName,
        phone: PhoneE164,
        email: Option<Email>,
    },
}

#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub tenant_id: TenantId,
    pub patient: PatientRef,
    pub practitioner_id: PractitionerId,
    pub location_id: LocationId,
    pub service_id: ServiceId,
    pub start: Timestamp,
    pub idempotency: Option<IdempotencyClaim>,
    pub actor: String,
    /// Who confirms the booking to the patient (scheduling, unless a conversation does).
    pub confirmation: super::Confirmation,
}

#[derive(Debug, Clone)]
pub struct BookingResult {
    pub appointment: Appointment,
    /// True when an `Idempotency-Key` replayed an earlier booking.
    pub replayed: bool,
}

/// Finds a patient by id or phone, creating one from the contact if needed.
pub async fn resolve_patient(ctx: &Ctx, cal: &Calendar, who: PatientRef) -> SchedulingResult<Patient> {
    match who {
        PatientRef::Id(id) => {
            ctx.store.get_patient(cal.tenant.id, id).await?.ok_or(SchedulingFailure::NotFound("patient"))
        }
        PatientRef::Contact { name, phone, email } => {
            if let Some(p) = ctx.store.patient_by_phone(cal.tenant.id, &phone).await? {
                return Ok(p);
            }
            let mut patient =
                Patient::new(cal.tenant.id, name, phone.clone(), cal.tenant.locale, ctx.clock.now());
            patient.email = email;
            match ctx.store.create_patient(&patient).await {
                Ok(()) => Ok(patient),
                // Created by a concurrent request a moment ago.
                Err(StoreError::Conflict(_)) => ctx
                    .store
                    .patient_by_phone(cal.tenant.id, &phone)
                    .await?
                    .ok_or(SchedulingFailure::NotFound("patient")),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// The campaign a booking is credited to: of the patient's running enrollments, the one
/// whose message they heard last (a patient enrolled but not yet written to was not brought
/// by it, although `playbooks::campaigns` still ends that enrollment as booked).
async fn campaign_booked_after(ctx: &Ctx, a: &Appointment) -> SchedulingResult<Option<uuid::Uuid>> {
    let enrollments = ctx.store.active_enrollments_of(a.tenant_id, a.patient_id).await?;
    Ok(enrollments
        .into_iter()
        .filter_map(|e| e.last_sent_at.filter(|sent| *sent <= a.created_at).map(|sent| (sent, e.campaign_id)))
        .max()
        .map(|(_, campaign)| campaign))
}

pub async fn book(ctx: &Ctx, req: BookingRequest) -> SchedulingResult<BookingResult> {
    let cal = Calendar::load(ctx, req.tenant_id).await?;
    let service = cal.service(req.service_id)?;
    let practitioner = cal.practitioner(req.practitioner_id)?;
    cal.location(req.location_id)?;
    if !practitioner.active {
        return Err(SchedulingFailure::NotBookable("practitioner_inactive"));
    }
    let zone = cal.zone(req.location_id);
    let now = ctx.clock.now();
    let (slot, patient, external_id) = match &cal.external {
        None => {
            let hours = cal.working_hours(req.practitioner_id, req.location_id)?;
            // Hours and rules are checked here; overlaps with other appointments are left to
            // the store, which sees concurrent bookings (and replays idempotent retries).
            let date = zone.to_datetime(req.start).date();
            let slot = check_start(&cal.request(hours, &zone, service, &[], now, (date, date)), req.start)?;
            (slot, resolve_patient(ctx, &cal, req.patient).await?, None)
        }
        Some(external) => {
            if let Some(replay) = replay_before_upstream(ctx, &req).await? {
                return Ok(replay);
            }
            let patient = resolve_patient(ctx, &cal, req.patient).await?;
            let (slot, booked) = super::external_ops::book_upstream(
                &cal,
                external.as_ref(),
                &patient,
                service,
                req.practitioner_id,
                req.location_id,
                req.start,
                now,
            )
            .await?;
            if patient.external_id.is_none() {
                ctx.store.set_patient_external_id(cal.tenant.id, patient.id, &booked.patient_id).await?;
            }
            (slot, patient, Some(booked.appointment_id))
        }
    };
    let appointment = Appointment {
        id: AppointmentId::new(),
        tenant_id: req.tenant_id,
        patient_id: patient.id,
        practitioner_id: req.practitioner_id,
        location_id: req.location_id,
        service_id: req.service_id,
        start: slot.start,
        end: slot.end,
        blocked_until: Appointment::blocked_until_for(slot.end, cal.settings.booking.buffer_minutes),
        status: AppointmentStatus::Booked,
        version: 1,
        external_id: external_id.clone(),
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    };
    let mut jobs = jobs_for(&appointment, &cal.settings.reminders, now);
    let campaign = campaign_booked_after(ctx, &appointment).await?;
    jobs.extend(super::booked_fact_jobs(&appointment, &req.actor, campaign, now));
    if req.confirmation == super::Confirmation::Send {
        jobs.push(super::confirmations::confirmation_job(&appointment, now));
    }
    let booking = NewBooking {
        jobs,
        event: AppointmentEvent {
            appointment_id: appointment.id,
            at: now,
            action: "book".into(),
            from_status: None,
            to_status: AppointmentStatus::Booked,
            actor: req.actor,
            detail: None,
        },
        idempotency: req.idempotency,
        appointment,
    };
    let outcome = match ctx.store.book_appointment(&booking).await {
        Ok(outcome) => outcome,
        Err(err) => {
            // The upstream booking exists but ours could not be stored: undo it upstream.
            if let (Some(external), Some(id)) = (&cal.external, &external_id)
                && let Err(undo) = external.cancel(id).await
            {
                tracing::error!(error = %undo.0, "could not undo an upstream booking after a local failure");
            }
            return Err(err.into());
        }
    };
    match outcome {
        BookingOutcome::Booked(a) => {
            metrics::counter!("frontdesk_appointments_booked_total").increment(1);
            Ok(BookingResult { appointment: a, replayed: false })
        }
        BookingOutcome::Replayed(a) => Ok(BookingResult { appointment: a, replayed: true }),
    }
}

/// With an external calendar, a retried request must be recognised before anything is
/// created upstream (the store's own replay comes too late for that).
async fn replay_before_upstream(ctx: &Ctx, req: &BookingRequest) -> SchedulingResult<Option<BookingResult>> {
    let Some(claim) = &req.idempotency else { return Ok(None) };
    let Some((hash, id)) = ctx.store.idempotency_record(req.tenant_id, &claim.key).await? else {
        return Ok(None);
    };
    if hash != claim.request_hash {
        return Err(SchedulingFailure::IdempotencyKeyReused);
    }
    let appointment = ctx
        .store
        .get_appointment(req.tenant_id, id)
        .await?
        .ok_or(SchedulingFailure::NotFound("appointment"))?;
    Ok(Some(BookingResult { appointment, replayed: true }))
}
