//! Campaigns and their enrollments (`frontdesk_domain::campaigns`). A patient is enrolled
//! in a campaign at most once (the pair is unique), so enrolling a page of the audience
//! again after a restart adds only who is missing; a step is recorded as sent by moving
//! the enrollment's step count from exactly the value it was sent at, so two workers (or a
//! retry) cannot both record it.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::campaigns::{
    Campaign, CampaignKind, CampaignStatus, Enrollment, EnrollmentState, Segment,
};
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::{PatientId, TenantId};
use jiff::Timestamp;
use uuid::Uuid;

/// One page of a campaign's audience: patients in id order after `after`.
#[derive(Debug, Clone)]
pub struct AudienceQuery<'a> {
    pub kind: CampaignKind,
    pub segment: &'a Segment,
    /// "Now": a recall's cut-off and "nothing booked ahead" are measured from it.
    pub now: Timestamp,
    pub after: Option<PatientId>,
    pub limit: u32,
}

#[async_trait]
pub trait CampaignStore: Send + Sync {
    async fn insert_campaign(&self, campaign: &Campaign) -> StoreResult<()>;
    async fn get_campaign(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<Campaign>>;
    /// Newest first.
    async fn list_campaigns(&self, tenant: TenantId, page: PageRequest) -> StoreResult<Page<Campaign>>;
    /// Moves the campaign from `from` to `to` and files `jobs`, in one transaction; false
    /// (and nothing filed) when it was no longer in `from`.
    async fn move_campaign(
        &self,
        tenant: TenantId,
        id: Uuid,
        from: CampaignStatus,
        to: CampaignStatus,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The patients a campaign of `kind` and `segment` is for, a page at a time: not
    /// erased, with no appointment booked ahead, and per kind: recall, a last attended visit
    /// before the cut-off; recovery, a last appointment cancelled or missed; reactivation, a
    /// lead marked lost; custom, anyone. The segment's service, practitioner and unit apply
    /// to that last appointment.
    async fn campaign_audience(
        &self,
        tenant: TenantId,
        query: &AudienceQuery<'_>,
    ) -> StoreResult<Vec<PatientId>>;
    /// Files the enrollments not there yet, each with its first step's job (a patient
    /// already enrolled in the campaign is skipped, job and all), and `jobs` (the next
    /// page's), in one transaction: how many were new.
    async fn enroll(
        &self,
        enrollments: &[(Enrollment, NewJob)],
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<u64>;
    async fn get_enrollment(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<Enrollment>>;
    /// Newest first.
    async fn list_enrollments(
        &self,
        tenant: TenantId,
        campaign: Uuid,
        state: Option<EnrollmentState>,
        page: PageRequest,
    ) -> StoreResult<Page<Enrollment>>;
    /// Records step `sent` as sent (the count moves from `sent` to `sent + 1`) and files
    /// `jobs` (the next step), in one transaction; false when the enrollment is no longer
    /// active at that count.
    async fn advance_enrollment(
        &self,
        tenant: TenantId,
        id: Uuid,
        sent: u32,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Ends an active enrollment in `state`; false when it was no longer active.
    async fn end_enrollment(
        &self,
        tenant: TenantId,
        id: Uuid,
        state: EnrollmentState,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The patient's enrollments still active, in any campaign.
    async fn active_enrollments_of(
        &self,
        tenant: TenantId,
        patient: PatientId,
    ) -> StoreResult<Vec<Enrollment>>;
    /// When the patient was last sent a step of a campaign other than `except`.
    async fn last_campaign_message_at(
        &self,
        tenant: TenantId,
        patient: PatientId,
        except: Uuid,
    ) -> StoreResult<Option<Timestamp>>;
    /// Notes that the last page of a running campaign's audience has been enrolled (moving
    /// the campaign to running again clears the note: a resume enrolls from the start).
    async fn mark_audience_enrolled(&self, tenant: TenantId, id: Uuid, now: Timestamp) -> StoreResult<()>;
    /// Moves a running campaign to completed when its whole audience has been enrolled and
    /// no enrollment is active any more; true when it moved.
    async fn complete_campaign_if_done(
        &self,
        tenant: TenantId,
        id: Uuid,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// How many of the campaign's enrollments are in each state, and how many steps were
    /// sent in all.
    async fn enrollment_counts(&self, tenant: TenantId, campaign: Uuid) -> StoreResult<EnrollmentCounts>;
    /// Notes the patient's first reply to the campaign (later ones change nothing).
    async fn mark_enrollment_replied(&self, tenant: TenantId, id: Uuid, at: Timestamp) -> StoreResult<()>;
    /// The enrollment's next queued step job (the earliest, when a step was filed again),
    /// if any: where it stands in the sequence and when it runs. Step jobs carry the
    /// dedupe key `campaign-enrollment:{id}:step:...`.
    async fn next_step_job(
        &self,
        tenant: TenantId,
        enrollment: Uuid,
    ) -> StoreResult<Option<frontdesk_domain::jobs::Job>>;
    /// Every campaign's results (see `frontdesk_domain::campaigns::results`): "this month"
    /// counts enrollments from `month_start`, "90 days" from `ninety_days_ago`.
    async fn campaign_results(
        &self,
        tenant: TenantId,
        month_start: Timestamp,
        ninety_days_ago: Timestamp,
    ) -> StoreResult<Vec<(Uuid, frontdesk_domain::campaigns::results::ResultCounts)>>;
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrollmentCounts {
    pub by_state: Vec<(EnrollmentState, u64)>,
    pub steps_sent: u64,
}

impl EnrollmentCounts {
    pub fn get(&self, state: EnrollmentState) -> u64 {
        self.by_state.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n)
    }

    pub fn total(&self) -> u64 {
        self.by_state.iter().map(|(_, n)| n).sum()
    }

    /// The campaign's results as rates of the enrolled.
    pub fn kpis(&self) -> frontdesk_domain::campaigns::CampaignKpis {
        frontdesk_domain::campaigns::CampaignKpis::of(
            self.total(),
            self.get(EnrollmentState::Booked),
            self.get(EnrollmentState::Declined),
            self.get(EnrollmentState::OptedOut),
            self.get(EnrollmentState::NeedsStaff),
            self.steps_sent,
        )
    }
}
