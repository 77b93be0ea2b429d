//! The second step of the extra confirmation for appointments likely to be missed: a
//! patient asked to confirm by message two days ahead who has not answered some hours
//! later gets a call from the AI voice agent, which can confirm, move or cancel.

use crate::Ctx;
use crate::facts::fact_of;
use crate::jobs::{JobError, JobHandler};
use crate::voice::{PlaceCallRequest, VoiceFailure, place_call};
use async_trait::async_trait;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::scheduling::AppointmentStatus;
use frontdesk_domain::{AppointmentId, PatientId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The job that calls, once the message has had time to be answered.
pub(super) const CALL_JOB: &str = "playbook.confirm_call.due";

/// How long the message has to be answered before the call.
const ANSWER_WITHIN: SignedDuration = SignedDuration::from_hours(6);

/// What the confirmation request's fact says (and the call job carries).
#[derive(Serialize, Deserialize)]
struct Asked {
    appointment_id: AppointmentId,
    patient_id: PatientId,
    start: Timestamp,
}

pub(super) struct ScheduleCall {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for ScheduleCall {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let fact = fact_of(job)?;
        let asked: Asked = serde_json::from_value(fact.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad confirmation fact: {e}")))?;
        let call = NewJob::new(job.tenant_id, CALL_JOB, serde_json::json!(asked), fact.at + ANSWER_WITHIN)
            .with_dedupe_key(format!(
                "confirm-call:{}:{}",
                asked.appointment_id,
                asked.start.as_microsecond()
            ));
        let now = self.ctx.clock.now();
        self.ctx.store.enqueue(&call, now).await.map_err(|e| JobError::retryable(e.to_string()))?;
        Ok(())
    }
}

pub(super) struct CallIfUnanswered {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for CallIfUnanswered {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let asked: Asked = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let now = ctx.clock.now();
        let current = ctx
            .store
            .get_appointment(job.tenant_id, asked.appointment_id)
            .await
            .map_err(|e| JobError::retryable(e.to_string()))?;
        // Confirmed, moved, cancelled or already past: the message did its work.
        let Some(a) = current
            .filter(|a| a.status == AppointmentStatus::Booked && a.start == asked.start && a.start > now)
        else {
            return Ok(());
        };
        let request = PlaceCallRequest {
            tenant_id: job.tenant_id,
            patient_id: a.patient_id,
            reason: Some("appointment_confirmation".into()),
            assistant_id: None,
            lead_id: None,
            once: Some(job.id.as_uuid()),
        };
        match place_call(ctx, request).await {
            Ok(_) => {
                metrics::counter!("frontdesk_risk_confirmation_calls_total").increment(1);
                Ok(())
            }
            Err(VoiceFailure::Store(e)) => Err(JobError::retryable(e.to_string())),
            // No voice set up, or the patient asked not to be called: the message stands.
            Err(e) => {
                tracing::info!(reason = %e, "no confirmation call placed");
                Ok(())
            }
        }
    }
}
