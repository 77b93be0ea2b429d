//! Joining the waitlist from the public page, when no time suits: the patient leaves a
//! name, phone, when they can come and consent, and is offered the next freed time on
//! WhatsApp (the waitlist's own offers, first "SIM" books it).

use super::choose::Choice;
use super::texts::{self, BookTexts};
use super::{Clinic, too_many};
use crate::AppState;
use crate::app::page::{internal, render};
use crate::app::waitlist::period_window;
use crate::ratelimit::ClientIp;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_engine::scheduling::OnlinePatient;
use frontdesk_engine::waitlist::{JoinRequest, WaitlistFailure, join_online};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WaitlistForm {
    pub service: String,
    pub practitioner: String,
    pub unit: String,
    pub lang: String,
    pub name: String,
    pub phone: String,
    pub period: String,
    pub consent: String,
    /// The honeypot, as on the booking form.
    pub website: String,
    pub form_token: String,
}

#[derive(Template)]
#[template(path = "book_waitlist.html")]
struct WaitlistPage {
    t: &'static BookTexts,
    clinic: String,
    action: String,
    back_href: String,
    other_language_href: String,
    service: String,
    who: String,
    form: WaitlistForm,
    problem: Option<&'static str>,
    field: &'static str,
    joined: bool,
}

pub async fn form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(form): Query<WaitlistForm>,
    headers: HeaderMap,
) -> Response {
    let locale = texts::locale(Some(&form.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    page(&state, &clinic, form, None, "", false, StatusCode::OK)
}

fn page(
    state: &AppState,
    clinic: &Clinic,
    mut form: WaitlistForm,
    problem: Option<&'static str>,
    field: &'static str,
    joined: bool,
    status: StatusCode,
) -> Response {
    let cal = &clinic.calendar;
    let choice = Choice {
        service: form.service.clone(),
        practitioner: form.practitioner.clone(),
        unit: form.unit.clone(),
        lang: clinic.t.code.into(),
        ..Default::default()
    };
    let Some(service) = choice.service_id().and_then(|id| cal.service(id).ok()) else {
        return Redirect::to(&choice.href(&clinic.base(), &[])).into_response();
    };
    let who = choice
        .practitioner
        .parse()
        .ok()
        .and_then(|id| cal.practitioner(frontdesk_domain::PractitionerId(id)).ok())
        .map_or_else(|| clinic.t.any_practitioner.to_owned(), |p| p.name.clone());
    form.lang = clinic.t.code.into();
    let signer = state.ctx.links.as_ref().expect("Clinic::open checked that links are configured");
    form.form_token = signer.form_token(clinic.tenant.id, state.ctx.clock.now());
    let waitlist = WaitlistPage {
        t: clinic.t,
        clinic: clinic.tenant.name.clone(),
        action: format!("{}/waitlist", clinic.base()),
        back_href: choice.href(&format!("{}/slots", clinic.base()), &[]),
        other_language_href: choice
            .href(&format!("{}/waitlist", clinic.base()), &[("lang", clinic.t.other_code)]),
        service: service.name.clone(),
        who,
        form,
        problem,
        field,
        joined,
    };
    render(&waitlist, status)
}

pub async fn join(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<WaitlistForm>,
) -> Response {
    let locale = texts::locale(Some(&form.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let t = clinic.t;
    let refuse = |problem, field| {
        page(&state, &clinic, form.clone(), Some(problem), field, false, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if !clinic.form_is_genuine(&state, &form.website, &form.form_token) {
        return refuse(t.form_expired, "");
    }
    let (name, phone) = match clinic.contact(&state, &form.name, &form.phone).await {
        Ok(Ok(contact)) => contact,
        Ok(Err((problem, field))) => return refuse(problem, field),
        Err(page) => return page,
    };
    if form.consent.is_empty() {
        return refuse(t.consent_required, "consent");
    }
    if state.limits.check_online_booking(ip, phone.as_str()).is_err() {
        return too_many(t);
    }
    let choice = Choice {
        service: form.service.clone(),
        practitioner: form.practitioner.clone(),
        unit: form.unit.clone(),
        ..Default::default()
    };
    let Some(service) = choice.service_id() else { return refuse(t.not_bookable, "") };
    let request = JoinRequest {
        tenant_id: clinic.tenant.id,
        patient_id: frontdesk_domain::PatientId::new(),
        service_id: service,
        practitioner_id: choice.practitioner.parse().ok().map(frontdesk_domain::PractitionerId),
        location_id: choice.unit.parse().ok().map(frontdesk_domain::LocationId),
        windows: period_window(&form.period),
        not_after: None,
        source: "online",
    };
    match join_online(&state.ctx, OnlinePatient::Contact { name, phone, email: None }, request).await {
        Ok(_) => page(&state, &clinic, form.clone(), None, "", true, StatusCode::OK),
        Err(WaitlistFailure::NotFound(_) | WaitlistFailure::Invalid(_) | WaitlistFailure::Scheduling(_)) => {
            refuse(t.not_bookable, "")
        }
        Err(WaitlistFailure::Store(e)) => internal(locale, &e),
    }
}
