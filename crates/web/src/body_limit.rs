//! A request that announces a body over the limit (`Content-Length`) is refused before any
//! of it is read. `DefaultBodyLimit` alone only notices while reading, so the server took
//! in the first megabyte of a body it was going to refuse anyway, and the client, still
//! writing, could see the connection close before it read the 413. Bodies without a
//! length (chunked) are still cut by `DefaultBodyLimit` as they stream. Layered on the
//! API (webhooks included) and FHIR routers only: staff-app pages answer in their own words.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Answers 413 in plain text (turned into the JSON error or the staff app's page by
/// `error::uniform_errors`, like axum's own rejections) when the announced length is over
/// `limit` bytes.
pub async fn refuse_announced_oversize(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match announced {
        Some(length) if length > limit as u64 => {
            let mut text = format!("the request body is {length} bytes, over the limit of {limit} bytes");
            // A lead list has somewhere else to go; say where, as the route itself does.
            if request.uri().path() == "/api/v1/leads/import" {
                text = format!("{text}: {}", crate::routes::leads::IMPORT_TOO_LARGE);
            }
            (StatusCode::PAYLOAD_TOO_LARGE, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text)
                .into_response()
        }
        _ => next.run(request).await,
    }
}
