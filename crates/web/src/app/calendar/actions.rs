//! What a person does from the calendar: book (an existing patient or a new one, at a
//! suggested slot or a typed time), and confirm, check in, complete, cancel, mark a no-show
//! or move an appointment - each through the engine, the same path as the API.

use super::scope::{Scope, ScopeQuery};
use super::view::{ACTIONS, Draft, Feedback, Field, allowed, render_page, segment, today};
use crate::AppState;
use crate::app::i18n::Texts;
use crate::app::page::{internal, problem_page};
use crate::app::session::{Staff, same_origin};
use crate::slot_choice::Placement;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::scheduling::{AppointmentAction, transition};
use frontdesk_domain::staff::Permission;
use frontdesk_domain::{AppointmentId, PatientId, PractitionerId, ServiceId};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::scheduling::{
    ActionRequest, BookingRequest, Confirmation, PatientRef, SchedulingFailure, apply_action,
};
use frontdesk_store::IdempotencyClaim;
use jiff::civil::Date;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The fields every calendar form carries besides its own: the CSRF token and the view
/// to return to.
#[derive(Deserialize)]
pub struct Return {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    view: String,
    #[serde(default)]
    practitioner_filter: String,
    #[serde(default)]
    unit_filter: String,
}

impl Return {
    fn scope(&self, date: &str, today: Date) -> Scope {
        let q = ScopeQuery {
            date: date.to_owned(),
            view: self.view.clone(),
            practitioner: self.practitioner_filter.clone(),
            unit: self.unit_filter.clone(),
        };
        Scope::parse(&q, today)
    }
}

/// Refuses a post from another site, with a stale token, or from a role that may not work.
fn guard(staff: &Staff, headers: &HeaderMap, csrf: &str) -> Result<(), Response> {
    if !same_origin(headers) {
        return Err(problem_page(staff.locale(), StatusCode::FORBIDDEN));
    }
    staff.check_csrf(csrf).and_then(|()| staff.require(Permission::Work))
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(flatten)]
    back: Return,
    /// The appointment's local date; a move keeps it and changes the time.
    #[serde(default)]
    date: String,
    /// `HH:MM` in the clinic's zone, for a move.
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
        SchedulingFailure::InvalidTransition { .. } | SchedulingFailure::NotYet(_) => Some(t.action_refused),
        SchedulingFailure::NotFound(_) => Some(t.not_bookable),
        _ => None,
    }
}

/// Back to the view the person came from, at the appointment.
fn back_to(scope: Scope, appointment: impl std::fmt::Display) -> Response {
    Redirect::to(&format!("{}#appt-{appointment}", scope.href())).into_response()
}

pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, verb)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Err(refused) = guard(&staff, &headers, &form.back.csrf) {
        return refused;
    }
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let all = ACTIONS.into_iter().chain([AppointmentAction::Reschedule]);
    let Some(action) = all.into_iter().find(|a| segment(*a) == verb) else { return not_found() };
    let Ok(id) = id.parse::<Uuid>().map(AppointmentId) else { return not_found() };
    let tz = staff.tenant.timezone.time_zone();
    let scope = form.back.scope(&form.date, today(&state, &staff));
    let current = match state.ctx.store.get_appointment(staff.tenant.id, id).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(e) => return internal(staff.locale(), &e),
    };
    let t = staff.texts();
    let refuse = |problem, status| render_page(&state, &staff, scope, Feedback::problem(problem), status);
    let new_start = match action {
        AppointmentAction::Reschedule => match instant(scope.date, &form.time, &tz) {
            Some(at) => Some(at),
            None => return refuse(t.time_required, StatusCode::UNPROCESSABLE_ENTITY).await,
        },
        _ => None,
    };
    let possible = match action {
        AppointmentAction::Reschedule => transition(current.status, action).is_ok(),
        _ => allowed(&current, state.ctx.clock.now()).any(|a| a == action),
    };
    if !possible {
        return refuse(t.action_refused, StatusCode::CONFLICT).await;
    }
    let request = ActionRequest {
        action,
        reason: None,
        new_start,
        actor: format!("user:{}", staff.user.id),
        confirmation: Confirmation::Send,
    };
    match apply_action(&state.ctx, staff.tenant.id, id, request).await {
        Ok(changed) => match audit_change(&state, &staff, action.as_str(), &changed).await {
            Ok(()) => back_to(scope, id),
            Err(e) => internal(staff.locale(), &e),
        },
        Err(SchedulingFailure::NotFound(_)) => not_found(),
        Err(e) => match scheduling_problem(t, &e) {
            Some(problem) => refuse(problem, StatusCode::CONFLICT).await,
            None => internal(staff.locale(), &e),
        },
    }
}

#[derive(Deserialize)]
pub struct BookForm {
    #[serde(flatten)]
    back: Return,
    #[serde(default)]
    date: String,
    #[serde(default)]
    form_id: String,
    /// An existing patient picked from the search; empty for a new one.
    #[serde(default)]
    patient_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    practitioner: String,
    /// A suggested slot, `practitioner|unit|start`; wins over a typed time.
    #[serde(default)]
    slot: String,
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
    if let Err(refused) = guard(&staff, &headers, &form.back.csrf) {
        return refused;
    }
    let t = staff.texts();
    let tz = staff.tenant.timezone.time_zone();
    let scope = form.back.scope(&form.date, today(&state, &staff));
    let draft = Draft {
        name: form.name.clone(),
        phone: form.phone.clone(),
        time: form.time.clone(),
        service: form.service.clone(),
        practitioner: form.practitioner.clone(),
    };
    let refuse = |problem, field| {
        let feedback = Feedback { problem: Some(problem), field, draft: draft.clone() };
        render_page(&state, &staff, scope, feedback, StatusCode::UNPROCESSABLE_ENTITY)
    };

    let patient = if let Ok(id) = form.patient_id.parse::<Uuid>() {
        PatientRef::Id(PatientId(id))
    } else {
        let Ok(name) = PersonName::parse(&form.name) else {
            return refuse(t.name_required, Some(Field::Name)).await;
        };
        let region = match state.ctx.store.tenant_settings(staff.tenant.id).await {
            Ok(s) => s.default_region,
            Err(e) => return internal(staff.locale(), &e),
        };
        let Ok(phone) = PhoneE164::parse(&form.phone, &region) else {
            return refuse(t.phone_invalid, Some(Field::Phone)).await;
        };
        PatientRef::Contact { name, phone, email: None }
    };
    let Ok(service) = form.service.parse::<Uuid>().map(ServiceId) else {
        return refuse(t.not_bookable, None).await;
    };
    let placement = if form.slot.is_empty() {
        let Some(start) = instant(scope.date, &form.time, &tz) else {
            return refuse(t.time_required, Some(Field::Time)).await;
        };
        let Ok(practitioner) = form.practitioner.parse::<Uuid>().map(PractitionerId) else {
            return refuse(t.not_bookable, None).await;
        };
        let practitioners = match state.ctx.store.list_practitioners(staff.tenant.id).await {
            Ok(p) => p,
            Err(e) => return internal(staff.locale(), &e),
        };
        let units = practitioners.iter().find(|p| p.id == practitioner).map(|p| p.location_ids.clone());
        let units = units.unwrap_or_default();
        let location = scope.unit.filter(|u| units.contains(u)).or_else(|| units.first().copied());
        let Some(location) = location else { return refuse(t.not_bookable, None).await };
        Placement { practitioner, location, start }
    } else {
        match Placement::parse(&form.slot) {
            Some(p) => p,
            None => return refuse(t.not_bookable, None).await,
        }
    };
    let who = match &patient {
        PatientRef::Id(id) => id.to_string(),
        PatientRef::Contact { phone, .. } => phone.as_str().to_owned(),
    };
    let request_hash = hex::encode(Sha256::digest(format!(
        "{service}|{}|{}|{}|{who}",
        placement.practitioner, placement.location, placement.start
    )));
    let local_date = placement.start.to_zoned(tz.clone()).date();
    let request = BookingRequest {
        tenant_id: staff.tenant.id,
        patient,
        practitioner_id: placement.practitioner,
        location_id: placement.location,
        service_id: service,
        start: placement.start,
        idempotency: (!form.form_id.is_empty())
            .then(|| IdempotencyClaim { key: format!("app-form:{}", form.form_id), request_hash }),
        actor: format!("user:{}", staff.user.id),
        confirmation: Confirmation::Send,
    };
    match frontdesk_engine::scheduling::book(&state.ctx, request).await {
        Ok(done) => match audit_change(&state, &staff, "book", &done.appointment).await {
            Ok(()) => back_to(Scope { date: local_date, ..scope }, done.appointment.id),
            Err(e) => internal(staff.locale(), &e),
        },
        Err(e) => match scheduling_problem(t, &e) {
            Some(problem) => {
                let feedback = Feedback { problem: Some(problem), field: None, draft };
                render_page(&state, &staff, scope, feedback, StatusCode::CONFLICT).await
            }
            None => internal(staff.locale(), &e),
        },
    }
}

/// The audit names the person who changed the appointment (the API's entries name the key).
async fn audit_change(
    state: &AppState,
    staff: &Staff,
    action: &str,
    appointment: &frontdesk_domain::scheduling::Appointment,
) -> Result<(), frontdesk_store::StoreError> {
    let id = appointment.id.to_string();
    let access = Access {
        action,
        resource_type: "appointment",
        resource_id: Some(&id),
        patient_id: Some(appointment.patient_id),
    };
    audit::record(&state.ctx, &staff.actor(), access).await
}
