//! Appointment actions: confirm, cancel, reschedule, check in, complete, no-show. Each
//! follows the domain's state machine, is applied only to the version it was decided on,
//! keeps a history line, and moves or cancels the reminder jobs in the same transaction.

use super::calendar::Calendar;
use super::reminder_jobs::{job_keys, jobs_for};
use super::{SchedulingFailure, SchedulingResult};
use crate::Ctx;
use frontdesk_domain::facts::FactKind;
use frontdesk_domain::scheduling::{
    Appointment, AppointmentAction, AppointmentEvent, check_start, not_yet, transition,
};
use frontdesk_domain::{AppointmentId, TenantId};
use frontdesk_store::AppointmentChange;
use jiff::Timestamp;

#[derive(Debug, Clone)]
pub struct ActionRequest {
    pub action: AppointmentAction,
    /// Why (cancel, no-show); kept in the history.
    pub reason: Option<String>,
    /// Required for `Reschedule`.
    pub new_start: Option<Timestamp>,
    pub actor: String,
    /// Who tells the patient about a move (scheduling, unless a conversation does).
    pub confirmation: super::Confirmation,
}

pub async fn apply_action(
    ctx: &Ctx,
    tenant: TenantId,
    id: AppointmentId,
    req: ActionRequest,
) -> SchedulingResult<Appointment> {
    let current =
        ctx.store.get_appointment(tenant, id).await?.ok_or(SchedulingFailure::NotFound("appointment"))?;
    let to = transition(current.status, req.action).map_err(|e| SchedulingFailure::InvalidTransition {
        action: req.action.as_str(),
        current: e.current.as_str(),
    })?;
    let now = ctx.clock.now();
    if let Some(why) = not_yet(req.action, current.start, now) {
        return Err(SchedulingFailure::NotYet(why));
    }
    let cal = Calendar::load(ctx, tenant).await?;
    let mut next = current.clone();
    next.status = to;
    next.version = current.version + 1;
    next.updated_at = now;
    let mut detail = req.reason.clone();
    let keys = job_keys(current.id, &cal.settings.reminders);
    let mut jobs = Vec::new();
    match req.action {
        AppointmentAction::Reschedule => {
            let start = req
                .new_start
                .ok_or_else(|| SchedulingFailure::Invalid("reschedule needs a new start".into()))?;
            let service = cal.service(current.service_id)?;
            let slot = match (&cal.external, &current.external_id) {
                (Some(external), Some(old_id)) => {
                    // Upstream first: book the new time, then release the old one.
                    let patient = ctx
                        .store
                        .get_patient(tenant, current.patient_id)
                        .await?
                        .ok_or(SchedulingFailure::NotFound("patient"))?;
                    let (slot, booked) = super::external_ops::book_upstream(
                        &cal,
                        external.as_ref(),
                        &patient,
                        service,
                        current.practitioner_id,
                        current.location_id,
                        start,
                        now,
                    )
                    .await?;
                    external.cancel(old_id).await.map_err(|e| SchedulingFailure::Upstream(e.0))?;
                    next.external_id = Some(booked.appointment_id);
                    slot
                }
                _ => {
                    let hours = cal.working_hours(current.practitioner_id, current.location_id)?;
                    let zone = cal.zone(current.location_id);
                    let date = zone.to_datetime(start).date();
                    check_start(&cal.request(hours, &zone, service, &[], now, (date, date)), start)?
                }
            };
            next.start = slot.start;
            next.end = slot.end;
            next.blocked_until =
                Appointment::blocked_until_for(slot.end, cal.settings.booking.buffer_minutes);
            detail = Some(format!("moved from {}", current.start));
            jobs = jobs_for(&next, &cal.settings.reminders, now);
            if req.confirmation == super::Confirmation::Send {
                jobs.push(super::confirmations::confirmation_job(&next, now));
            }
        }
        AppointmentAction::Cancel => {
            // The system of record must agree first; if it cannot be reached, nothing changes.
            if let (Some(external), Some(id)) = (&cal.external, &current.external_id) {
                external.cancel(id).await.map_err(|e| SchedulingFailure::Upstream(e.0))?;
            }
            next.cancel_reason = req.reason.clone();
        }
        _ => {}
    }
    // What happened, for the playbooks that react (the lead's stage, reactivation...).
    let fact = match req.action {
        // A show is recorded once, at check-in; completing follows a check-in (the state
        // machine allows nothing else) and would count the visit twice.
        AppointmentAction::CheckIn => Some(FactKind::AppointmentShowed),
        AppointmentAction::Complete => None,
        AppointmentAction::MarkNoShow => Some(FactKind::AppointmentNoShow),
        AppointmentAction::Cancel => Some(FactKind::AppointmentCancelled),
        AppointmentAction::Confirm => Some(FactKind::AppointmentConfirmed),
        AppointmentAction::Reschedule => Some(FactKind::AppointmentRescheduled),
    };
    if let Some(kind) = fact {
        let frees = matches!(req.action, AppointmentAction::Cancel | AppointmentAction::Reschedule);
        let confirmed = current.status == frontdesk_domain::scheduling::AppointmentStatus::Confirmed;
        jobs.extend(super::fact_jobs_freeing(kind, &next, frees.then_some(&current), confirmed, now));
    }
    // Confirming keeps the reminders; every other action ends or replaces them.
    let cancel_dedupe_keys = if req.action == AppointmentAction::Confirm { Vec::new() } else { keys };
    let change = AppointmentChange {
        event: AppointmentEvent {
            appointment_id: current.id,
            at: now,
            action: req.action.as_str().into(),
            from_status: Some(current.status),
            to_status: to,
            actor: req.actor,
            detail,
        },
        expected_version: current.version,
        appointment: next,
        cancel_dedupe_keys,
        jobs,
    };
    Ok(ctx.store.update_appointment(&change).await?)
}
