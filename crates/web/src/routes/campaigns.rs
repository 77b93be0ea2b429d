//! Campaigns over the API: create one (a draft), preview its audience (the dry run), start,
//! pause, resume or stop it, and follow its enrollments and counts.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::campaigns::{
    Campaign, CampaignAction, CampaignKind, Enrollment, EnrollmentState, Segment, SendingWindow, Step,
};
use frontdesk_domain::messaging::{Channel, TemplateKey};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::campaigns::{self, CampaignFailure, NewCampaign};
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

fn unprocessable(message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_campaign", message)
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SegmentBody {
    /// Recall: the last attended visit was at least this many days ago.
    #[serde(default)]
    pub last_visit_before_days: Option<u32>,
    #[serde(default)]
    pub service_id: Option<Uuid>,
    #[serde(default)]
    pub practitioner_id: Option<Uuid>,
    #[serde(default)]
    pub location_id: Option<Uuid>,
    /// Only patients who missed an appointment at least once.
    #[serde(default)]
    pub had_no_show: bool,
    /// Only patients with a lead at this stage: `new`, `contacted`, `qualified`, `booked`,
    /// `showed`, `no_show`, `lost`... (as `GET /api/v1/leads` shows them).
    #[serde(default)]
    pub lead_stage: Option<String>,
    /// Only patients with a lead from this source: `paid_ads`, `organic`, `social`,
    /// `referral`, `whatsapp`, `phone`, `crm`, `import`.
    #[serde(default)]
    pub lead_source: Option<String>,
    /// Only patients carrying every one of these tags (at most 3; as the patient's `tags`
    /// are written, e.g. `vip`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only patients the clinic can reach on this channel (`email`: an address on file;
    /// any: no opt-out recorded on it).
    #[serde(default)]
    pub reachable_on: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// `whatsapp`, `sms`, `email`, or `voice` for an AI call.
    pub channel: String,
    /// A message step's template (`GET /api/v1/settings` lists them), e.g. `booking_link`
    /// or `reactivation`; a call step has none.
    #[serde(default)]
    pub template: Option<String>,
    /// Hours after the previous step (the first: after enrollment).
    #[serde(default)]
    pub delay_hours: u32,
    /// A call step: calls at most while nobody answers, 1 to 3 (default 1).
    #[serde(default)]
    pub attempts: Option<u8>,
    /// A call step: hours between an unanswered call and the next (default 24).
    #[serde(default)]
    pub retry_after_hours: Option<u32>,
}

impl StepBody {
    fn of(s: &Step) -> Self {
        Self {
            channel: s.channel.as_str().to_owned(),
            template: s.template.map(|t| t.as_str().to_owned()),
            delay_hours: s.delay_hours,
            attempts: s.is_call().then_some(s.attempts),
            retry_after_hours: s.is_call().then_some(s.retry_after_hours),
        }
    }
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowBody {
    /// Local weekdays, Monday = 0; empty means every day.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    /// `09:00`.
    pub from: String,
    /// `18:00`.
    pub to: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaignBody {
    pub name: String,
    /// `recall`, `recovery`, `reactivation` or `custom`.
    pub kind: String,
    #[serde(default)]
    pub segment: SegmentBody,
    pub steps: Vec<StepBody>,
    /// When messages may go (the clinic's local time); weekdays 09:00-18:00 when absent.
    #[serde(default)]
    pub window: Option<WindowBody>,
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

fn parse_time(field: &str, raw: &str) -> Result<jiff::civil::Time, ApiError> {
    raw.parse().map_err(|_| unprocessable(format!("{field}: expected a time like 09:00")))
}

pub(crate) fn new_campaign(b: NewCampaignBody) -> Result<NewCampaign, ApiError> {
    let kind = b
        .kind
        .parse::<CampaignKind>()
        .map_err(|_| unprocessable("kind must be recall, recovery, reactivation or custom".to_owned()))?;
    let mut steps = Vec::with_capacity(b.steps.len());
    for (i, s) in b.steps.into_iter().enumerate() {
        let channel = s.channel.parse::<Channel>().map_err(|_| {
            unprocessable(format!("steps[{i}].channel must be whatsapp, sms, email or voice"))
        })?;
        let template = match s.template.as_deref() {
            None => None,
            Some(raw) => Some(
                raw.parse::<TemplateKey>()
                    .map_err(|_| unprocessable(format!("steps[{i}].template: no template named {raw:?}")))?,
            ),
        };
        let mut step = match template {
            Some(t) => Step::message(channel, t, s.delay_hours),
            None => Step { channel, template: None, ..Step::call(s.delay_hours, 1, 24) },
        };
        step.attempts = s.attempts.unwrap_or(step.attempts);
        step.retry_after_hours = s.retry_after_hours.unwrap_or(step.retry_after_hours);
        steps.push(step);
    }
    let window = match b.window {
        None => None,
        Some(w) => Some(SendingWindow {
            weekdays: w.weekdays,
            from: parse_time("window.from", &w.from)?,
            to: parse_time("window.to", &w.to)?,
        }),
    };
    let s = b.segment;
    let lead_stage = match s.lead_stage.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<frontdesk_domain::leads::LeadStage>().map_err(|_| {
            let all: Vec<&str> = frontdesk_domain::leads::LeadStage::ALL.iter().map(|s| s.as_str()).collect();
            unprocessable(format!("segment.lead_stage must be one of {}", all.join(", ")))
        })?),
    };
    let lead_source = match s.lead_source.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<frontdesk_domain::leads::LeadSource>().map_err(|_| {
            let all: Vec<&str> =
                frontdesk_domain::leads::LeadSource::ALL.iter().map(|s| s.as_str()).collect();
            unprocessable(format!("segment.lead_source must be one of {}", all.join(", ")))
        })?),
    };
    let reachable_on = match s.reachable_on.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<Channel>().map_err(|_| {
            unprocessable("segment.reachable_on must be whatsapp, sms, email or voice".to_owned())
        })?),
    };
    let tags = frontdesk_domain::patients::normalize_tags(&s.tags)
        .map_err(|e| unprocessable(format!("segment.tags: {e}")))?;
    Ok(NewCampaign {
        name: b.name,
        kind,
        segment: Segment {
            last_visit_before_days: s.last_visit_before_days,
            service_id: s.service_id.map(ServiceId),
            practitioner_id: s.practitioner_id.map(PractitionerId),
            location_id: s.location_id.map(LocationId),
            had_no_show: s.had_no_show,
            lead_stage,
            lead_source,
            tags,
            reachable_on,
        },
        steps,
        window,
    })
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
    let campaign = campaigns::create(&state.ctx, who.tenant_id, new_campaign(b)?).await?;
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
