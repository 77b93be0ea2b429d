//! Settings, for owners and admins: the clinic, its calendar (units, practitioners,
//! services, hours), message templates, providers and API keys. Each page is a module;
//! each saves through the same engine functions as the API, so a rule holds for both.

pub mod api_keys;
pub mod catalog;
pub mod clinic;
pub mod hours;
pub mod providers;
pub mod templates;
pub mod texts;
pub mod webhook_texts;
pub mod webhooks;

use super::page::problem_page;
use super::session::{Staff, same_origin};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::staff::Permission;

/// The settings section's sub-navigation: (path, label), in menu order.
pub fn nav(staff: &Staff) -> Vec<(&'static str, &'static str)> {
    let t = &staff.texts().set;
    vec![
        ("/app/settings/clinic", t.clinic),
        ("/app/settings/calendar", t.calendar_setup),
        ("/app/settings/hours", t.hours),
        ("/app/settings/templates", t.templates),
        ("/app/settings/providers", t.providers),
        ("/app/settings/api-keys", t.api_keys),
        ("/app/settings/users", staff.texts().users),
        ("/app/settings/webhooks", staff.texts().hooks.title),
    ]
}

/// `/app/settings` opens the first page.
pub async fn index(staff: Staff) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    Redirect::to("/app/settings/clinic").into_response()
}

/// Owners and admins only; a form must come from this site with this session's token.
pub fn guard(staff: &Staff, headers: Option<&HeaderMap>, csrf: Option<&str>) -> Result<(), Response> {
    staff.require(Permission::Configure)?;
    if headers.is_some_and(|h| !same_origin(h)) {
        return Err(problem_page(staff.locale(), StatusCode::FORBIDDEN));
    }
    if let Some(csrf) = csrf {
        staff.check_csrf(csrf)?;
    }
    Ok(())
}

/// Problems with a form, each shown next to its field (by the field's name).
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A form value the person left empty counts as absent.
pub fn filled(raw: &str) -> Option<String> {
    let v = raw.trim();
    (!v.is_empty()).then(|| v.to_owned())
}
