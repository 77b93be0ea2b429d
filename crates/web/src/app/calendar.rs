//! The calendar: one day, a column per practitioner, in the clinic's time zone, with the
//! actions each appointment allows (confirm, check in, complete, cancel, no-show) through
//! the engine's lifecycle, the same path as the API (reminders moved, the patient told).

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{clock_time, internal, problem_page, render};
use super::session::{Staff, same_origin};
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, transition};
use frontdesk_domain::staff::Permission;
use frontdesk_domain::{AppointmentId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling::{
    ActionRequest, BookingRequest, PatientRef, SchedulingFailure, apply_action,
};
use frontdesk_store::{AppointmentFilter, IdempotencyClaim};
use jiff::civil::Date;
use serde::Deserialize;
use sha2::{Digest, Sha256};
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
    pub reschedulable: bool,
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
    /// (id, name) of active practitioners and of services, for the booking form.
    practitioners: Vec<(String, String)>,
    services: Vec<(String, String)>,
    /// Makes a double-submitted booking form book once (its idempotency key).
    form_id: String,
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
    let service_options = services.iter().map(|s| (s.id.to_string(), s.name.clone())).collect();
    let practitioner_options =
        practitioners.iter().filter(|p| p.active).map(|p| (p.id.to_string(), p.name.clone())).collect();
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
                reschedulable: transition(a.status, AppointmentAction::Reschedule).is_ok(),
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
        practitioners: practitioner_options,
        services: service_options,
        form_id: Uuid::new_v4().simple().to_string(),
    };
    render(&page, status)
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    /// `HH:MM` in the clinic's zone, for a reschedule.
    #[serde(default)]
    time: String,
}

/// `date` at `time` (`HH:MM`) in the clinic's time zone.
fn instant(date: Date, time: &str, tz: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
    let time: jiff::civil::Time = time.parse().ok()?;
    date.to_datetime(time).to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// What a refused booking or move means to the person at the desk.
fn scheduling_problem(t: &'static Texts, e: &SchedulingFailure) -> Option<&'static str> {
    match e {
        SchedulingFailure::SlotTaken => Some(t.slot_taken),
        SchedulingFailure::NotBookable(_) | SchedulingFailure::Invalid(_) => Some(t.not_bookable),
        SchedulingFailure::InvalidTransition { .. } => Some(t.action_refused),
        _ => None,
    }
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
    let all = ACTIONS.into_iter().chain([AppointmentAction::Reschedule]);
    let Some(action) = all.into_iter().find(|a| segment(*a) == verb) else { return not_found() };
    let Ok(id) = id.parse::<Uuid>().map(AppointmentId) else { return not_found() };
    let tz = staff.tenant.timezone.time_zone();
    let date =
        form.date.parse::<Date>().unwrap_or_else(|_| state.ctx.clock.now().to_zoned(tz.clone()).date());
    let current = match state.ctx.store.get_appointment(staff.tenant.id, id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(e) => return internal(staff.locale(), &e),
    };
    let t = staff.texts();
    let new_start = if action == AppointmentAction::Reschedule {
        match instant(date, &form.time, &tz) {
            Some(at) => Some(at),
            None => {
                return day_page(
                    &state,
                    &staff,
                    date,
                    Some(t.not_bookable),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        }
    } else {
        None
    };
    let possible = match action {
        AppointmentAction::Reschedule => transition(current.status, action).is_ok(),
        _ => allowed(&current, state.ctx.clock.now()).any(|a| a == action),
    };
    if !possible {
        return day_page(&state, &staff, date, Some(t.action_refused), StatusCode::CONFLICT).await;
    }
    let request = ActionRequest { action, reason: None, new_start, actor: format!("user:{}", staff.user.id) };
    match apply_action(&state.ctx, staff.tenant.id, id, request).await {
        Ok(_) => Redirect::to(&format!("/app/calendar?date={date}#appt-{id}")).into_response(),
        Err(SchedulingFailure::NotFound(_)) => not_found(),
        Err(e) => match scheduling_problem(t, &e) {
            Some(problem) => day_page(&state, &staff, date, Some(problem), StatusCode::CONFLICT).await,
            None => internal(staff.locale(), &e),
        },
    }
}

#[derive(Deserialize)]
pub struct BookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    form_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    practitioner: String,
    #[serde(default)]
    time: String,
}

/// Books from the calendar through the same path as the API (find-or-create the patient by
/// phone, reminders, the patient's confirmation). The form's id is the idempotency key: a
/// double submit books once.
pub async fn book(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<BookForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let t = staff.texts();
    let tz = staff.tenant.timezone.time_zone();
    let date =
        form.date.parse::<Date>().unwrap_or_else(|_| state.ctx.clock.now().to_zoned(tz.clone()).date());
    let refuse = |problem| day_page(&state, &staff, date, Some(problem), StatusCode::UNPROCESSABLE_ENTITY);
    let Ok(name) = PersonName::parse(&form.name) else { return refuse(t.name_required).await };
    let region = match state.ctx.store.tenant_settings(staff.tenant.id).await {
        Ok(s) => s.default_region,
        Err(e) => return internal(staff.locale(), &e),
    };
    let Ok(phone) = PhoneE164::parse(&form.phone, &region) else { return refuse(t.phone_invalid).await };
    let (Ok(service), Ok(practitioner)) = (form.service.parse::<Uuid>(), form.practitioner.parse::<Uuid>())
    else {
        return refuse(t.not_bookable).await;
    };
    let Some(start) = instant(date, &form.time, &tz) else { return refuse(t.not_bookable).await };
    let practitioners = match state.ctx.store.list_practitioners(staff.tenant.id).await {
        Ok(p) => p,
        Err(e) => return internal(staff.locale(), &e),
    };
    let Some(location) =
        practitioners.iter().find(|p| p.id.0 == practitioner).and_then(|p| p.location_ids.first())
    else {
        return refuse(t.not_bookable).await;
    };
    let request_hash =
        hex::encode(Sha256::digest(format!("{service}|{practitioner}|{start}|{}", phone.as_str())));
    let request = BookingRequest {
        tenant_id: staff.tenant.id,
        patient: PatientRef::Contact { name, phone, email: None },
        practitioner_id: PractitionerId(practitioner),
        location_id: *location,
        service_id: ServiceId(service),
        start,
        idempotency: (!form.form_id.is_empty())
            .then(|| IdempotencyClaim { key: format!("app-form:{}", form.form_id), request_hash }),
        actor: format!("user:{}", staff.user.id),
    };
    match frontdesk_engine::scheduling::book(&state.ctx, request).await {
        Ok(done) => {
            Redirect::to(&format!("/app/calendar?date={date}#appt-{}", done.appointment.id)).into_response()
        }
        Err(e) => match scheduling_problem(t, &e) {
            Some(problem) => day_page(&state, &staff, date, Some(problem), StatusCode::CONFLICT).await,
            None => internal(staff.locale(), &e),
        },
    }
}
