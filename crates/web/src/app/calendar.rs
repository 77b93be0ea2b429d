//! The calendar: one day, a column per practitioner, in the clinic's time zone, with the
//! actions each appointment allows (confirm, check in, complete, cancel, no-show) through
//! the engine's lifecycle, the same path as the API (reminders moved, the patient told).

use super::i18n::Texts;
use super::page::{Chrome, clock_time, internal, problem_page, render};
use super::session::{Staff, same_origin};
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::AppointmentId;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, transition};
use frontdesk_domain::staff::Permission;
use frontdesk_engine::scheduling::{ActionRequest, SchedulingFailure, apply_action};
use frontdesk_store::AppointmentFilter;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The actions a person takes from the calendar, in the order they are offered.
const ACTIONS: [AppointmentAction; 5] = [
    AppointmentAction::Confirm,
    AppointmentAction::CheckIn,
    AppointmentAction::Complete,
    AppointmentAction::MarkNoShow,
    AppointmentAction::Cancel,
];

pub struct Row {
    pub id: String,
    pub time: String,
    pub patient: String,
    pub service: String,
    pub status: &'static str,
    /// (path segment, label)
    pub actions: Vec<(&'static str, &'static str)>,
}

pub struct Column {
    pub practitioner: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    t: &'static Texts,
    chrome: Chrome,
    date: String,
    day_label: String,
    previous: String,
    next: String,
    can_work: bool,
    columns: Vec<Column>,
    problem: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

fn segment(action: AppointmentAction) -> &'static str {
    match action {
        AppointmentAction::CheckIn => "check-in",
        AppointmentAction::MarkNoShow => "no-show",
        other => other.as_str(),
    }
}

/// What may be done to `a` now: what the lifecycle allows, and a no-show only once the
/// appointment has started.
fn allowed(a: &Appointment, now: jiff::Timestamp) -> impl Iterator<Item = AppointmentAction> + '_ {
    ACTIONS
        .into_iter()
        .filter(move |action| transition(a.status, *action).is_ok())
        .filter(move |action| *action != AppointmentAction::MarkNoShow || now >= a.start)
}

pub async fn day(State(state): State<AppState>, staff: Staff, Query(q): Query<DayQuery>) -> Response {
    let tz = staff.tenant.timezone.time_zone();
    let today = state.ctx.clock.now().to_zoned(tz.clone()).date();
    let date = q.date.as_deref().and_then(|d| d.parse::<Date>().ok()).unwrap_or(today);
    day_page(&state, &staff, date, None, StatusCode::OK).await
}

async fn day_page(
    state: &AppState,
    staff: &Staff,
    date: Date,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let t = staff.texts();
    let store = &state.ctx.store;
    let tenant = staff.tenant.id;
    let tz = staff.tenant.timezone.time_zone();
    let bounds =
        date.to_zoned(tz.clone()).and_then(|start| Ok((start.timestamp(), start.tomorrow()?.timestamp())));
    let Ok((from, to)) = bounds else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    let filter = AppointmentFilter { from: Some(from), to: Some(to), ..Default::default() };
    let mut appointments =
        match store.list_appointments(tenant, &filter, PageRequest::new(None, Some(500))).await {
            Ok(p) => p.items,
            Err(e) => return internal(staff.locale(), &e),
        };
    appointments.sort_by_key(|a| a.start);
    let (practitioners, services) =
        match (store.list_practitioners(tenant).await, store.list_services(tenant).await) {
            (Ok(p), Ok(s)) => (p, s),
            (Err(e), _) | (_, Err(e)) => return internal(staff.locale(), &e),
        };
    let services: HashMap<_, _> = services.into_iter().map(|s| (s.id, s.name)).collect();
    let now = state.ctx.clock.now();
    let mut columns = Vec::new();
    for p in practitioners.iter().filter(|p| p.active) {
        let mut rows = Vec::new();
        for a in appointments.iter().filter(|a| a.practitioner_id == p.id) {
            let patient = match patient_name(state, staff, a.patient_id).await {
                Ok(name) => name,
                Err(e) => return internal(staff.locale(), &e),
            };
            rows.push(Row {
                id: a.id.to_string(),
                time: clock_time(a.start, &tz),
                patient,
                service: services.get(&a.service_id).cloned().unwrap_or_default(),
                status: t.appointment_status(a.status),
                actions: allowed(a, now).map(|action| (segment(action), t.action(action))).collect(),
            });
        }
        columns.push(Column { practitioner: p.name.clone(), rows });
    }
    let chrome = match Chrome::new(state, staff, "calendar").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = CalendarPage {
        t,
        chrome,
        date: date.to_string(),
        day_label: date.strftime("%d/%m/%Y").to_string(),
        previous: date.yesterday().unwrap_or(date).to_string(),
        next: date.tomorrow().unwrap_or(date).to_string(),
        can_work: staff.may(Permission::Work),
        columns,
        problem,
    };
    render(&page, status)
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
}

pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, verb)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let Some(action) = ACTIONS.into_iter().find(|a| segment(*a) == verb) else { return not_found() };
    let Ok(id) = id.parse::<Uuid>().map(AppointmentId) else { return not_found() };
    let tz = staff.tenant.timezone.time_zone();
    let date = form.date.parse::<Date>().unwrap_or_else(|_| state.ctx.clock.now().to_zoned(tz).date());
    let current = match state.ctx.store.get_appointment(staff.tenant.id, id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(e) => return internal(staff.locale(), &e),
    };
    let t = staff.texts();
    if !allowed(&current, state.ctx.clock.now()).any(|a| a == action) {
        return day_page(&state, &staff, date, Some(t.action_refused), StatusCode::CONFLICT).await;
    }
    let request =
        ActionRequest { action, reason: None, new_start: None, actor: format!("user:{}", staff.user.id) };
    match apply_action(&state.ctx, staff.tenant.id, id, request).await {
        Ok(_) => Redirect::to(&format!("/app/calendar?date={date}#appt-{id}")).into_response(),
        Err(SchedulingFailure::InvalidTransition { .. } | SchedulingFailure::SlotTaken) => {
            day_page(&state, &staff, date, Some(t.action_refused), StatusCode::CONFLICT).await
        }
        Err(SchedulingFailure::NotFound(_)) => not_found(),
        Err(e) => internal(staff.locale(), &e),
    }
}
