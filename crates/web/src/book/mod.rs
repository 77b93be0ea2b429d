//! The clinic's public booking page, `/book/{clinic}`: a patient chooses a service, a day
//! and a free time, leaves a name and phone, and is booked by the same engine call as the
//! desk's, with a confirmation on WhatsApp. The answer page, and the link in the
//! confirmation, let the patient reschedule or cancel (a signed link: no account).
//!
//! Open to anyone, so: every page is rate limited per address; a booking needs a fresh
//! signed form (issued by the page, expiring), an empty honeypot field, and passes
//! per-address and per-phone caps; the engine caps upcoming appointments per phone; the
//! store's overlap check is what keeps two patients off one slot.

mod choose;
mod manage;
mod submit;
mod texts;
mod unsubscribe;
mod waitlist;

use crate::AppState;
use crate::app::page::{internal, render};
use crate::ratelimit::route_of;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use frontdesk_domain::AppointmentId;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::scheduling::Appointment;
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_engine::links::LinkPurpose;
use frontdesk_engine::scheduling::{Calendar, load_cached};
use std::sync::Arc;
use texts::BookTexts;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/book/{tenant}", get(choose::start).post(submit::book))
        .route("/book/{tenant}/slots", get(choose::slots))
        .route("/book/{tenant}/details", get(submit::details))
        .route("/book/{tenant}/waitlist", get(waitlist::form).post(waitlist::join))
        .route("/book/{tenant}/appointment/{id}", get(manage::show))
        .route("/book/{tenant}/appointment/{id}/cancel", post(manage::cancel))
        .route("/book/{tenant}/appointment/{id}/reschedule", post(manage::reschedule))
        .route("/unsubscribe/{tenant}/{patient}", get(unsubscribe::show).post(unsubscribe::confirm))
        .route_layer(axum::middleware::from_fn_with_state(state, limit_by_address))
}

/// Every public page counts against its caller's address (the public-link budget), before
/// anything is read from the store.
async fn limit_by_address(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let ip = crate::ratelimit::client_ip(&request);
    if state.limits.check_webhook(ip, route_of(&request)).is_err() {
        let locale = crate::app::browser_locale(request.headers());
        return too_many(texts::texts(locale));
    }
    next.run(request).await
}

/// The clinic a page belongs to, with its calendar and the patient's language.
struct Clinic {
    tenant: Tenant,
    calendar: Arc<Calendar>,
    locale: Locale,
    t: &'static BookTexts,
}

impl Clinic {
    /// The clinic named in the address, or the page that says there is none.
    async fn open(state: &AppState, slug: &str, locale: Locale) -> Result<Self, Response> {
        let t = texts::texts(locale);
        let tenant = match state.ctx.store.tenant_by_slug(slug).await {
            Ok(Some(tenant)) => tenant,
            Ok(None) => return Err(unavailable(t)),
            Err(e) => return Err(internal(locale, &e)),
        };
        // Links and form tokens need the server's link secret; without it there is no
        // public booking (nothing could be managed afterwards).
        if state.ctx.links.is_none() {
            return Err(unavailable(t));
        }
        let calendar = load_cached(&state.ctx, tenant.id).await.map_err(|e| internal(locale, &e))?;
        Ok(Self { tenant, calendar, locale, t })
    }

    fn base(&self) -> String {
        format!("/book/{}", self.tenant.slug.as_str())
    }

    /// A public form's guards: the field people never see (the honeypot) is empty, and the
    /// form was issued by this clinic's page recently. A bot that fails them learns nothing
    /// more than a person with a page left open too long.
    fn form_is_genuine(&self, state: &AppState, honeypot: &str, token: &str) -> bool {
        let Some(signer) = state.ctx.links.as_ref() else { return false };
        honeypot.is_empty() && signer.verify_form_token(self.tenant.id, token, state.ctx.clock.now())
    }

    /// The name and mobile number typed in a public form, or the field to fix (its text and
    /// its name); `Err` is the error page.
    async fn contact(&self, state: &AppState, name: &str, phone: &str) -> Result<Typed, Response> {
        let Ok(name) = PersonName::parse(name) else { return Ok(Err((self.t.name_required, "name"))) };
        let region = match state.ctx.store.tenant_settings(self.tenant.id).await {
            Ok(s) => s.default_region,
            Err(e) => return Err(internal(self.locale, &e)),
        };
        match PhoneE164::parse(phone, &region) {
            Ok(phone) => Ok(Ok((name, phone))),
            Err(_) => Ok(Err((self.t.phone_invalid, "phone"))),
        }
    }
}

/// A contact typed in a form, or what to say about which field.
type Typed = Result<(PersonName, PhoneE164), (&'static str, &'static str)>;

/// The appointment `id` of this clinic, if `token` is its manage token.
async fn appointment(
    state: &AppState,
    clinic: &Clinic,
    id: AppointmentId,
    token: &str,
) -> Result<Appointment, Response> {
    let signer = state.ctx.links.as_ref().ok_or_else(|| unavailable(clinic.t))?;
    if !signer.verify(LinkPurpose::Manage, clinic.tenant.id, id, token) {
        return Err(unavailable(clinic.t));
    }
    match state.ctx.store.get_appointment(clinic.tenant.id, id).await {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(unavailable(clinic.t)),
        Err(e) => Err(internal(clinic.locale, &e)),
    }
}

#[derive(askama::Template)]
#[template(path = "book_message.html")]
struct MessagePage {
    t: &'static BookTexts,
    title: &'static str,
    text: &'static str,
}

fn unavailable(t: &'static BookTexts) -> Response {
    render(&MessagePage { t, title: t.unavailable_title, text: t.unavailable_text }, StatusCode::NOT_FOUND)
}

fn too_many(t: &'static BookTexts) -> Response {
    let mut response = render(
        &MessagePage { t, title: t.too_many_attempts, text: t.too_many_attempts },
        StatusCode::TOO_MANY_REQUESTS,
    );
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
    response
}

/// A price as patients read it: "R$ 150,00" or "R$150.00".
fn price_text(cents: i64, locale: Locale) -> String {
    let (whole, part) = (cents / 100, cents % 100);
    match locale {
        Locale::PtBr => format!("R$ {whole},{part:02}"),
        Locale::En => format!("R${whole}.{part:02}"),
    }
}

/// "qua, 03/06 às 10:00" or "Wed, Jun 3 at 10:00 AM", in the unit's zone.
fn when_text(
    calendar: &Calendar,
    location: frontdesk_domain::LocationId,
    start: jiff::Timestamp,
    locale: Locale,
) -> String {
    use frontdesk_engine::scheduling::{patient_date, patient_time};
    let local = calendar.zone(location).to_datetime(start);
    let (date, time) = (patient_date(local.date(), locale), patient_time(local.time(), locale));
    match locale {
        Locale::PtBr => format!("{date} às {time}"),
        Locale::En => format!("{date} at {time}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_as_patients_expect() {
        assert_eq!(price_text(15000, Locale::PtBr), "R$ 150,00");
        assert_eq!(price_text(9905, Locale::En), "R$99.05");
    }
}
