//! One JSON error shape for every failure: `{"error": {"code", "message"}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_store::{Conflict, StoreError};
use serde::Serialize;
use std::any::Any;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after_secs: Option<u64>,
    /// The current version of the record, on a 412 (sent as `ETag`).
    pub etag: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code such as `invalid_api_key` or `slot_taken`.
    pub code: String,
    /// Human-readable explanation naming the problem.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after_secs: None, etag: None }
    }
    pub fn with_etag(mut self, version: i64) -> Self {
        self.etag = Some(version);
        self
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests; retry later")
        }
    }
    /// A server-side failure: the cause is logged here and never sent to the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal server error")
    }
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "dependency unavailable");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "service temporarily unavailable")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_owned(), message: self.message } };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(tag) = self.etag.and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok()) {
            response.headers_mut().insert(header::ETAG, tag);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::not_found("resource"),
            StoreError::Conflict(conflict) => conflict.into(),
            StoreError::Backend(_) => Self::internal(&err),
        }
    }
}

/// Each store conflict has its own stable code; the message names what collided, never
/// backend text. A stale version is a failed precondition (412), the rest are 409.
impl From<Conflict> for ApiError {
    fn from(conflict: Conflict) -> Self {
        let message = conflict.to_string();
        match conflict {
            Conflict::SlotTaken => Self::conflict("slot_taken", message),
            Conflict::Duplicate { .. } => Self::conflict("duplicate", message),
            Conflict::Stale => Self::new(StatusCode::PRECONDITION_FAILED, "stale_version", message),
            Conflict::IdempotencyKeyReused => Self::conflict("idempotency_key_reused", message),
            Conflict::JobNotDead { .. } => Self::conflict("job_not_dead", message),
        }
    }
}

/// The safety net under every route: a 4xx that an extractor answered in plain text (a form
/// or query that does not parse, a body over the limit) becomes our JSON error on the API
/// and webhooks, and a page a person understands in the staff app. Handlers' own errors are
/// already shaped and pass through untouched.
pub async fn uniform_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let in_app = path.starts_with("/app") || path.starts_with("/book/") || path == "/login";
    let locale = crate::app::browser_locale(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    if in_app {
        return crate::app::problem_page(locale, status);
    }
    // Axum's rejection texts name the problem and hold no request data beyond its shape.
    let text = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        _ => "invalid_request",
    };
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("bad request").to_owned()
    } else {
        text
    };
    ApiError { status, code, message, retry_after_secs: None, etag: None }.into_response()
}

/// A panicking handler answers like any other failure.
pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal server error")
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_domain::jobs::JobStatus;
    use frontdesk_store::Record;

    /// Each conflict has its own status and stable code, and its message names what
    /// collided without any backend's wording.
    #[test]
    fn conflicts_map_to_stable_codes() {
        let cases = [
            (Conflict::SlotTaken, StatusCode::CONFLICT, "slot_taken"),
            (Conflict::Duplicate { what: Record::Patient }, StatusCode::CONFLICT, "duplicate"),
            (Conflict::Stale, StatusCode::PRECONDITION_FAILED, "stale_version"),
            (Conflict::IdempotencyKeyReused, StatusCode::CONFLICT, "idempotency_key_reused"),
            (Conflict::JobNotDead { status: JobStatus::Queued }, StatusCode::CONFLICT, "job_not_dead"),
        ];
        for (conflict, status, code) in cases {
            let err = ApiError::from(StoreError::Conflict(conflict));
            assert_eq!((err.status, err.code), (status, code), "{conflict:?}");
        }
        let dup = ApiError::from(StoreError::duplicate(Record::Patient));
        assert_eq!(dup.message, "patient already exists");
        let job = ApiError::from(StoreError::Conflict(Conflict::JobNotDead { status: JobStatus::Queued }));
        assert_eq!(job.message, "the job is queued; only dead jobs can be retried");
    }
}
