//! FHIR errors: every failure under `/fhir` is an `OperationOutcome`, including those
//! produced by shared layers (API-key auth, rate limits, routing) that speak the API's
//! `{"error": {...}}` shape. Those are rewritten by [`outcomes_only`].

use super::FHIR_JSON;
use crate::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use frontdesk_engine::scheduling::SchedulingFailure;
use frontdesk_store::StoreError;
use serde_json::{Value, json};

/// Error bodies of the shared layers are small; anything larger is not one of them.
const MAX_REWRITTEN_BODY: usize = 64 * 1024;

/// An error answered as an `OperationOutcome` with one issue.
#[derive(Debug)]
pub struct FhirError {
    pub status: StatusCode,
    /// An `IssueType` code (http://hl7.org/fhir/ValueSet/issue-type).
    pub code: &'static str,
    pub diagnostics: String,
}

impl FhirError {
    pub fn new(status: StatusCode, code: &'static str, diagnostics: impl Into<String>) -> Self {
        Self { status, code, diagnostics: diagnostics.into() }
    }

    /// `Patient/123` unknown, or belonging to another tenant: the two are indistinguishable.
    pub fn not_found(resource_type: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", format!("{resource_type}/{id} is not known"))
    }

    pub fn invalid(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", diagnostics)
    }

    pub fn not_supported(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "not-supported", diagnostics)
    }

    /// A search that would cost too much (a too-wide slot window, too many matches).
    pub fn too_costly(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "too-costly", diagnostics)
    }
}

/// The `IssueType` that best describes an HTTP error status.
pub fn issue_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "invalid",
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        405 | 406 | 415 => "not-supported",
        409 => "conflict",
        413 => "too-long",
        422 => "processing",
        429 => "throttled",
        503 => "transient",
        500..=599 => "exception",
        _ => "invalid",
    }
}

pub fn outcome(code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }],
    })
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let body = outcome(self.code, &self.diagnostics);
        (self.status, super::Fhir(body)).into_response()
    }
}

/// Keeps `ApiError`'s guarantees: 5xx causes are logged there and never sent.
impl From<ApiError> for FhirError {
    fn from(err: ApiError) -> Self {
        Self::new(err.status, issue_code(err.status), err.message)
    }
}

impl From<StoreError> for FhirError {
    fn from(err: StoreError) -> Self {
        ApiError::from(err).into()
    }
}

impl From<SchedulingFailure> for FhirError {
    fn from(err: SchedulingFailure) -> Self {
        match err {
            SchedulingFailure::Store(e) => e.into(),
            SchedulingFailure::Invalid(m) => Self::invalid(m),
            // Reads only load the calendar: anything else means the tenant vanished
            // mid-request or an upstream failed, which the client cannot fix.
            other => ApiError::internal(&other).into(),
        }
    }
}

/// Rewrites error responses that are not already FHIR (the shared auth middleware's 401,
/// the rate limiter's 429, 405s from routing) into `OperationOutcome`s with the same
/// status and headers (`Retry-After` stays).
pub async fn outcomes_only(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_fhir = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(FHIR_JSON));
    if !(status.is_client_error() || status.is_server_error()) || is_fhir {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_REWRITTEN_BODY).await.unwrap_or_default();
    let diagnostics = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("request failed").to_owned());
    let body = serde_json::to_vec(&outcome(issue_code(status), &diagnostics)).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_issue_types() {
        let cases = [
            (400, "invalid"),
            (401, "login"),
            (404, "not-found"),
            (405, "not-supported"),
            (429, "throttled"),
            (500, "exception"),
            (418, "invalid"),
        ];
        for (status, code) in cases {
            assert_eq!(issue_code(StatusCode::from_u16(status).unwrap()), code, "{status}");
        }
    }

    #[test]
    fn an_outcome_has_one_error_issue() {
        let o = outcome("not-found", "Patient/x is not known");
        assert_eq!(o["resourceType"], "OperationOutcome");
        assert_eq!(o["issue"][0]["severity"], "error");
        assert_eq!(o["issue"][0]["code"], "not-found");
        assert_eq!(o["issue"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn api_errors_keep_status_and_message() {
        let e = FhirError::from(ApiError::unauthorized("missing_api_key", "send a key"));
        assert_eq!(
            (e.status, e.code, e.diagnostics.as_str()),
            (StatusCode::UNAUTHORIZED, "login", "send a key")
        );
        let e = FhirError::from(StoreError::Backend("connection refused to 10.0.0.1".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.diagnostics.contains("10.0.0.1"), "causes are not leaked");
    }
}
