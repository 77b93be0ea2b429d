//! How scheduling failures read over HTTP.

use crate::ApiError;
use axum::http::StatusCode;
use frontdesk_engine::scheduling::{CatalogError, SchedulingFailure};

impl From<SchedulingFailure> for ApiError {
    fn from(f: SchedulingFailure) -> Self {
        let message = f.to_string();
        match f {
            SchedulingFailure::NotFound(what) => ApiError::not_found(what),
            SchedulingFailure::SlotTaken => ApiError::conflict("slot_taken", message),
            SchedulingFailure::NotBookable(reason) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_bookable",
                format!("{message} ({})", reason.replace('_', " ")),
            ),
            SchedulingFailure::Invalid(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
            }
            SchedulingFailure::InvalidTransition { .. } => ApiError::conflict("invalid_transition", message),
            SchedulingFailure::NotYet(_) => ApiError::conflict("not_yet", message),
            SchedulingFailure::IdempotencyKeyReused => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", message)
            }
            SchedulingFailure::Stale => ApiError::conflict("concurrent_change", message),
            SchedulingFailure::Upstream(_) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "scheduling_backend_unavailable", message)
            }
            SchedulingFailure::Store(e) => e.into(),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m),
            CatalogError::UnknownReference(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference", e.to_string())
            }
            CatalogError::NotFound(what) => ApiError::not_found(what),
            CatalogError::Store(s) => s.into(),
        }
    }
}
