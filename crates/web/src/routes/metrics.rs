//! Prometheus text exposition, optionally behind a bearer token.

use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::get;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    if let Some(expected) = &state.config.metrics_token {
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
    }
    let now = state.ctx.clock.now();
    if let Ok(stats) = state.ctx.store.queue_stats(now).await {
        metrics::gauge!("frontdesk_jobs_queue_depth").set(stats.depth as f64);
        metrics::gauge!("frontdesk_jobs_due").set(stats.due as f64);
        let age = stats.oldest_due_at.map(|t| now.duration_since(t).as_secs_f64()).unwrap_or(0.0);
        metrics::gauge!("frontdesk_jobs_oldest_due_age_seconds").set(age);
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.prometheus.render()))
}
