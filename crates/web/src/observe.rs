//! Per-request log line and metrics. Only the route template is recorded, never the raw
//! path or query string, which can carry phone numbers or e-mail addresses.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

/// The matched route template, carried from routing back out to `observe`.
#[derive(Clone)]
struct RouteTemplate(String);

/// Runs inside routing (as a route layer), where the matched path is known.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let template = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let mut response = next.run(req).await;
    if let Some(t) = template {
        response.extensions_mut().insert(RouteTemplate(t));
    }
    response
}

pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let request_id =
        req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let span = tracing::info_span!("request", %request_id, %method);
    let response = next.run(req).instrument(span.clone()).await;
    let route = response
        .extensions()
        .get::<RouteTemplate>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let labels = [("route", route.clone()), ("method", method.to_string()), ("status", status.to_string())];
    metrics::counter!("frontdesk_http_requests_total", &labels).increment(1);
    metrics::histogram!("frontdesk_http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            route = %route,
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    response
}
