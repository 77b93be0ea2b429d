//! Runs the reminder, risk-check and no-show jobs (`reminder_jobs` plans them; apart, so
//! that the lifecycle, which files them, and these handlers, which apply actions through
//! the lifecycle, do not import each other). They are enqueued with the booking (same transaction),
//! replaced on reschedule, cancelled on cancel, and each checks when it runs that the
//! appointment is still at the time it was scheduled for: a late job for a changed
//! appointment does nothing.

use super::lifecycle::{ActionRequest, apply_action};
use super::notifier::{Notification, Notifier};
use super::reminder_jobs::{NO_SHOW_JOB, Payload, REMINDER_JOB, RISK_CHECK_JOB};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler, JobRegistry};
use async_trait::async_trait;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::Job;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction};
use std::sync::Arc;

/// Sends the patient `template` about `a`, with its details and the 1/2/3 reply options
/// (confirm, reschedule, cancel) the dialogue understands; once per job.
async fn ask_about(
    ctx: &Ctx,
    notifier: &dyn Notifier,
    job: &Job,
    a: &Appointment,
    template: &str,
    hours_before: Option<serde_json::Value>,
) -> Result<(), JobError> {
    let retry = |e: frontdesk_store::StoreError| JobError::retryable(e.to_string());
    let cal =
        super::Calendar::load(ctx, job.tenant_id).await.map_err(|e| JobError::retryable(e.to_string()))?;
    let Some(patient) = ctx.store.get_patient(job.tenant_id, a.patient_id).await.map_err(retry)? else {
        return Ok(());
    };
    let mut variables = super::confirmations::appointment_variables(&cal, a, &patient);
    if let Some(hours) = hours_before {
        variables["hours_before"] = hours;
    }
    variables["reply_options"] = serde_json::json!({"1": "confirm", "2": "reschedule", "3": "cancel"});
    let notification = Notification {
        tenant_id: job.tenant_id,
        patient_id: patient.id,
        template: template.into(),
        variables,
        channel: None,
        once: Some(job.id.as_uuid()),
    };
    notifier.notify(&notification).await.map_err(JobError::from)
}

fn payload(job: &Job) -> Result<Payload, JobError> {
    serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(format!("bad payload: {e}")))
}

/// The appointment a job is about, if it is still at the time the job was filed for.
async fn still_at_its_time(ctx: &Ctx, job: &Job, p: &Payload) -> Result<Option<Appointment>, JobError> {
    let found = ctx
        .store
        .get_appointment(job.tenant_id, p.appointment_id)
        .await
        .map_err(|e| JobError::retryable(e.to_string()))?;
    Ok(found.filter(|a| a.start == p.start))
}

struct ReminderHandler {
    ctx: Ctx,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for ReminderHandler {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p = payload(job)?;
        let Some(a) = still_at_its_time(&self.ctx, job, &p).await?.filter(|a| a.status.is_pending()) else {
            tracing::info!(appointment_id = %p.appointment_id, "reminder skipped: the appointment changed");
            return Ok(());
        };
        let hours_before = serde_json::json!(p.offset_minutes.map(|m| m / 60));
        ask_about(&self.ctx, &*self.notifier, job, &a, "appointment_reminder", Some(hours_before)).await?;
        self.ctx.faults.check("reminder.sent")
    }
}

/// Asks a patient to confirm when their appointment, two days ahead, is still unconfirmed
/// and likely to be missed.
struct RiskCheckHandler {
    ctx: Ctx,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for RiskCheckHandler {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p = payload(job)?;
        // Moved, confirmed, cancelled: nothing to ask.
        let booked = |a: &Appointment| a.status == frontdesk_domain::scheduling::AppointmentStatus::Booked;
        let Some(a) = still_at_its_time(&self.ctx, job, &p).await?.filter(booked) else {
            return Ok(());
        };
        let risks = super::risk::no_show_risks(&self.ctx, job.tenant_id, std::slice::from_ref(&a))
            .await
            .map_err(|e| JobError::retryable(e.to_string()))?;
        let Some(risk) = risks.get(&a.id) else { return Ok(()) };
        // The clinic's own threshold (default `Risk::HIGH`): what is worth a message is
        // its call.
        let threshold = self.ctx.store.tenant_settings(job.tenant_id).await?.no_show.high_risk_threshold;
        if risk.probability < threshold {
            return Ok(());
        }
        ask_about(&self.ctx, &*self.notifier, job, &a, "appointment_confirm_request", None).await?;
        metrics::counter!("frontdesk_risk_confirmations_total").increment(1);
        // Playbooks may follow up (an AI call if the request goes unanswered).
        let fact = Fact::new(
            a.tenant_id,
            FactKind::ConfirmationRequested,
            format_args!("appointment:{}:v{}", a.id, a.version),
            serde_json::json!({"appointment_id": a.id, "patient_id": a.patient_id, "start": a.start}),
            self.ctx.clock.now(),
        );
        crate::facts::note(&self.ctx, &fact).await.map_err(|e| JobError::retryable(e.to_string()))
    }
}

struct NoShowHandler {
    ctx: Ctx,
}

#[async_trait]
impl JobHandler for NoShowHandler {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p = payload(job)?;
        let store = &self.ctx.store;
        let Some(a) = store
            .get_appointment(job.tenant_id, p.appointment_id)
            .await
            .map_err(|e| JobError::retryable(e.to_string()))?
        else {
            return Ok(());
        };
        // Checked in, completed, cancelled or moved: nothing to do.
        if a.start != p.start || !a.status.is_pending() {
            return Ok(());
        }
        let request = ActionRequest {
            action: AppointmentAction::MarkNoShow,
            reason: Some("not checked in by the end of the grace period".into()),
            new_start: None,
            actor: "system:no_show".into(),
            confirmation: super::Confirmation::Silent,
        };
        match apply_action(&self.ctx, job.tenant_id, a.id, request).await {
            Ok(_) => {
                metrics::counter!("frontdesk_no_shows_total").increment(1);
                Ok(())
            }
            // Changed meanwhile: the next run sees the new state.
            Err(super::SchedulingFailure::Stale) => Err(JobError::retryable("appointment changed meanwhile")),
            Err(super::SchedulingFailure::InvalidTransition { .. }) => Ok(()),
            Err(e) => Err(JobError::retryable(e.to_string())),
        }
    }
}

/// Registers the scheduling jobs with the runner.
pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx, notifier: Arc<dyn Notifier>) {
    super::confirmations::register(registry, ctx.clone(), notifier.clone());
    super::noshow_training::register(registry, ctx.clone());
    registry.register(RISK_CHECK_JOB, RiskCheckHandler { ctx: ctx.clone(), notifier: notifier.clone() });
    registry.register(REMINDER_JOB, ReminderHandler { ctx: ctx.clone(), notifier });
    registry.register(NO_SHOW_JOB, NoShowHandler { ctx });
}
