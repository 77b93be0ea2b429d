//! Campaigns as records: create one, preview its audience, start, pause, resume or stop
//! it, read where it stands. Starting files the job that enrolls the audience a page at a
//! time; the jobs that enroll and send the steps are the campaign playbook's
//! (`playbooks::campaigns`), which acts only through this module and messaging.

mod enrollment;
pub use enrollment::{EnrollmentDetail, Interaction, MAX_INTERACTIONS, NextStep, enrollment_detail};

use crate::Ctx;
use frontdesk_domain::campaigns::results::{ResultCounts, by_kind};
use frontdesk_domain::campaigns::{
    Campaign, CampaignAction, CampaignError, CampaignKind, CampaignStatus, InvalidCampaignTransition,
    Segment, SendingWindow, Step, transition,
};
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_store::{AudienceQuery, EnrollmentCounts, StoreError};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// Enrolls one page of a running campaign's audience, then files the next page's job.
pub const ENROLL_JOB: &str = "campaign.enroll";
/// Sends one step to one enrolled patient.
pub const STEP_JOB: &str = "campaign.step";

/// Patients enrolled per page (per transaction).
pub const ENROLL_PAGE: u32 = 2_000;
/// The most a preview counts: beyond it the audience is "at least" this.
pub const PREVIEW_COUNT_CAP: u64 = 200_000;

#[derive(Debug, Error)]
pub enum CampaignFailure {
    #[error("campaign not found")]
    NotFound,
    #[error(transparent)]
    Invalid(#[from] CampaignError),
    #[error(transparent)]
    Transition(#[from] InvalidCampaignTransition),
    /// Someone else changed the campaign's status meanwhile.
    #[error("the campaign changed meanwhile; reload and retry")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a new campaign is.
#[derive(Debug, Clone, Deserialize)]
pub struct NewCampaign {
    pub name: String,
    pub kind: CampaignKind,
    pub segment: Segment,
    pub steps: Vec<Step>,
    pub window: Option<SendingWindow>,
}

/// The job that enrolls the page of the audience after `after`; the enrollments filed so
/// far (`enrolled`) spread the first steps over time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollPayload {
    pub campaign_id: Uuid,
    pub after: Option<PatientId>,
    pub enrolled: u64,
}

/// The job that sends step `step` of enrollment `enrollment_id`, planned for
/// `planned_at` (kept when a paused step is filed again for later).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepPayload {
    pub enrollment_id: Uuid,
    pub step: u32,
    pub planned_at: jiff::Timestamp,
    /// A call step: the calls placed so far for it (the job looks at the last one's
    /// outcome before calling again or moving on); 0 for a message step.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempt: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl StepPayload {
    /// What the step's message is keyed by: the same for every run of this step (a retry,
    /// a step filed again after a pause), and time-ordered by when the step was planned, so
    /// the message sorts among the conversation's others by when it was meant to go.
    /// (The same for every attempt of a call step: see [`StepPayload::call_key`].)
    pub fn anchor(&self) -> Uuid {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{}:{}", self.enrollment_id, self.step));
        let mut random = [0u8; 10];
        random.copy_from_slice(&digest[..10]);
        let ms = u64::try_from(self.planned_at.as_millisecond()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
    }

    /// What call `attempt` (0 for the first) of this step is keyed by: every run that
    /// would place it finds the same call.
    pub fn call_key(&self, tenant: TenantId, attempt: u32) -> Uuid {
        crate::faults::derived_after(tenant, self.anchor(), u64::from(attempt), "campaign_call")
    }
}

pub fn enroll_job(tenant: TenantId, p: &EnrollPayload, run_at: jiff::Timestamp) -> NewJob {
    let after = p.after.map_or_else(|| "start".to_owned(), |a| a.to_string());
    NewJob::new(tenant, ENROLL_JOB, serde_json::json!(p), run_at).with_dedupe_key(format!(
        "campaign:{}:enroll:{after}:{}",
        p.campaign_id,
        run_at.as_second()
    ))
}

/// Step `step` of an enrollment at `run_at`: keyed by both, so a paused step can be filed
/// again for later; what makes the step go once is the enrollment's step count and the
/// message's key, not the job.
pub fn step_job(tenant: TenantId, p: &StepPayload, run_at: jiff::Timestamp) -> NewJob {
    let attempt = if p.attempt == 0 { String::new() } else { format!(":attempt:{}", p.attempt) };
    NewJob::new(tenant, STEP_JOB, serde_json::json!(p), run_at).with_dedupe_key(format!(
        "campaign-enrollment:{}:step:{}:{}{attempt}",
        p.enrollment_id,
        p.step,
        run_at.as_second()
    ))
}

/// The id of a patient's enrollment in a campaign: the same whenever the page is enrolled,
/// so a step job filed before a restart names the enrollment that exists.
pub fn enrollment_id(campaign: Uuid, patient: PatientId) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest([campaign.as_bytes().as_slice(), patient.0.as_bytes().as_slice()].concat());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // A version-8 (custom) UUID, RFC 9562.
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

pub async fn create(ctx: &Ctx, tenant: TenantId, new: NewCampaign) -> Result<Campaign, CampaignFailure> {
    let campaign = draft(ctx, tenant, new)?;
    ctx.store.insert_campaign(&campaign).await?;
    Ok(campaign)
}

/// The draft `new` would be, checked, not saved: what a preview before creating reads.
pub fn draft(ctx: &Ctx, tenant: TenantId, new: NewCampaign) -> Result<Campaign, CampaignFailure> {
    let now = ctx.clock.now();
    let campaign = Campaign {
        id: Uuid::now_v7(),
        tenant_id: tenant,
        name: new.name.trim().to_owned(),
        kind: new.kind,
        segment: new.segment,
        steps: new.steps,
        window: new.window.unwrap_or_default(),
        status: CampaignStatus::Draft,
        created_at: now,
        updated_at: now,
    };
    campaign.validate()?;
    Ok(campaign)
}

pub async fn get(ctx: &Ctx, tenant: TenantId, id: Uuid) -> Result<Campaign, CampaignFailure> {
    ctx.store.get_campaign(tenant, id).await?.ok_or(CampaignFailure::NotFound)
}

/// Starts, pauses, resumes or stops a campaign. Starting (and resuming) files the job that
/// enrolls the audience from the beginning: enrolling is idempotent, so a resumed campaign
/// adds only patients who joined the audience meanwhile.
pub async fn act(
    ctx: &Ctx,
    tenant: TenantId,
    id: Uuid,
    action: CampaignAction,
) -> Result<Campaign, CampaignFailure> {
    let current = get(ctx, tenant, id).await?;
    let to = transition(current.status, action)?;
    let now = ctx.clock.now();
    let jobs = match action {
        CampaignAction::Start | CampaignAction::Resume => {
            vec![enroll_job(tenant, &EnrollPayload { campaign_id: id, after: None, enrolled: 0 }, now)]
        }
        CampaignAction::Pause | CampaignAction::Stop => Vec::new(),
    };
    if !ctx.store.move_campaign(tenant, id, current.status, to, &jobs, now).await? {
        return Err(CampaignFailure::Stale);
    }
    get(ctx, tenant, id).await
}

/// How many patients a campaign would reach now (up to `PREVIEW_COUNT_CAP`), and the
/// first few of them: the dry run staff see before starting.
pub struct Preview {
    pub audience: u64,
    /// More than `audience` may match: counting stopped at the cap.
    pub capped: bool,
    pub sample: Vec<PatientId>,
}

pub async fn preview(ctx: &Ctx, campaign: &Campaign, sample: usize) -> Result<Preview, CampaignFailure> {
    let now = ctx.clock.now();
    let mut after = None;
    let mut count = 0u64;
    let mut first = Vec::new();
    loop {
        let q = AudienceQuery { kind: campaign.kind, segment: &campaign.segment, now, after, limit: 5_000 };
        let page = ctx.store.campaign_audience(campaign.tenant_id, &q).await?;
        if first.len() < sample {
            first.extend(page.iter().take(sample - first.len()).copied());
        }
        count += page.len() as u64;
        if page.len() < 5_000 || count >= PREVIEW_COUNT_CAP {
            return Ok(Preview { audience: count, capped: count >= PREVIEW_COUNT_CAP, sample: first });
        }
        after = page.last().copied();
    }
}

/// Every campaign's results with its name, kind and status (newest first), the sums by
/// kind and the clinic's total: "this month" is the clinic's calendar month.
pub struct CampaignResults {
    pub campaigns: Vec<(Campaign, ResultCounts)>,
    pub by_kind: Vec<(CampaignKind, ResultCounts)>,
    pub total: ResultCounts,
}

pub async fn results(ctx: &Ctx, tenant: TenantId) -> Result<CampaignResults, CampaignFailure> {
    let now = ctx.clock.now();
    let zone = ctx.store.tenant_by_id(tenant).await?.ok_or(CampaignFailure::NotFound)?.timezone.time_zone();
    let today = now.to_zoned(zone.clone()).date();
    let month_start = today.first_of_month().to_zoned(zone).map_or(now, |z| z.timestamp());
    let ninety_days_ago = now.checked_sub(jiff::SignedDuration::from_hours(24 * 90)).unwrap_or(now);
    let counts: std::collections::HashMap<Uuid, ResultCounts> =
        ctx.store.campaign_results(tenant, month_start, ninety_days_ago).await?.into_iter().collect();
    let mut campaigns = Vec::new();
    let mut page = frontdesk_domain::page::PageRequest::new(None, Some(100));
    loop {
        let listed = ctx.store.list_campaigns(tenant, page).await?;
        for c in listed.items {
            let n = counts.get(&c.id).copied().unwrap_or_default();
            campaigns.push((c, n));
        }
        match listed.next_cursor {
            Some(next) => page = frontdesk_domain::page::PageRequest::new(Some(next), Some(100)),
            None => break,
        }
    }
    let kinds: Vec<(CampaignKind, ResultCounts)> = campaigns.iter().map(|(c, n)| (c.kind, *n)).collect();
    let mut total = ResultCounts::default();
    for (_, n) in &kinds {
        total += *n;
    }
    Ok(CampaignResults { by_kind: by_kind(&kinds), campaigns, total })
}

pub async fn counts(ctx: &Ctx, tenant: TenantId, id: Uuid) -> Result<EnrollmentCounts, CampaignFailure> {
    Ok(ctx.store.enrollment_counts(tenant, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enrollment_id_is_the_same_for_the_same_patient_and_campaign() {
        let (c, p) = (Uuid::now_v7(), PatientId::new());
        assert_eq!(enrollment_id(c, p), enrollment_id(c, p));
        assert_ne!(enrollment_id(c, p), enrollment_id(c, PatientId::new()));
        assert_ne!(enrollment_id(c, p), enrollment_id(Uuid::now_v7(), p));
        assert_eq!(enrollment_id(c, p).get_version_num(), 8);
    }

    #[test]
    fn a_steps_message_key_is_stable_and_sorts_by_when_it_was_planned() {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let step = |n, planned: &str| StepPayload {
            enrollment_id: Uuid::nil(),
            step: n,
            planned_at: at(planned),
            attempt: 0,
        };
        assert_eq!(step(0, "2026-06-01T12:00:00Z").anchor(), step(0, "2026-06-01T12:00:00Z").anchor());
        assert_ne!(step(0, "2026-06-01T12:00:00Z").anchor(), step(1, "2026-06-01T12:00:00Z").anchor());
        assert!(step(0, "2026-06-01T12:00:00Z").anchor() < step(1, "2026-06-03T12:00:00Z").anchor());
        assert_eq!(step(0, "2026-06-01T12:00:00Z").anchor().get_version_num(), 7);
    }
}
