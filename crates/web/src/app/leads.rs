//! Leads: the pipeline by stage, and a lead's page with its timeline, where staff move it
//! along or mark it lost. Edits go through the engine's `leads::edit_lead`, as the API's
//! do, and save only at the version the form was shown with, so a lead
//! someone else changed meanwhile is shown as it is now rather than overwritten.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{day_time, internal, problem_page, render};
use super::session::{Staff, same_origin};
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::LeadId;
use frontdesk_domain::leads::{Lead, LeadEdit, LeadEditError, LeadStage, Temperature};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::staff::Permission;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::leads::{LeadEditFailure, edit_lead};
use frontdesk_store::{LeadFilter, Versioned};
use serde::Deserialize;
use uuid::Uuid;

/// The stages shown as columns, in funnel order.
const COLUMNS: [LeadStage; 7] = [
    LeadStage::New,
    LeadStage::Contacted,
    LeadStage::Qualified,
    LeadStage::Booked,
    LeadStage::Showed,
    LeadStage::NoShow,
    LeadStage::Lost,
];

pub struct Card {
    pub id: String,
    pub patient: String,
    pub temperature: &'static str,
    pub hot: bool,
    pub source: &'static str,
    pub reached: String,
    /// What the front desk should do next with this lead.
    pub next: &'static str,
}

pub struct Column {
    pub key: &'static str,
    pub title: &'static str,
    pub leads: Vec<Card>,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct PipelinePage {
    t: &'static Texts,
    chrome: Chrome,
    columns: Vec<Column>,
    can_work: bool,
}

/// "em 3 min" / "after 3 min", or "not reached yet".
fn reached(t: &Texts, lead: &Lead) -> String {
    match lead.first_outbound_at {
        Some(at) => {
            let secs = at.duration_since(lead.created_at).as_secs().max(0);
            let human = if secs < 120 { format!("{secs} s") } else { format!("{} min", secs / 60) };
            format!("{} {human}", t.speed_to_lead)
        }
        None => t.not_reached.to_owned(),
    }
}

/// The next step for a lead, from where it stands in the funnel: reach a lead nobody has
/// reached yet, qualify one who answered, book a qualified one, and so on.
fn next_action(t: &Texts, lead: &Lead) -> &'static str {
    match lead.stage {
        LeadStage::New if lead.first_outbound_at.is_none() => t.next_reach,
        LeadStage::New | LeadStage::Contacted => t.next_qualify,
        LeadStage::Qualified => t.next_book,
        LeadStage::Booked => t.next_visit,
        LeadStage::NoShow => t.next_rebook,
        LeadStage::Showed | LeadStage::Lost => t.next_none,
    }
}

pub async fn pipeline(State(state): State<AppState>, staff: Staff) -> Response {
    let t = staff.texts();
    let page = PageRequest::new(None, Some(500));
    let leads = match state.ctx.store.list_leads(staff.tenant.id, &LeadFilter::default(), page).await {
        Ok(p) => p.items,
        Err(e) => return internal(staff.locale(), &e),
    };
    let mut columns: Vec<Column> =
        COLUMNS.iter().map(|s| Column { key: s.as_str(), title: t.stage(*s), leads: Vec::new() }).collect();
    for lead in leads {
        let patient = match patient_name(&state, &staff, lead.patient_id).await {
            Ok(name) => name,
            Err(e) => return internal(staff.locale(), &e),
        };
        let card = Card {
            id: lead.id.to_string(),
            patient,
            temperature: t.temperature(lead.temperature),
            hot: lead.temperature == Temperature::Hot,
            source: lead.source.as_str(),
            reached: reached(t, &lead),
            next: next_action(t, &lead),
        };
        if let Some(column) = columns.iter_mut().find(|c| c.key == lead.stage.as_str()) {
            column.leads.push(card);
        }
    }
    let chrome = match Chrome::new(&state, &staff, "leads").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&PipelinePage { t, chrome, columns, can_work: staff.may(Permission::Work) }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    t: &'static Texts,
    chrome: Chrome,
    id: String,
    version: i64,
    patient: String,
    stage: &'static str,
    lost_reason: Option<String>,
    source: &'static str,
    reached: String,
    can_work: bool,
    /// The stages a lead may be moved to by hand: (wire name, label).
    stages: Vec<(&'static str, &'static str)>,
    timeline: Vec<(String, String)>,
    problem: Option<&'static str>,
    temperature: &'static str,
    /// A fresh id per page shown: the call-now form places one call however often it is
    /// submitted.
    once: String,
    /// Just back from sending a message.
    sent: bool,
}

pub(super) async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Versioned<Lead>, Response> {
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    match state.ctx.store.get_lead_versioned(staff.tenant.id, LeadId(id)).await {
        Ok(Some(lead)) => Ok(lead),
        Ok(None) => Err(not_found()),
        Err(e) => Err(internal(staff.locale(), &e)),
    }
}

pub(super) async fn lead_page(
    state: &AppState,
    staff: &Staff,
    lead: Versioned<Lead>,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Response {
    lead_page_with(state, staff, lead, problem, status, false).await
}

async fn lead_page_with(
    state: &AppState,
    staff: &Staff,
    lead: Versioned<Lead>,
    problem: Option<&'static str>,
    status: StatusCode,
    sent: bool,
) -> Response {
    let t = staff.texts();
    let tz = staff.tenant.timezone.time_zone();
    let Versioned { value: lead, version } = lead;
    let events = match frontdesk_engine::leads::timeline(&state.ctx, staff.tenant.id, lead.id).await {
        Ok(events) => events,
        Err(e) => return internal(staff.locale(), &e),
    };
    let lead_id = lead.id.to_string();
    let access = Access {
        action: "read",
        resource_type: "lead",
        resource_id: Some(&lead_id),
        patient_id: Some(lead.patient_id),
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    let patient = match patient_name(state, staff, lead.patient_id).await {
        Ok(name) => name,
        Err(e) => return internal(staff.locale(), &e),
    };
    let timeline = events
        .iter()
        .rev()
        .map(|e| {
            let what =
                match (e.kind.as_str(), e.detail["to"].as_str().and_then(|s| s.parse::<LeadStage>().ok())) {
                    ("stage_changed", Some(to)) => format!("{} → {}", t.move_to, t.stage(to)),
                    (kind, _) => match e.detail["delivery"].as_str() {
                        Some(now) => format!("{} · {}", kind.replace('_', " "), now.replace('_', " ")),
                        None => kind.replace('_', " "),
                    },
                };
            (day_time(e.at, &tz), what)
        })
        .collect();
    let stages =
        COLUMNS.iter().filter(|s| **s != LeadStage::Lost).map(|s| (s.as_str(), t.stage(*s))).collect();
    let chrome = match Chrome::new(state, staff, "leads").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = LeadPage {
        t,
        chrome,
        id: lead.id.to_string(),
        version,
        patient,
        stage: t.stage(lead.stage),
        lost_reason: lead.lost_reason.clone(),
        source: lead.source.as_str(),
        reached: reached(t, &lead),
        can_work: staff.may(Permission::Work),
        stages,
        timeline,
        problem,
        temperature: t.temperature(lead.temperature),
        once: Uuid::new_v4().to_string(),
        sent,
    };
    render(&page, status)
}

#[derive(Deserialize)]
pub struct LeadQuery {
    sent: Option<String>,
}

pub async fn lead(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<LeadQuery>,
) -> Response {
    match load(&state, &staff, &id).await {
        Ok(lead) => lead_page_with(&state, &staff, lead, None, StatusCode::OK, q.sent.is_some()).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct StageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    stage: String,
}

#[derive(Deserialize)]
pub struct LostForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    reason: String,
}

pub async fn move_stage(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StageForm>,
) -> Response {
    let Ok(stage) = form.stage.parse::<LeadStage>() else {
        return problem_page(staff.locale(), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let edit = LeadEdit { stage: Some(stage), ..Default::default() };
    submit_edit(&state, &staff, &headers, &id, &form.csrf, form.version, edit).await
}

pub async fn mark_lost(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<LostForm>,
) -> Response {
    let edit =
        LeadEdit { stage: Some(LeadStage::Lost), lost_reason: Some(form.reason), ..Default::default() };
    submit_edit(&state, &staff, &headers, &id, &form.csrf, form.version, edit).await
}

async fn submit_edit(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    id: &str,
    csrf: &str,
    shown_version: i64,
    edit: LeadEdit,
) -> Response {
    if !same_origin(headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let t = staff.texts();
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let Ok(lead_id) = id.parse::<Uuid>().map(LeadId) else { return not_found() };
    let by = format!("user:{}", staff.user.id);
    let lead = match edit_lead(&state.ctx, staff.tenant.id, lead_id, edit, &by, Some(shown_version)).await {
        Ok(edited) => edited.value,
        Err(failure) => {
            let (problem, status) = match failure {
                LeadEditFailure::NotFound => return not_found(),
                LeadEditFailure::Store(e) => return internal(staff.locale(), &e),
                LeadEditFailure::Stale { .. } => (t.lead_changed, StatusCode::CONFLICT),
                LeadEditFailure::Refused(LeadEditError::LostReasonRequired) => {
                    (t.lost_reason_required, StatusCode::UNPROCESSABLE_ENTITY)
                }
                LeadEditFailure::Refused(LeadEditError::InvalidStageChange { .. }) => {
                    (t.stage_refused, StatusCode::UNPROCESSABLE_ENTITY)
                }
            };
            // The lead as it is now, with what went wrong.
            return match load(state, staff, id).await {
                Ok(now) => lead_page(state, staff, now, Some(problem), status).await,
                Err(r) => r,
            };
        }
    };
    let access = Access {
        action: "update",
        resource_type: "lead",
        resource_id: None,
        patient_id: Some(lead.patient_id),
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/leads/{}", lead.id)).into_response()
}
