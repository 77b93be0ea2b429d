//! Campaigns over the API: create one (a draft), preview its audience (the dry run), start,
//! pause, resume or stop it, and follow its enrollments and counts.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::campaigns::{Campaign, CampaignAction, Enrollment, EnrollmentState};
use frontdesk_domain::page::PageRequest;
use frontdesk_engine::campaigns::{self, CampaignFailure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

impl From<CampaignFailure> for ApiError {
    fn from(f: CampaignFailure) -> Self {
        match f {
            CampaignFailure::NotFound => ApiError::not_found("campaign"),
            CampaignFailure::Invalid(e) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_campaign", e.to_string())
            }
            CampaignFailure::Transition(e) => ApiError::conflict("invalid_transition", e.to_string()),
            CampaignFailure::Stale => ApiError::conflict("stale", f.to_string()),
            CampaignFailure::Store(e) => e.into(),
        }
    }
}

pub use crate::campaign_body::{NewCampaignBody, SegmentBody, StepBody, WindowBody};

fn unprocessable(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_campaign", message)
}

#[derive(Serialize, ToSchema)]
pub struct CountsView {
    pub enrolled: u64,
    pub active: u64,
    pub booked: u64,
    pub declined: u64,
    pub opted_out: u64,
    pub needs_staff: u64,
    pub finished: u64,
    pub stopped: u64,
    /// Their e-mail address did not work.
    pub bounced: u64,
    /// Messages sent in all (one per patient and step).
    pub steps_sent: u64,
    /// Of the enrolled: the share who booked, declined, stopped messages, needed staff;
    /// `null` with nobody enrolled.
    pub booking_rate: Option<f64>,
    pub decline_rate: Option<f64>,
    pub opt_out_rate: Option<f64>,
    pub needs_staff_rate: Option<f64>,
    /// Messages sent per booking; `null` before the first booking.
    pub messages_per_booking: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignView {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    /// `draft`, `running`, `paused`, `stopped` or `completed`.
    pub status: String,
    pub segment: SegmentBody,
    pub steps: Vec<StepBody>,
    pub window: WindowBody,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    /// Where its patients stand (one campaign read; absent in lists).
    pub counts: Option<CountsView>,
}

impl CampaignView {
    fn of(c: Campaign, counts: Option<frontdesk_store::EnrollmentCounts>) -> Self {
        Self {
            id: c.id,
            name: c.name,
            kind: c.kind.as_str().to_owned(),
            status: c.status.as_str().to_owned(),
            segment: SegmentBody {
                last_visit_before_days: c.segment.last_visit_before_days,
                service_id: c.segment.service_id.map(|s| s.0),
                practitioner_id: c.segment.practitioner_id.map(|p| p.0),
                location_id: c.segment.location_id.map(|l| l.0),
                had_no_show: c.segment.had_no_show,
                lead_stage: c.segment.lead_stage.map(|s| s.as_str().to_owned()),
                lead_source: c.segment.lead_source.map(|s| s.as_str().to_owned()),
                tags: c.segment.tags.clone(),
                reachable_on: c.segment.reachable_on.map(|ch| ch.as_str().to_owned()),
            },
            steps: c.steps.iter().map(StepBody::of).collect(),
            window: WindowBody {
                weekdays: c.window.weekdays.clone(),
                from: c.window.from.strftime("%H:%M").to_string(),
                to: c.window.to.strftime("%H:%M").to_string(),
            },
            created_at: c.created_at,
            updated_at: c.updated_at,
            counts: counts.map(|n| {
                let kpis = n.kpis();
                CountsView {
                    enrolled: n.total(),
                    active: n.get(EnrollmentState::Active),
                    booked: n.get(EnrollmentState::Booked),
                    declined: n.get(EnrollmentState::Declined),
                    opted_out: n.get(EnrollmentState::OptedOut),
                    needs_staff: n.get(EnrollmentState::NeedsStaff),
                    finished: n.get(EnrollmentState::Finished),
                    stopped: n.get(EnrollmentState::Stopped),
                    bounced: n.get(EnrollmentState::Bounced),
                    steps_sent: n.steps_sent,
                    booking_rate: kpis.booking_rate,
                    decline_rate: kpis.decline_rate,
                    opt_out_rate: kpis.opt_out_rate,
                    needs_staff_rate: kpis.needs_staff_rate,
                    messages_per_booking: kpis.messages_per_booking,
                }
            }),
        }
    }
}

/// Creates a campaign as a draft: nothing is sent until it is started.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", security(("api_key" = [])),
    request_body = NewCampaignBody,
    responses((status = 201, body = CampaignView), (status = 400, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<NewCampaignBody>,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let campaign = campaigns::create(
        &state.ctx,
        who.tenant_id,
        crate::campaign_body::new_campaign(b).map_err(unprocessable)?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CampaignView::of(campaign, None))))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub before: Option<Uuid>,
    /// 1-500, default 50.
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignPage {
    pub items: Vec<CampaignView>,
    pub next_cursor: Option<Uuid>,
}

/// The clinic's campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", security(("api_key" = [])),
    params(ListQuery), responses((status = 200, body = CampaignPage), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CampaignPage>, ApiError> {
    let page = state.ctx.store.list_campaigns(who.tenant_id, PageRequest::new(q.before, q.limit)).await?;
    Ok(Json(CampaignPage {
        items: page.items.into_iter().map(|c| CampaignView::of(c, None)).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One campaign with where its patients stand.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CampaignView>, ApiError> {
    let campaign = campaigns::get(&state.ctx, who.tenant_id, id).await?;
    let counts = campaigns::counts(&state.ctx, who.tenant_id, id).await?;
    Ok(Json(CampaignView::of(campaign, Some(counts))))
}

#[derive(Serialize, ToSchema)]
pub struct PreviewView {
    /// Patients the campaign would reach if started now.
    pub audience: u64,
    /// Counting stopped at 200,000: at least that many.
    pub capped: bool,
    /// The first of them (patient ids).
    pub sample: Vec<Uuid>,
    /// What they would get first.
    pub first_step: StepBody,
}

/// The dry run: how many patients the campaign would reach now, the first of them, and
/// the first message they would get. Sends nothing.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/preview", tag = "campaigns", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PreviewView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PreviewView>, ApiError> {
    let campaign = campaigns::get(&state.ctx, who.tenant_id, id).await?;
    let p = campaigns::preview(&state.ctx, &campaign, 20).await?;
    let first = &campaign.steps[0];
    Ok(Json(PreviewView {
        audience: p.audience,
        capped: p.capped,
        sample: p.sample.into_iter().map(|p| p.0).collect(),
        first_step: StepBody::of(first),
    }))
}

async fn act(
    state: &AppState,
    who: &Principal,
    id: Uuid,
    action: CampaignAction,
) -> Result<Json<CampaignView>, ApiError> {
    let campaign = campaigns::act(&state.ctx, who.tenant_id, id, action).await?;
    let counts = campaigns::counts(&state.ctx, who.tenant_id, id).await?;
    Ok(Json(CampaignView::of(campaign, Some(counts))))
}

macro_rules! action_route {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "campaigns", security(("api_key" = [])),
            params(("id" = Uuid, Path)),
            responses((status = 200, body = CampaignView), (status = 404, body = crate::error::ErrorBody),
                      (status = 409, description = "Not allowed from the campaign's status", body = crate::error::ErrorBody)))]
        pub async fn $name(
            State(state): State<AppState>,
            who: Principal,
            ApiPath(id): ApiPath<Uuid>,
        ) -> Result<Json<CampaignView>, ApiError> {
            act(&state, &who, id, $action).await
        }
    };
}

action_route!(
    start,
    "/api/v1/campaigns/{id}/start",
    CampaignAction::Start,
    "Starts a draft: its audience is enrolled a page at a time and the steps go out in the sending window, spread over time."
);
action_route!(
    pause,
    "/api/v1/campaigns/{id}/pause",
    CampaignAction::Pause,
    "Pauses a running campaign: nothing more is sent until it is resumed."
);
action_route!(
    resume,
    "/api/v1/campaigns/{id}/resume",
    CampaignAction::Resume,
    "Resumes a paused campaign (patients who joined the audience meanwhile are enrolled too)."
);
action_route!(
    stop,
    "/api/v1/campaigns/{id}/stop",
    CampaignAction::Stop,
    "Stops a campaign for good: its patients' remaining steps are not sent."
);

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnrollmentQuery {
    /// `active`, `booked`, `declined`, `opted_out`, `needs_staff`, `finished` or `stopped`.
    pub state: Option<String>,
    pub before: Option<Uuid>,
    /// 1-500, default 50.
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub state: String,
    /// Steps sent so far.
    pub steps_sent: u32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sent_at: Option<jiff::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl From<Enrollment> for EnrollmentView {
    fn from(e: Enrollment) -> Self {
        Self {
            id: e.id,
            patient_id: e.patient_id.0,
            state: e.state.as_str().to_owned(),
            steps_sent: e.steps_sent,
            last_sent_at: e.last_sent_at,
            created_at: e.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentPage {
    pub items: Vec<EnrollmentView>,
    pub next_cursor: Option<Uuid>,
}

/// The campaign's patients and where each stands, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/enrollments", tag = "campaigns", security(("api_key" = [])),
    params(("id" = Uuid, Path), EnrollmentQuery),
    responses((status = 200, body = EnrollmentPage), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn enrollments(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<EnrollmentQuery>,
) -> Result<Json<EnrollmentPage>, ApiError> {
    campaigns::get(&state.ctx, who.tenant_id, id).await?;
    let filter = match q.state.as_deref() {
        None => None,
        Some(s) => Some(s.parse::<EnrollmentState>().map_err(|_| {
            ApiError::bad_request(
                "invalid_query",
                "state must be active, booked, declined, opted_out, needs_staff, finished or stopped",
            )
        })?),
    };
    let page = state
        .ctx
        .store
        .list_enrollments(who.tenant_id, id, filter, PageRequest::new(q.before, q.limit))
        .await?;
    Ok(Json(EnrollmentPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// What a campaign (or a kind of campaign, or all of them) achieved.
#[derive(Serialize, ToSchema)]
pub struct ResultsView {
    /// Patients enrolled.
    pub enrolled: u64,
    /// Sent at least one step that did not come back.
    pub reached: u64,
    /// Wrote back.
    pub engaged: u64,
    /// Waiting for staff (a question, a request for a person, a reply after the last step).
    pub handed_off: u64,
    pub booked: u64,
    /// The price of what the booked patients booked since enrolling (kept appointments).
    pub recovered_revenue_cents: i64,
    /// Booked / enrolled, for those enrolled this calendar month, in the last 90 days, ever;
    /// `null` with nobody enrolled.
    pub conversion_this_month: Option<f64>,
    pub conversion_last_90_days: Option<f64>,
    pub conversion_lifetime: Option<f64>,
    pub enrolled_this_month: u64,
    pub enrolled_last_90_days: u64,
}

impl From<frontdesk_domain::campaigns::results::ResultCounts> for ResultsView {
    fn from(n: frontdesk_domain::campaigns::results::ResultCounts) -> Self {
        let c = n.conversion();
        Self {
            enrolled: n.enrolled,
            reached: n.reached,
            engaged: n.engaged,
            handed_off: n.handed_off,
            booked: n.booked,
            recovered_revenue_cents: n.recovered_revenue_cents,
            conversion_this_month: c.this_month,
            conversion_last_90_days: c.last_90_days,
            conversion_lifetime: c.lifetime,
            enrolled_this_month: n.enrolled_this_month,
            enrolled_last_90_days: n.enrolled_last_90_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignResultsRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub status: String,
    #[serde(flatten)]
    pub results: ResultsView,
}

#[derive(Serialize, ToSchema)]
pub struct KindResultsRow {
    pub kind: String,
    #[serde(flatten)]
    pub results: ResultsView,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignResultsPage {
    /// Every campaign, newest first.
    pub campaigns: Vec<CampaignResultsRow>,
    pub by_kind: Vec<KindResultsRow>,
    pub total: ResultsView,
}

/// The campaign KPIs: per campaign, per kind and in all.
#[utoipa::path(get, path = "/api/v1/campaigns/results", tag = "campaigns", security(("api_key" = [])),
    responses((status = 200, body = CampaignResultsPage)))]
pub async fn results(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<CampaignResultsPage>, ApiError> {
    let r = campaigns::results(&state.ctx, who.tenant_id).await?;
    Ok(Json(CampaignResultsPage {
        campaigns: r
            .campaigns
            .into_iter()
            .map(|(c, n)| CampaignResultsRow {
                id: c.id,
                name: c.name,
                kind: c.kind.as_str().to_owned(),
                status: c.status.as_str().to_owned(),
                results: n.into(),
            })
            .collect(),
        by_kind: r
            .by_kind
            .into_iter()
            .map(|(k, n)| KindResultsRow { kind: k.as_str().to_owned(), results: n.into() })
            .collect(),
        total: r.total.into(),
    }))
}
