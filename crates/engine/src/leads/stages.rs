//! Appointments move their patient's lead: booked, showed (check-in or completion), no-show
//! (which starts reactivation). The booking's transaction enqueues the job, so the move
//! happens whichever path booked (API, dialogue, voice tool) and survives a crash.

use super::REACTIVATION_JOB;
use super::intake::lead_job;
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::leads::{LeadEvent, LeadStage};
use frontdesk_domain::scheduling::Appointment;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const LEAD_APPOINTMENT_JOB: &str = "leads.appointment_event";

#[derive(Serialize, Deserialize)]
struct Payload {
    patient_id: frontdesk_domain::PatientId,
    appointment_id: frontdesk_domain::AppointmentId,
    stage: LeadStage,
}

/// The job that moves the patient's lead to `stage` because of `appointment`.
pub fn appointment_job(appointment: &Appointment, stage: LeadStage, now: Timestamp) -> NewJob {
    let payload = Payload { patient_id: appointment.patient_id, appointment_id: appointment.id, stage };
    NewJob::new(appointment.tenant_id, LEAD_APPOINTMENT_JOB, json!(payload), now)
        .with_dedupe_key(format!("lead-stage:{}:{}:{}", appointment.id, stage, appointment.version))
}

pub(super) struct AppointmentEvent {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for AppointmentEvent {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let p: Payload =
            serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(e.to_string()))?;
        let retry = |e: frontdesk_store::StoreError| JobError::retryable(e.to_string());
        let Some(mut lead) =
            ctx.store.latest_lead_for_patient(job.tenant_id, p.patient_id).await.map_err(retry)?
        else {
            return Ok(()); // a patient who never was a lead
        };
        let now = ctx.clock.now();
        let from = lead.stage;
        if !lead.move_to(p.stage, now) {
            return Ok(());
        }
        let event = LeadEvent::new(
            &lead,
            "stage_changed",
            json!({"from": from, "to": p.stage, "appointment_id": p.appointment_id}),
            now,
        );
        let mut jobs = Vec::new();
        if p.stage == LeadStage::NoShow {
            let settings = ctx.store.tenant_settings(job.tenant_id).await.map_err(retry)?;
            if let Some(days) = settings.leads.reactivation_days.first() {
                jobs.push(lead_job(
                    &lead,
                    REACTIVATION_JOB,
                    0,
                    now + SignedDuration::from_hours(24 * i64::from(*days)),
                ));
            }
        }
        ctx.store.save_lead(&lead, &[event], &jobs, now).await.map_err(retry)
    }
}
