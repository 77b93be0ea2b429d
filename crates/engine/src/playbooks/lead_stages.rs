//! Appointments move their patient's lead: booked, showed (check-in or completion), no-show
//! (which starts reactivation), and lost when the patient cancels with nothing else booked
//! (so a cancelled lead is counted, and recovered, as one that did not book). Reacts to the appointment facts scheduling records in the
//! booking's transaction, so the move happens whichever path booked (API, dialogue, voice
//! tool) and survives a crash.

use crate::Ctx;
use crate::facts::fact_of;
use crate::jobs::{JobError, JobHandler};
use crate::leads::{REACTIVATION_JOB, lead_job};
use async_trait::async_trait;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::Job;
use frontdesk_domain::leads::{LeadEvent, LeadStage};
use jiff::SignedDuration;
use serde::Deserialize;
use serde_json::json;

/// What scheduling puts in an appointment fact (ids only).
#[derive(Deserialize)]
struct Payload {
    patient_id: frontdesk_domain::PatientId,
    appointment_id: frontdesk_domain::AppointmentId,
}

pub(super) struct LeadStages {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for LeadStages {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let fact = fact_of(job)?;
        let p: Payload = serde_json::from_value(fact.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad appointment fact: {e}")))?;
        let stage = match fact.kind {
            FactKind::AppointmentBooked => LeadStage::Booked,
            FactKind::AppointmentShowed => LeadStage::Showed,
            FactKind::AppointmentNoShow => LeadStage::NoShow,
            FactKind::AppointmentCancelled => {
                // Another appointment still ahead keeps the lead booked.
                let ahead = crate::scheduling::upcoming_for(ctx, job.tenant_id, p.patient_id)
                    .await
                    .map_err(JobError::retryable)?;
                if ahead.iter().any(|a| a.id != p.appointment_id) {
                    return Ok(());
                }
                LeadStage::Lost
            }
            _ => return Ok(()),
        };
        move_lead(ctx, job, &p, stage, &fact.id).await
    }
}

/// The job kind appointment changes used before facts; jobs of it still queued at an
/// upgrade are run by the same rule.
pub(super) const LEGACY_JOB: &str = "leads.appointment_event";

#[derive(Deserialize)]
struct LegacyPayload {
    #[serde(flatten)]
    appointment: Payload,
    stage: LeadStage,
}

pub(super) struct LegacyAppointmentEvent {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for LegacyAppointmentEvent {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: LegacyPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let id = format!("legacy:{}", job.id);
        move_lead(&self.ctx, job, &p.appointment, p.stage, &id).await
    }
}

async fn move_lead(
    ctx: &Ctx,
    job: &Job,
    p: &Payload,
    stage: LeadStage,
    fact_id: &str,
) -> Result<(), JobError> {
    let retry = |e: frontdesk_store::StoreError| JobError::retryable(e);
    let Some(mut lead) =
        ctx.store.latest_lead_for_patient(job.tenant_id, p.patient_id).await.map_err(retry)?
    else {
        return Ok(()); // a patient who never was a lead
    };
    let now = ctx.clock.now();
    let from = lead.stage;
    let booked_before = lead.stage_times.contains_key(&LeadStage::Booked);
    let moved = match stage {
        // Only a booked lead loses its booking; a new or contacted one was never counted
        // as booked and stays where the outreach left it.
        LeadStage::Lost => from == LeadStage::Booked && lead.mark_lost("cancelled the appointment", now),
        _ => lead.move_to(stage, now),
    };
    if !moved {
        return Ok(());
    }
    let event = LeadEvent::new(
        &lead,
        "stage_changed",
        json!({"from": from, "to": stage, "appointment_id": p.appointment_id}),
        now,
    );
    let mut jobs = Vec::new();
    if stage == LeadStage::NoShow {
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
    let fact = Fact::new(
        lead.tenant_id,
        FactKind::LeadStageChanged,
        format_args!("lead:{}:{fact_id}", lead.id),
        // The lead's creation and whether it is its first booking: analytics count a lead
        // as converted once, on the day it arrived (docs/metrics.md).
        json!({"lead_id": lead.id, "from": from, "to": stage, "lead_created_at": lead.created_at,
            "first_booking": stage == LeadStage::Booked && !booked_before, "source": lead.source}),
        now,
    );
    jobs.extend(crate::facts::jobs_for(&fact, now));
    ctx.store.save_lead(&lead, &[event], &jobs, now).await.map_err(retry)
}
