//! Per-request log line and metrics. Only the route template is recorded, never the raw
//! path or query string, which can carry phone numbers or e-mail addresses.

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Counter, Histogram};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};
use std::time::Instant;
use tracing::Instrument;

/// The matched route template, carried from routing back out to `observe`.
#[derive(Clone)]
struct RouteTemplate(MatchedPath);

/// Runs inside routing (as a route layer), where the matched path is known.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let template = req.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(req).await;
    if let Some(t) = template {
        response.extensions_mut().insert(RouteTemplate(t));
    }
    response
}

pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let span = {
        let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", %request_id, %method)
    };
    let response = next.run(req).instrument(span.clone()).await;
    let route = response.extensions().get::<RouteTemplate>().map(|r| r.0.as_str()).unwrap_or("unmatched");
    let status = response.status();
    let elapsed = started.elapsed();
    let handles = handles(route, &method, status);
    handles.requests.increment(1);
    handles.duration.record(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            route = %route,
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    response
}

/// One route, method and status's metric handles.
struct Handles {
    requests: Counter,
    duration: Histogram,
}

type HandleMap = HashMap<String, Vec<(&'static str, StatusCode, Arc<Handles>)>>;

/// Handles already registered, so a request records its metrics with a map lookup instead
/// of building three label strings and a key twice (the recorder is global, so a handle
/// stays valid for the process). Bounded: routes are templates, statuses and methods few.
static HANDLES: LazyLock<RwLock<HandleMap>> = LazyLock::new(Default::default);

fn handles(route: &str, method: &Method, status: StatusCode) -> Arc<Handles> {
    let method = method_label(method);
    let find = |map: &HandleMap| {
        map.get(route)?.iter().find(|(m, s, _)| *m == method && *s == status).map(|(_, _, h)| h.clone())
    };
    if let Some(found) = HANDLES.read().ok().and_then(|map| find(&map)) {
        return found;
    }
    let labels =
        [("route", route.to_owned()), ("method", method.to_owned()), ("status", status.as_u16().to_string())];
    let made = Arc::new(Handles {
        requests: metrics::counter!("frontdesk_http_requests_total", &labels),
        duration: metrics::histogram!("frontdesk_http_request_duration_seconds", &labels),
    });
    if let Ok(mut map) = HANDLES.write() {
        if let Some(found) = find(&map) {
            return found;
        }
        map.entry(route.to_owned()).or_default().push((method, status, made.clone()));
    }
    made
}

/// A request may carry any method token; the metrics name the standard ones and count the
/// rest together, so a client cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").expect("a token")), "other");
        assert_eq!(method_label(&Method::from_bytes(b"PURGE").expect("a token")), "other");
    }

    #[test]
    fn a_route_method_and_status_get_one_set_of_handles() {
        let first = handles("/webhooks/twilio/{tenant}/messages", &Method::POST, StatusCode::OK);
        let again = handles("/webhooks/twilio/{tenant}/messages", &Method::POST, StatusCode::OK);
        let other = handles("/webhooks/twilio/{tenant}/messages", &Method::POST, StatusCode::FORBIDDEN);
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        let odd = handles("/health", &Method::from_bytes(b"BREW").expect("a token"), StatusCode::OK);
        let odder = handles("/health", &Method::from_bytes(b"PURGE").expect("a token"), StatusCode::OK);
        assert!(Arc::ptr_eq(&odd, &odder), "unknown methods share the `other` handles");
    }
}
