pub mod analytics;
pub mod api_keys;
pub mod appointments;
pub mod assistant;
pub mod audit;
pub mod audit_export;
pub mod availability;
pub mod calls;
pub mod campaign_enrollment;
pub mod campaigns;
pub mod catalog;
pub mod conversations;
pub mod data_rights;
pub mod email;
pub mod external_ids;
pub mod health;
pub mod insights;
pub mod jobs;
pub mod leads;
pub mod metrics;
pub mod n8n;
pub mod nlu;
pub mod noshow;
pub mod patients;
pub mod public;
pub mod reports;
mod scheduling_errors;
pub mod settings;
pub mod tenant;
pub mod voice_webhooks;
pub mod waitlist;
pub mod webhook_deliveries;
pub mod webhook_subscriptions;
pub mod webhooks;

use crate::ApiError;
use axum::http::StatusCode;

/// JSON for API clients; a page with a way back for a person in the app.
pub async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/app") {
        let locale = crate::app::browser_locale(&headers);
        return crate::app::problem_page(locale, StatusCode::NOT_FOUND);
    }
    ApiError::new(StatusCode::NOT_FOUND, "route_not_found", "no such route; see /docs for the API")
        .into_response()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
}
