//! What every page shares: rendering and pages for problems.

use super::i18n::{self, Texts};
use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use frontdesk_domain::tenant::Locale;

/// Renders a template as a page (never cached: pages hold patient data).
pub fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, "no-store".parse().expect("static header value"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "page error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage {
    t: &'static Texts,
    title: &'static str,
    text: &'static str,
}

/// A page for 404, 403 and 500 that a receptionist understands, with a way back.
pub fn problem_page(locale: Locale, status: StatusCode) -> Response {
    let t = i18n::texts(locale);
    let (title, text) = match status {
        StatusCode::NOT_FOUND => (t.not_found_title, t.not_found_text),
        StatusCode::FORBIDDEN => (t.forbidden_title, t.forbidden_text),
        StatusCode::PAYLOAD_TOO_LARGE => (t.too_large_title, t.too_large_text),
        s if s.is_client_error() => (t.bad_form_title, t.bad_form_text),
        _ => (t.error_title, t.error_text),
    };
    render(&ProblemPage { t, title, text }, status)
}

/// A form from an old page or another site (its CSRF token is not this session's).
pub fn stale_form_page(locale: Locale) -> Response {
    let t = i18n::texts(locale);
    render(&ProblemPage { t, title: t.forbidden_title, text: t.stale_form }, StatusCode::FORBIDDEN)
}

/// Logs the cause and answers with the 500 page (never the cause).
pub fn internal(locale: Locale, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %cause, "page failed");
    problem_page(locale, StatusCode::INTERNAL_SERVER_ERROR)
}

/// The browser's language, for pages shown before sign-in.
pub fn browser_locale(headers: &HeaderMap) -> Locale {
    i18n::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// Local time of day in the clinic's zone, `14:30`.
pub fn clock_time(ts: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    ts.to_zoned(tz.clone()).strftime("%H:%M").to_string()
}

/// Day and time in the clinic's zone, `04/12 14:30`.
pub fn day_time(ts: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    ts.to_zoned(tz.clone()).strftime("%d/%m %H:%M").to_string()
}

/// A channel as people name it (the same in both languages).
pub fn channel_label(channel: frontdesk_domain::messaging::Channel) -> &'static str {
    match channel {
        frontdesk_domain::messaging::Channel::Whatsapp => "WhatsApp",
        frontdesk_domain::messaging::Channel::Sms => "SMS",
        // Calls (a consent record's channel): "Tel." reads the same in both languages.
        frontdesk_domain::messaging::Channel::Voice => "Tel.",
        frontdesk_domain::messaging::Channel::Email => "E-mail",
    }
}
