//! Axum's extractors, with their rejections turned into our JSON errors so that malformed
//! JSON, wrong types, unknown enum values and oversized bodies get a 4xx naming the problem.

use crate::ApiError;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;

/// A JSON body (`application/json` or any `+json` type), refused with a 422 when one of
/// its strings holds a NUL (see `crate::nul`).
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        // The bytes are read once (under the body limit) and handed to axum's own JSON
        // extractor, so content-type and parse errors read as before.
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        let mut again = axum::extract::Request::new(axum::body::Body::from(bytes.clone()));
        *again.headers_mut() = headers;
        let axum::Json(value) = axum::Json::<T>::from_request(again, state).await?;
        if crate::nul::json_has_nul(&bytes) {
            return Err(crate::nul::json_rejection());
        }
        Ok(ApiJson(value))
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// A raw body (webhooks verify their signature over the exact bytes), whose rejection - an
/// oversized or unreadable body - is our JSON error rather than axum's plain text. A body
/// holding a NUL (raw, `\u0000` in JSON, `%00` in a form) is a 400 (see `crate::nul`).
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        let nul = if form { crate::nul::percent_has_nul(&bytes) } else { crate::nul::json_has_nul(&bytes) };
        if nul {
            return Err(crate::nul::payload_rejection());
        }
        Ok(ApiBytes(bytes))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        let status = rejection.status();
        let code =
            if status == StatusCode::PAYLOAD_TOO_LARGE { "payload_too_large" } else { "unreadable_body" };
        ApiError::new(status, code, rejection.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match &rejection {
            JsonRejection::JsonDataError(_) => "invalid_body",
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ => "unreadable_body",
        };
        ApiError::new(rejection.status(), code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        let status = rejection.status();
        let status = if status.is_server_error() { StatusCode::BAD_REQUEST } else { status };
        ApiError::new(status, "invalid_path", rejection.body_text())
    }
}
