//! A campaign's call step: an AI call to the patient, tried again `retry_after_hours`
//! later while nobody answers, up to the step's `attempts`; then the campaign moves on.
//!
//! The step's job places call `attempt` (keyed by the step and the attempt, so a rerun
//! finds the call it placed) and files a look at its outcome. That look waits while the
//! call is not over (it may wait for calling hours); an answered call, a failed one or the
//! last attempt moves the enrollment to the next step; an unanswered one (no answer, busy,
//! voicemail) with attempts left files the next call. What the patient says on the call
//! ends the enrollment the way a message does: a booking ends it `booked`, "do not call
//! me" records the opt-out (which ends it at the next look).

use super::campaign_steps::{advance, clinic_zone, end_and_complete};
use crate::Ctx;
use crate::campaigns::{StepPayload, step_job};
use crate::jobs::JobError;
use crate::voice::{PlaceCallRequest, VoiceFailure, once_call_id, place_call};
use frontdesk_domain::campaigns::{Campaign, Enrollment, EnrollmentState, Step, next_in_window};
use frontdesk_domain::voice::CAMPAIGN_REASON_PREFIX;
use jiff::{SignedDuration, Timestamp};

/// How long after placing a call (or finding it not over yet) the step looks at it again.
pub const CALL_LOOK_AGAIN: SignedDuration = SignedDuration::from_hours(1);

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

/// Places call `p.attempt` of the step and files the look at its outcome.
pub(super) async fn place(
    ctx: &Ctx,
    campaign: &Campaign,
    e: &Enrollment,
    p: &StepPayload,
    now: Timestamp,
) -> Result<(), JobError> {
    let request = PlaceCallRequest {
        tenant_id: e.tenant_id,
        patient_id: e.patient_id,
        // Told to the assistant: why the clinic calls (a recall, a recovery...).
        reason: Some(format!("{CAMPAIGN_REASON_PREFIX}{}", campaign.kind.as_str())),
        assistant_id: None,
        lead_id: None,
        once: Some(p.call_key(e.tenant_id, p.attempt)),
    };
    match place_call(ctx, request).await {
        Ok(_) => {}
        Err(VoiceFailure::OptedOut) => {
            return end_and_complete(ctx, e.tenant_id, e, EnrollmentState::OptedOut, now).await;
        }
        // The patient is gone, or the clinic cannot call (no voice provider): this patient
        // cannot be reached this way; the others go on.
        Err(VoiceFailure::NotFound(_) | VoiceFailure::NotConfigured(_) | VoiceFailure::Invalid(_)) => {
            return end_and_complete(ctx, e.tenant_id, e, EnrollmentState::Stopped, now).await;
        }
        Err(other) => return Err(retry(other)),
    }
    let look = StepPayload { attempt: p.attempt + 1, ..p.clone() };
    let at = now.checked_add(CALL_LOOK_AGAIN).unwrap_or(now);
    ctx.store.enqueue(&step_job(e.tenant_id, &look, at), now).await.map_err(retry)?;
    Ok(())
}

/// What the step does once call `p.attempt - 1` has been placed.
pub(super) async fn follow_call(
    ctx: &Ctx,
    campaign: &Campaign,
    e: &Enrollment,
    p: &StepPayload,
    step: &Step,
    now: Timestamp,
) -> Result<(), JobError> {
    let tenant = e.tenant_id;
    let last = p.call_key(tenant, p.attempt - 1);
    let call = ctx.store.get_call(tenant, once_call_id(tenant, last)).await.map_err(retry)?;
    let Some(call) = call else {
        // Never stored (the placing run failed before it): place it now.
        let again = StepPayload { attempt: p.attempt - 1, ..p.clone() };
        return place(ctx, campaign, e, &again, now).await;
    };
    if !call.status.is_final() {
        // Waiting for calling hours, ringing or talking: look again later.
        let at = now.checked_add(CALL_LOOK_AGAIN).unwrap_or(now);
        ctx.store.enqueue(&step_job(tenant, p, at), now).await.map_err(retry)?;
        return Ok(());
    }
    let unanswered = call.outcome.is_some_and(|o| o.is_unreached());
    if !unanswered || p.attempt >= u32::from(step.attempts) {
        // Answered (what was said acts on its own), failed, or out of attempts: next step.
        return advance(ctx, campaign, e, p.step, now).await;
    }
    let ended = call.ended_at.unwrap_or(call.created_at);
    let due =
        ended.checked_add(SignedDuration::from_hours(i64::from(step.retry_after_hours))).unwrap_or(ended);
    let tz = clinic_zone(ctx, campaign).await?;
    let at = next_in_window(&campaign.window, due, &tz);
    if at > now {
        // Not yet: the same look, when the next call is due.
        ctx.store.enqueue(&step_job(tenant, p, at), now).await.map_err(retry)?;
        return Ok(());
    }
    place(ctx, campaign, e, p, now).await
}
