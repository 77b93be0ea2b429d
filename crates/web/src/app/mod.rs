//! The staff app: server-rendered pages (askama templates, htmx vendored and served from
//! the binary), for people signed in with a session cookie. Handlers are as thin as the
//! API's and call the same engine functions.

// A refusal here is a finished page (403, 404, the sign-in form), returned as it is; boxing
// every such `Response` would only add noise to each handler.
#![allow(clippy::result_large_err)]

mod assets;
mod calendar;
mod calls;
mod campaign_enrollment;
mod campaign_new;
mod campaigns;
mod chrome;
mod dashboard;
mod events;
mod i18n;
mod inbox;
mod invite;
mod lead_actions;
mod lead_import;
mod leads;
mod login;
mod me;
pub(crate) mod page;
mod patients;
mod second_factor;
mod session;
mod settings;
mod today;
mod users;
pub(crate) mod waitlist;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use page::{browser_locale, problem_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::root))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/login/code", get(second_factor::prompt).post(second_factor::submit))
        .route("/invite/{token}", get(invite::form).post(invite::submit))
        .route("/app/me/totp/{action}", post(second_factor::change))
        .route("/app", get(today::today))
        .route("/app/dashboard", get(dashboard::show))
        .route("/app/reports/{kind}", get(dashboard::report))
        .route("/app/events", get(events::stream))
        .route("/app/inbox", get(inbox::list))
        .route("/app/inbox/{id}", get(inbox::thread))
        .route("/app/inbox/{id}/reply", post(inbox::reply))
        .route("/app/inbox/{id}/template", post(inbox::send_template))
        .route("/app/inbox/{id}/booking-link", post(inbox::send_booking_link))
        .route("/app/inbox/{id}/{what}", post(inbox::take_or_release))
        .route("/app/leads", get(leads::pipeline))
        .route("/app/leads/import", get(lead_import::form).post(lead_import::upload))
        .route("/app/leads/import/{id}", get(lead_import::run))
        .route("/app/leads/import/{id}/progress", get(lead_import::progress))
        .route("/app/leads/{id}", get(leads::lead))
        .route("/app/leads/{id}/stage", post(leads::move_stage))
        .route("/app/leads/{id}/lost", post(leads::mark_lost))
        .route("/app/leads/{id}/call", post(lead_actions::call_now))
        .route("/app/leads/{id}/message", post(lead_actions::send_message))
        .route("/app/patients", get(patients::search))
        .route("/app/patients/{id}", get(patients::profile))
        .route("/app/calendar", get(calendar::page))
        .route("/app/calendar/patients", get(calendar::patients))
        .route("/app/calendar/slots", get(calendar::slots))
        .route("/app/calendar/book", post(calendar::book))
        .route("/app/calendar/{id}/{action}", post(calendar::act))
        .route("/app/calls", get(calls::list))
        .route("/app/campaigns", get(campaigns::list))
        .route("/app/campaigns/new", get(campaign_new::show).post(campaign_new::create))
        .route("/app/campaigns/new/preview", post(campaign_new::preview))
        .route("/app/campaigns/{id}", get(campaigns::campaign))
        .route("/app/campaigns/{id}/enrollments/{enrollment}", get(campaign_enrollment::enrollment))
        .route("/app/campaigns/{id}/{action}", post(campaigns::move_campaign))
        .route("/app/waitlist", get(waitlist::show).post(waitlist::join))
        .route("/app/waitlist/{id}/remove", post(waitlist::remove))
        .route("/app/calls/{id}", get(calls::call))
        .route("/app/settings", get(settings::index))
        .route("/app/settings/clinic", get(settings::clinic::show).post(settings::clinic::save))
        .route("/app/settings/calendar", get(settings::catalog::show))
        .route("/app/settings/calendar/practitioners/{id}", post(settings::catalog::edit_practitioner))
        .route("/app/settings/calendar/units/{id}", post(settings::catalog::edit_unit))
        .route("/app/settings/calendar/services/{id}", post(settings::catalog::edit_service))
        .route("/app/settings/calendar/{what}", post(settings::catalog::create))
        .route("/app/settings/hours", get(settings::hours::show))
        .route("/app/settings/hours/week", post(settings::hours::save_week))
        .route("/app/settings/hours/exceptions", post(settings::hours::add_exception))
        .route("/app/settings/templates", get(settings::templates::show).post(settings::templates::save))
        .route("/app/settings/templates/preview", post(settings::templates::preview))
        .route("/app/settings/providers", get(settings::providers::show))
        .route("/app/settings/providers/{name}", post(settings::providers::save))
        .route("/app/settings/api-keys", get(settings::api_keys::list).post(settings::api_keys::create))
        .route("/app/settings/api-keys/{prefix}/revoke", post(settings::api_keys::revoke))
        .route("/app/settings/users", get(users::list).post(users::add))
        .route("/app/settings/users/{id}/{what}", post(users::change))
        .route("/app/settings/webhooks", get(settings::webhooks::show).post(settings::webhooks::create))
        .route("/app/settings/webhooks/deliveries/{id}/replay", post(settings::webhooks::replay))
        .route("/app/settings/webhooks/{id}/{what}", post(settings::webhooks::change))
        .route("/app/me", get(me::show).post(me::save))
        .route("/assets/{*path}", get(assets::serve))
}
