//! A read-only FHIR R4 (4.0.1) API over the clinic's calendar, for EHRs and integration
//! engines that speak FHIR rather than our JSON API:
//!
//! - `GET /fhir/R4/metadata`: the CapabilityStatement.
//! - `GET /fhir/R4/Appointment/{id}` and `GET /fhir/R4/Appointment?date=&patient=&practitioner=&status=`.
//! - `GET /fhir/R4/Schedule` (`?actor=`) and `/Schedule/{id}`: one Schedule per practitioner
//!   and location with weekly hours; the id scheme is documented on [`schedule::ScheduleId`].
//! - `GET /fhir/R4/Slot?schedule=&start=&service-type=`: free slots, computed.
//! - `GET /fhir/R4/Patient/{id}`, `/Practitioner/{id}`, `/Location/{id}`.
//!
//! Same API keys (and rate limits) as `/api/v1`; the key decides the tenant, so another
//! clinic's id is simply unknown (404). Every error is an `OperationOutcome`.

mod bundle;
pub mod export;
mod handlers;
mod outcome;
mod resources;
#[cfg(test)]
mod resources_tests;
mod schedule;
mod search;
#[cfg(test)]
mod search_tests;
mod searches;

pub use outcome::FhirError;
pub use schedule::ScheduleId;

use crate::{AppState, auth};
use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};

/// FHIR's JSON media type; `application/json` is not a FHIR response.
pub const FHIR_JSON: &str = "application/fhir+json";

/// A FHIR resource (or Bundle, or OperationOutcome) as a response body.
pub struct Fhir(pub serde_json::Value);

impl IntoResponse for Fhir {
    fn into_response(self) -> Response {
        let mut response = axum::Json(self.0).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
        response
    }
}

/// A GET route whose other methods answer 405 as an OperationOutcome. The fallback is
/// set here because the app-wide 405 fallback would replace a default one after this
/// router's layers were applied, and answer in the API's JSON.
fn read<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    get(handler).fallback(handlers::read_only)
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/fhir/R4/metadata", read(handlers::metadata))
        .route("/fhir/R4/Appointment", read(searches::appointments))
        .route("/fhir/R4/Appointment/{id}", read(handlers::appointment))
        .route("/fhir/R4/Slot", read(searches::slots))
        .route("/fhir/R4/Schedule", read(searches::schedules_search))
        .route("/fhir/R4/Schedule/{id}", read(handlers::schedule))
        .route("/fhir/R4/Patient/{id}", read(handlers::patient))
        .route("/fhir/R4/Practitioner/{id}", read(handlers::practitioner))
        .route("/fhir/R4/Location/{id}", read(handlers::location))
        // Other resource types and interactions answer in FHIR too, not with the API's 404.
        .route("/fhir/{*rest}", read(handlers::unsupported))
        .route_layer(axum::middleware::from_fn_with_state(state, auth::require_api_key))
        // Outside the auth layer, so that its 401s (and 429s) become OperationOutcomes.
        .layer(axum::middleware::from_fn(outcome::outcomes_only))
}
