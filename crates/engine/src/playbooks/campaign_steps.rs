//! What every kind of campaign step shares: the clinic's zone its window is read in,
//! moving an enrollment on to its next step, and ending one (completing the campaign when
//! it was the last active). The message steps (`campaigns`) and the call steps
//! (`campaign_call`) both use these; neither needs the other's.

use crate::Ctx;
use crate::campaigns::{StepPayload, step_job};
use crate::jobs::JobError;
use frontdesk_domain::campaigns::{Campaign, Enrollment, EnrollmentState, next_in_window, step_due};
use jiff::SignedDuration;

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

/// The clinic's time zone: a campaign's sending window is in local time.
pub(super) async fn clinic_zone(ctx: &Ctx, campaign: &Campaign) -> Result<jiff::tz::TimeZone, JobError> {
    let tenant =
        ctx.store.tenant_by_id(campaign.tenant_id).await?.ok_or_else(|| JobError::permanent("no tenant"))?;
    Ok(tenant.timezone.time_zone())
}

/// Records step `step` as done and files the next one (in the window), or the closing look
/// a day after the last.
pub(super) async fn advance(
    ctx: &Ctx,
    campaign: &Campaign,
    e: &Enrollment,
    step: u32,
    now: jiff::Timestamp,
) -> Result<(), JobError> {
    let next = step + 1;
    let at = match campaign.steps.get(next as usize) {
        Some(following) => {
            let tz = clinic_zone(ctx, campaign).await?;
            next_in_window(&campaign.window, step_due(following, now), &tz)
        }
        // The last step: one more look once a day has passed, to close the enrollment
        // (booked, or finished without an answer).
        None => now.checked_add(SignedDuration::from_hours(24)).unwrap_or(now),
    };
    let following = StepPayload { enrollment_id: e.id, step: next, planned_at: at, attempt: 0 };
    let jobs = [step_job(e.tenant_id, &following, at)];
    ctx.store.advance_enrollment(e.tenant_id, e.id, step, &jobs, now).await.map_err(retry)?;
    Ok(())
}

/// Ends an enrollment and, when it was the campaign's last active one and the whole
/// audience has been enrolled, completes the campaign.
pub(super) async fn end_and_complete(
    ctx: &Ctx,
    tenant: frontdesk_domain::TenantId,
    e: &Enrollment,
    state: EnrollmentState,
    now: jiff::Timestamp,
) -> Result<(), JobError> {
    if ctx.store.end_enrollment(tenant, e.id, state, now).await? {
        ctx.store.complete_campaign_if_done(tenant, e.campaign_id, now).await?;
    }
    Ok(())
}
