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
mod waitlist;

use crate::AppState;
use crate::app::page::render;
use crate::ratelimit::route_of;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use frontdesk_domain::tenant::{Locale, Tenant};
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
            Err(e) => return Err(crate::app::page::internal(locale, &e)),
        };
        // Links and form tokens need the server's link secret; without it there is no
        // public booking (nothing could be managed afterwards).
        if state.ctx.links.is_none() {
            return Err(unavailable(t));
        }
        let calendar =
            load_cached(&state.ctx, tenant.id).await.map_err(|e| crate::app::page::internal(locale, &e))?;
        Ok(Self { tenant, calendar, locale, t })
    }

    fn base(&self) -> String {
        format!("/book/{}", self.tenant.slug.as_str())
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
