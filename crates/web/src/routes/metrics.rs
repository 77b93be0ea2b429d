//! Prometheus text exposition. On the main listener, which faces the internet, only with
//! the configured bearer token (and not at all without one: the figures describe the
//! clinic's traffic); on the separate metrics listener, which an operator binds to a
//! private address, without one.

use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::get;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

/// `/metrics` on the main listener: the token is required.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(guarded))
}

/// The metrics listener's whole surface: `/metrics`, open.
pub fn private_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(render)).with_state(state)
}

async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    let Some(expected) = &state.config.metrics_token else {
        return Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "metrics_disabled",
            "metrics are not served here without metrics_token; set it, or metrics_bind for a private listener",
        ));
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let ok: bool = presented.as_bytes().ct_eq(expected.expose_secret().as_bytes()).into();
    if !ok {
        return Err(ApiError::unauthorized(
            "invalid_metrics_token",
            "metrics need the configured bearer token",
        ));
    }
    Ok(render(State(state)).await)
}

async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let now = state.ctx.clock.now();
    if let Ok(stats) = state.ctx.store.queue_stats(now).await {
        metrics::gauge!("frontdesk_jobs_queue_depth").set(stats.depth as f64);
        metrics::gauge!("frontdesk_jobs_due").set(stats.due as f64);
        let age = stats.oldest_due_at.map(|t| now.duration_since(t).as_secs_f64()).unwrap_or(0.0);
        metrics::gauge!("frontdesk_jobs_oldest_due_age_seconds").set(age);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.prometheus.render())
}
