//! The patient's details and the booking itself.

use super::choose::{Choice, slots_page};
use super::texts::{self, BookTexts};
use super::{Clinic, too_many, when_text};
use crate::AppState;
use crate::app::page::{internal, render};
use crate::ratelimit::ClientIp;
use crate::slot_choice::Placement;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::PatientId;
use frontdesk_domain::contact::Email;
use frontdesk_domain::patients::Patient;
use frontdesk_engine::links::manage_path;
use frontdesk_engine::scheduling::{OnlineBooking, OnlinePatient, SchedulingFailure, book_online};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    pub service: String,
    pub slot: String,
    pub lang: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: String,
    /// The honeypot: hidden from people (and from assistive technology), filled by bots.
    pub website: String,
    pub form_token: String,
    pub form_id: String,
    /// A personal link's patient and token (then name and phone are not asked).
    pub patient: String,
    pub invite: String,
}

#[derive(Template)]
#[template(path = "book_details.html")]
struct DetailsPage {
    t: &'static BookTexts,
    clinic: String,
    action: String,
    back_href: String,
    other_language_href: String,
    service: String,
    when: String,
    who: String,
    place: String,
    form: DetailsForm,
    /// The first name of the patient a personal link was sent to.
    invited: Option<String>,
    problem: Option<&'static str>,
    /// Which field the problem is about (`name`, `phone`, `email`, `consent`).
    field: &'static str,
}

/// The form for the chosen slot.
pub async fn details(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(form): Query<DetailsForm>,
    headers: HeaderMap,
) -> Response {
    let locale = texts::locale(Some(&form.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let invited = match invited_patient(&state, &clinic, &form).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    details_page(&state, &clinic, form, invited.as_ref(), None, "", StatusCode::OK)
}

/// The patient of the personal link the form carries, if it is valid. An expired or
/// altered link is no error: the patient types their details like anyone else.
async fn invited_patient(
    state: &AppState,
    clinic: &Clinic,
    form: &DetailsForm,
) -> Result<Option<Patient>, Response> {
    let Ok(id) = form.patient.parse::<PatientId>() else { return Ok(None) };
    let signer = state.ctx.links.as_ref().expect("Clinic::open checked that links are configured");
    if !signer.verify_invite(clinic.tenant.id, id, &form.invite, state.ctx.clock.now()) {
        return Ok(None);
    }
    state.ctx.store.get_patient(clinic.tenant.id, id).await.map_err(|e| internal(clinic.locale, &e))
}

fn details_page(
    state: &AppState,
    clinic: &Clinic,
    mut form: DetailsForm,
    invited: Option<&Patient>,
    problem: Option<&'static str>,
    field: &'static str,
    status: StatusCode,
) -> Response {
    let cal = &clinic.calendar;
    if invited.is_none() {
        form.patient.clear();
        form.invite.clear();
    }
    let choice = Choice {
        service: form.service.clone(),
        lang: clinic.t.code.into(),
        patient: form.patient.clone(),
        invite: form.invite.clone(),
        ..Default::default()
    };
    let (Some(service), Some(slot)) =
        (choice.service_id().and_then(|id| cal.service(id).ok()), Placement::parse(&form.slot))
    else {
        return Redirect::to(&choice.href(&clinic.base(), &[])).into_response();
    };
    let (Ok(who), Ok(place)) = (cal.practitioner(slot.practitioner), cal.location(slot.location)) else {
        return Redirect::to(&choice.href(&clinic.base(), &[])).into_response();
    };
    form.lang = clinic.t.code.into();
    // A fresh token and id each time the form is shown: the token proves a person loaded
    // the page recently, the id makes a double submit book once.
    let signer = state.ctx.links.as_ref().expect("Clinic::open checked that links are configured");
    form.form_token = signer.form_token(clinic.tenant.id, state.ctx.clock.now());
    if form.form_id.is_empty() {
        form.form_id = Uuid::new_v4().to_string();
    }
    let day = cal.zone(slot.location).to_datetime(slot.start).date().to_string();
    let page = DetailsPage {
        t: clinic.t,
        clinic: clinic.tenant.name.clone(),
        action: clinic.base(),
        back_href: choice.href(&format!("{}/slots", clinic.base()), &[("day", &day)]),
        other_language_href: choice.href(
            &format!("{}/details", clinic.base()),
            &[("slot", &form.slot), ("lang", clinic.t.other_code)],
        ),
        service: service.name.clone(),
        when: when_text(cal, slot.location, slot.start, clinic.locale),
        who: who.name.clone(),
        place: place.name.clone(),
        form,
        invited: invited.map(|p| p.known_first_name().unwrap_or_default().to_owned()),
        problem,
        field,
    };
    render(&page, status)
}

/// Books, or shows the form again naming what to fix, or (the slot was just taken) the
/// next free times.
pub async fn book(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<DetailsForm>,
) -> Response {
    let locale = texts::locale(Some(&form.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let t = clinic.t;
    let invited = match invited_patient(&state, &clinic, &form).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let refuse = |problem, field| {
        details_page(
            &state,
            &clinic,
            form.clone(),
            invited.as_ref(),
            Some(problem),
            field,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if !clinic.form_is_genuine(&state, &form.website, &form.form_token) {
        return refuse(t.form_expired, "");
    }
    if !form.invite.is_empty() && invited.is_none() {
        // The personal link expired while the form was open: the details are asked now.
        return refuse(t.form_expired, "");
    }
    if form.consent.is_empty() {
        return refuse(t.consent_required, "consent");
    }
    let (patient, caller) = match &invited {
        Some(p) => (OnlinePatient::Invited(p.id), p.id.to_string()),
        None => {
            let (name, phone) = match clinic.contact(&state, &form.name, &form.phone).await {
                Ok(Ok(contact)) => contact,
                Ok(Err((problem, field))) => return refuse(problem, field),
                Err(page) => return page,
            };
            let email = match form.email.trim() {
                "" => None,
                raw => match Email::parse(raw) {
                    Ok(e) => Some(e),
                    Err(_) => return refuse(t.email_invalid, "email"),
                },
            };
            let caller = phone.as_str().to_owned();
            (OnlinePatient::Contact { name, phone, email }, caller)
        }
    };
    if state.limits.check_online_booking(ip, &caller).is_err() {
        return too_many(t);
    }
    let (Some(service), Some(slot)) = (
        Choice { service: form.service.clone(), ..Default::default() }.service_id(),
        Placement::parse(&form.slot),
    ) else {
        return refuse(t.not_bookable, "");
    };
    let request = OnlineBooking {
        tenant_id: clinic.tenant.id,
        patient,
        service_id: service,
        practitioner_id: slot.practitioner,
        location_id: slot.location,
        start: slot.start,
        form_id: form.form_id.chars().take(64).collect(),
    };
    match book_online(&state.ctx, request).await {
        Ok(done) => {
            let path = manage_path(&state.ctx, &clinic.tenant, done.appointment.id).unwrap_or_default();
            Redirect::to(&format!("{path}&done=booked&lang={}", t.code)).into_response()
        }
        Err(SchedulingFailure::SlotTaken) => {
            let choice = Choice {
                service: form.service.clone(),
                lang: t.code.into(),
                patient: form.patient.clone(),
                invite: form.invite.clone(),
                ..Default::default()
            };
            slots_page(&state, &clinic, choice, Some(slot), StatusCode::CONFLICT).await
        }
        Err(SchedulingFailure::NotBookable("too_many_upcoming")) => refuse(t.too_many_upcoming, "phone"),
        Err(
            SchedulingFailure::NotBookable(_)
            | SchedulingFailure::NotFound(_)
            | SchedulingFailure::Invalid(_)
            | SchedulingFailure::IdempotencyKeyReused,
        ) => refuse(t.not_bookable, ""),
        Err(e) => internal(locale, &e),
    }
}
