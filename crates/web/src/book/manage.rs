//! The patient's own appointment, behind the signed link of the confirmation: see it, add
//! it to a calendar, move it or cancel it. A wrong token, another clinic's appointment or
//! an unknown one are the same "not found" page, so the link reveals nothing.

use super::choose::{Choice, slots_page};
use super::texts::{self, BookTexts};
use super::{Clinic, appointment, unavailable, when_text};
use crate::AppState;
use crate::app::page::{internal, render};
use crate::slot_choice::Placement;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::AppointmentId;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, AppointmentStatus};
use frontdesk_engine::links::{ics_url, manage_path};
use frontdesk_engine::scheduling::{
    ActionRequest, Confirmation, ONLINE_ACTOR, SchedulingFailure, apply_action,
};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkQuery {
    pub token: String,
    pub lang: String,
    /// What just happened, for the heading: `booked`, `moved` or `cancelled`.
    pub done: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    pub token: String,
    pub lang: String,
    /// The new time (a move).
    pub slot: String,
}

#[derive(Template)]
#[template(path = "book_appointment.html")]
struct AppointmentPage {
    t: &'static BookTexts,
    clinic: String,
    heading: &'static str,
    notice: Option<&'static str>,
    service: String,
    when: String,
    who: String,
    place: String,
    address: String,
    status: &'static str,
    ics_href: String,
    /// Rescheduling and cancelling are offered while the appointment is ahead and open.
    changeable: bool,
    reschedule_href: String,
    cancel_action: String,
    token: String,
    lang: String,
    other_language_href: String,
    book_another_href: String,
}

pub async fn show(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<LinkQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = texts::locale(Some(&q.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let Ok(id) = id.parse::<AppointmentId>() else { return unavailable(clinic.t) };
    let a = match appointment(&state, &clinic, id, &q.token).await {
        Ok(a) => a,
        Err(page) => return page,
    };
    let t = clinic.t;
    let cal = &clinic.calendar;
    let now = state.ctx.clock.now();
    let changeable = a.status.is_pending() && a.start > now;
    let status = match a.status {
        AppointmentStatus::Cancelled => t.status_cancelled,
        AppointmentStatus::Confirmed if changeable => t.status_confirmed,
        _ if changeable => t.status_booked,
        _ => t.status_past,
    };
    let (heading, notice) = match q.done.as_str() {
        "booked" => (t.booked_heading, Some(t.booked_text)),
        "moved" => (t.appointment_heading, Some(t.moved_text)),
        "cancelled" => (t.appointment_heading, Some(t.cancelled_text)),
        _ => (t.appointment_heading, None),
    };
    let location = cal.location(a.location_id).ok();
    let base = clinic.base();
    // The same page in the other language, saying the same thing.
    let link = |lang: &str| {
        let mut pairs = vec![("token", q.token.as_str()), ("lang", lang)];
        if !q.done.is_empty() {
            pairs.push(("done", q.done.as_str()));
        }
        format!("{base}/appointment/{id}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    };
    let reschedule = Choice {
        reschedule: id.to_string(),
        token: q.token.clone(),
        lang: t.code.into(),
        ..Default::default()
    };
    let page = AppointmentPage {
        t,
        clinic: clinic.tenant.name.clone(),
        heading,
        notice,
        service: cal.service(a.service_id).map(|s| s.name.clone()).unwrap_or_default(),
        when: when_text(cal, a.location_id, a.start, clinic.locale),
        who: cal.practitioner(a.practitioner_id).map(|p| p.name.clone()).unwrap_or_default(),
        place: location.map(|l| l.name.clone()).unwrap_or_default(),
        address: location.and_then(|l| l.address.clone()).unwrap_or_default(),
        status,
        ics_href: ics_url(&state.ctx, &clinic.tenant, id).map(|u| relative(&u)).unwrap_or_default(),
        changeable,
        reschedule_href: reschedule.href(&format!("{base}/slots"), &[]),
        cancel_action: format!("{base}/appointment/{id}/cancel"),
        token: q.token.clone(),
        lang: t.code.into(),
        other_language_href: link(t.other_code),
        book_another_href: Choice { lang: t.code.into(), ..Default::default() }.href(&base, &[]),
    };
    render(&page, StatusCode::OK)
}

/// The path of a link made with the server's public address: the page links within the
/// site it was served from.
fn relative(url: &str) -> String {
    url.find("/public/").map_or_else(|| url.to_owned(), |i| url[i..].to_owned())
}

pub async fn cancel(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    change(&state, &slug, &id, &headers, form, AppointmentAction::Cancel).await
}

pub async fn reschedule(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    change(&state, &slug, &id, &headers, form, AppointmentAction::Reschedule).await
}

async fn change(
    state: &AppState,
    slug: &str,
    id: &str,
    headers: &HeaderMap,
    form: ChangeForm,
    action: AppointmentAction,
) -> Response {
    let locale = texts::locale(Some(&form.lang), headers);
    let clinic = match Clinic::open(state, slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let Ok(id) = id.parse::<AppointmentId>() else { return unavailable(clinic.t) };
    let a = match appointment(state, &clinic, id, &form.token).await {
        Ok(a) => a,
        Err(page) => return page,
    };
    let target = match action {
        AppointmentAction::Reschedule => match Placement::parse(&form.slot) {
            // A move keeps practitioner and unit; a slot of another is not this move's.
            Some(p) if p.practitioner == a.practitioner_id && p.location == a.location_id => Some(p),
            _ => return back_to_times(state, &clinic, &a, &form.token, None).await,
        },
        _ => None,
    };
    let request = ActionRequest {
        action,
        reason: (action == AppointmentAction::Cancel).then(|| "cancelled by the patient online".to_owned()),
        new_start: target.map(|p| p.start),
        actor: ONLINE_ACTOR.into(),
        confirmation: Confirmation::Send,
    };
    let done = if action == AppointmentAction::Cancel { "cancelled" } else { "moved" };
    match apply_action(&state.ctx, clinic.tenant.id, id, request).await {
        Ok(_) => {
            let path = manage_path(&state.ctx, &clinic.tenant, id).unwrap_or_default();
            Redirect::to(&format!("{path}&done={done}&lang={}", clinic.t.code)).into_response()
        }
        Err(SchedulingFailure::SlotTaken | SchedulingFailure::NotBookable(_)) => {
            back_to_times(state, &clinic, &a, &form.token, target).await
        }
        // Already cancelled, moved meanwhile, or in the past: the page shows it as it is.
        Err(
            SchedulingFailure::InvalidTransition { .. }
            | SchedulingFailure::NotYet(_)
            | SchedulingFailure::Stale,
        ) => {
            let path = manage_path(&state.ctx, &clinic.tenant, id).unwrap_or_default();
            Redirect::to(&format!("{path}&lang={}", clinic.t.code)).into_response()
        }
        Err(e) => internal(clinic.locale, &e),
    }
}

async fn back_to_times(
    state: &AppState,
    clinic: &Clinic,
    a: &Appointment,
    token: &str,
    taken: Option<Placement>,
) -> Response {
    let choice = Choice {
        reschedule: a.id.to_string(),
        token: token.to_owned(),
        lang: clinic.t.code.into(),
        ..Default::default()
    };
    slots_page(state, clinic, choice, taken, StatusCode::CONFLICT).await
}
