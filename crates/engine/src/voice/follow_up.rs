//! The step after a call, decided from its outcome: unanswered calls are retried on the
//! tenant's cadence inside calling hours (with a WhatsApp message after the first), a
//! requested callback is placed at the requested time, and "not interested" or a wrong
//! number end the calling. The reason is kept on the call for staff.

use super::calls::{CallPayloadRef, call_job, calling_time};
use super::{MISSED_CALL_MESSAGE_JOB, PLACE_CALL_JOB, RETRY_CALL_JOB};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use crate::messaging::{Content, SendKey, SendRequest, send_keyed};
use async_trait::async_trait;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::messaging::{Channel, TemplateKey, may_send_automated};
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::voice::{Call, CallOutcome, RetryPlan, next_attempt};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Jobs to enqueue with the ended call, and why (in words for staff).
pub(super) fn plan(
    settings: &TenantSettings,
    tz: &TimeZone,
    call: &Call,
    now: Timestamp,
) -> (Vec<NewJob>, String) {
    let Some(outcome) = call.outcome else { return (Vec::new(), "no outcome".into()) };
    if call.patient_id.is_none() {
        return (Vec::new(), "no follow-up: the caller is not a known patient".into());
    }
    let quiet = &settings.messaging.quiet_hours;
    if outcome.is_unreached() && call.placed_by_campaign() {
        return (Vec::new(), "no retry here: the campaign's step calls again if it has attempts left".into());
    }
    match outcome {
        o if o.is_unreached() => {
            let ended = call.ended_at.unwrap_or(now).max(now);
            let mut jobs = Vec::new();
            let mut why = match next_attempt(&settings.voice.retry, quiet, tz, call.attempt, ended) {
                RetryPlan::At { at, reason, .. } => {
                    jobs.push(call_job(call, RETRY_CALL_JOB, "retry", at));
                    format!("{reason} at {at}")
                }
                RetryPlan::GiveUp { reason } => format!("no more calls: {reason}"),
            };
            if settings.voice.whatsapp_follow_up && call.attempt == 1 {
                jobs.push(call_job(call, MISSED_CALL_MESSAGE_JOB, "missed-call-message", now));
                why.push_str("; a WhatsApp message follows");
            }
            (jobs, why)
        }
        CallOutcome::CallbackRequested => {
            // Without a time, the patient asked for "later": two hours, in calling hours.
            let wanted = call.callback_at.unwrap_or(now + SignedDuration::from_hours(2)).max(now);
            let at = frontdesk_domain::messaging::next_allowed(wanted, tz, quiet);
            (vec![call_job(call, RETRY_CALL_JOB, "callback", at)], format!("calling back at {at}"))
        }
        CallOutcome::NotInterested => (Vec::new(), "no more calls: the patient is not interested".into()),
        CallOutcome::WrongNumber => (Vec::new(), "no more calls: the number is flagged as wrong".into()),
        CallOutcome::Booked => (Vec::new(), "nothing more to do: booked".into()),
        _ => (Vec::new(), "no automatic follow-up".into()),
    }
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

async fn load(ctx: &Ctx, job: &Job) -> Result<Call, JobError> {
    let CallPayloadRef { call_id } =
        serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(e.to_string()))?;
    ctx.store
        .get_call(job.tenant_id, call_id)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobError::permanent("the call no longer exists"))
}

/// Starts the next call of the sequence: a new call record, placed at once (its own job
/// checks calling hours and do-not-call again).
pub(super) struct RetryCall {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for RetryCall {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let previous = load(ctx, job).await?;
        let Some(patient) = previous.patient_id else { return Ok(()) };
        let now = ctx.clock.now();
        let settings = ctx.store.tenant_settings(previous.tenant_id).await.map_err(retry)?;
        let mut next = Call::outbound(
            previous.tenant_id,
            patient,
            settings.voice.provider.as_str(),
            previous.reason.clone(),
            now,
        );
        next.attempt = previous.attempt + 1;
        next.parent_call_id = Some(previous.parent_call_id.unwrap_or(previous.id));
        next.assistant_id = previous.assistant_id.clone();
        next.lead_id = previous.lead_id;
        let tenant = ctx
            .store
            .tenant_by_id(previous.tenant_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("no tenant"))?;
        let at = calling_time(&settings, &tenant.timezone.time_zone(), now);
        ctx.store
            .insert_call(&next, &[call_job(&next, PLACE_CALL_JOB, "place", at)], now)
            .await
            .map_err(retry)
    }
}

/// "We tried to call you": the offer in writing, when the patient has not opted out.
pub(super) struct MissedCallMessage {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for MissedCallMessage {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let call = load(ctx, job).await?;
        let Some(patient_id) = call.patient_id else { return Ok(()) };
        let consents = ctx.store.consents(call.tenant_id, patient_id).await.map_err(retry)?;
        if !may_send_automated(&consents, Channel::Whatsapp) {
            return Ok(()); // opted out: the send would be refused anyway
        }
        let tenant = ctx
            .store
            .tenant_by_id(call.tenant_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("no tenant"))?;
        let patient = ctx
            .store
            .get_patient(call.tenant_id, patient_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("the patient no longer exists"))?;
        let request = SendRequest {
            tenant_id: call.tenant_id,
            patient_id,
            channel: Channel::Whatsapp,
            content: Content::Template {
                key: TemplateKey::MissedCall,
                variables: serde_json::json!({
                    "clinic_name": tenant.name,
                    "patient_first_name": patient.known_first_name().unwrap_or_default(),
                }),
            },
            automated: true,
            by: frontdesk_domain::messaging::Sender::Automation,
            campaign: None,
        };
        // Keyed by this job: a retry does not text the patient twice.
        let once = SendKey { anchor: job.id.as_uuid(), purpose: "missed_call", seq: 0 };
        send_keyed(ctx, request, once).await?;
        Ok(())
    }
}
