//! Optimistic concurrency over HTTP for the records people edit (leads, conversations,
//! patients, settings): every answer carries the record's version as an `ETag`, and a
//! write sent with `If-Match` applies only to that version. Two receptionists editing the
//! same lead no longer overwrite each other: the second gets 412 with the current version
//! and reloads. A write without `If-Match` applies to the version the server just read.

use crate::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_store::{Conflict, StoreError};

/// The version a client says it edited (`If-Match: "7"`); `None` without the header or
/// with `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else { return Ok(Self(None)) };
        parse(value.to_str().unwrap_or_default()).map(Self).ok_or_else(|| {
            ApiError::bad_request("invalid_if_match", "If-Match must be an ETag this API sent, such as \"3\"")
        })
    }
}

fn parse(raw: &str) -> Option<Option<i64>> {
    let raw = raw.trim();
    if raw == "*" {
        return Some(None);
    }
    let quoted = raw.strip_prefix("W/").unwrap_or(raw);
    quoted.strip_prefix('"')?.strip_suffix('"')?.parse().ok().map(Some)
}

impl IfMatch {
    /// The version to write against: the client's, else the one just read.
    pub fn expected(self, read: i64) -> i64 {
        self.0.unwrap_or(read)
    }

    /// Refuses early when the client edited an older version than the one just read.
    pub fn check(self, current: i64) -> Result<(), ApiError> {
        match self.0 {
            Some(v) if v != current => Err(stale(current)),
            _ => Ok(()),
        }
    }
}

/// A response with the record's version as its `ETag`.
pub struct Tagged<T>(pub i64, pub T);

impl<T: IntoResponse> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut response = self.1.into_response();
        if let Ok(tag) = HeaderValue::from_str(&format!("\"{}\"", self.0)) {
            response.headers_mut().insert(header::ETAG, tag);
        }
        response
    }
}

/// 412 naming the current version (also sent as the `ETag`, so the client can reload).
pub fn stale(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "stale_version",
        format!("the record changed since you read it (it is now at version {current}); reload it and apply your change again"),
    )
    .with_etag(current)
}

/// Maps a store write's `Conflict::Stale` to 412 with the version found now.
pub async fn or_stale<F, Fut>(result: Result<i64, StoreError>, current: F) -> Result<i64, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Option<i64>, StoreError>>,
{
    match result {
        Err(StoreError::Conflict(Conflict::Stale)) => match current().await? {
            Some(now) => Err(stale(now)),
            None => Err(ApiError::not_found("resource")),
        },
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_values() {
        assert_eq!(parse("\"7\""), Some(Some(7)));
        assert_eq!(parse("W/\"7\""), Some(Some(7)));
        assert_eq!(parse("*"), Some(None));
        assert_eq!(parse("7"), None);
        assert_eq!(parse("\"x\""), None);
        assert!(IfMatch(Some(3)).check(4).is_err());
        assert!(IfMatch(None).check(4).is_ok());
        assert_eq!(IfMatch(None).expected(4), 4);
    }
}
