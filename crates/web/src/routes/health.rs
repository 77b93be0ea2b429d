//! Liveness and readiness. No authentication: load balancers and uptime checks call these.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct DetailedHealth {
    /// `ok`, or `unavailable` when the database cannot be reached (HTTP 503).
    pub status: &'static str,
    pub version: &'static str,
    pub database: DatabaseHealth,
    pub jobs: Option<JobsHealth>,
}

#[derive(Serialize, ToSchema)]
pub struct DatabaseHealth {
    pub backend: &'static str,
    pub reachable: bool,
    /// Newest applied migration.
    pub schema_version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct JobsHealth {
    /// Jobs queued or running.
    pub depth: u64,
    /// Queued jobs already due.
    pub due: u64,
    /// How long the oldest due job has waited, in seconds.
    pub oldest_due_age_seconds: Option<f64>,
}

#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[utoipa::path(
    get, path = "/health/detailed", tag = "health",
    responses((status = 200, body = DetailedHealth), (status = 503, body = DetailedHealth))
)]
pub async fn detailed(State(state): State<AppState>) -> (StatusCode, Json<DetailedHealth>) {
    let store = &state.ctx.store;
    let now = state.ctx.clock.now();
    let reachable = store.ping().await.is_ok();
    let schema_version = store.schema_version().await.ok().flatten();
    let jobs = store.queue_stats(now).await.ok().map(|s| JobsHealth {
        depth: s.depth,
        due: s.due,
        oldest_due_age_seconds: s.oldest_due_at.map(|t| now.duration_since(t).as_secs_f64()),
    });
    let status = if reachable { "ok" } else { "unavailable" };
    let code = if reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = DetailedHealth {
        status,
        version: env!("CARGO_PKG_VERSION"),
        database: DatabaseHealth { backend: store.backend_name(), reachable, schema_version },
        jobs,
    };
    (code, Json(body))
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `not_ready` (HTTP 503) with the failed checks in `reasons`.
    pub status: &'static str,
    /// Why this process should not get traffic: `draining` (shutting down),
    /// `database_unreachable`, `schema_behind` or `schema_ahead` (its migrations are not the
    /// ones this build expects: a deploy is under way).
    pub reasons: Vec<&'static str>,
    /// Newest applied migration.
    pub schema_version: Option<i64>,
    /// The migration this build expects.
    pub expected_schema_version: Option<i64>,
}

/// Liveness: the process runs and answers. It never touches the database, so a database
/// outage does not get healthy processes restarted by their supervisor.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, body = Health)))]
pub async fn live() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: this process should get traffic. 503 while it shuts down, when the database
/// cannot be reached, or when its schema is not at this build's migration.
#[utoipa::path(
    get, path = "/health/ready", tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness))
)]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut reasons = Vec::new();
    if state.config.draining.is_cancelled() {
        reasons.push("draining");
    }
    let store = &state.ctx.store;
    let expected = state.config.expected_schema_version;
    let schema_version = match store.schema_version().await {
        Ok(version) => version,
        Err(_) => {
            reasons.push("database_unreachable");
            None
        }
    };
    if let (Some(expected), false) = (expected, reasons.contains(&"database_unreachable")) {
        match schema_version.unwrap_or(0).cmp(&expected) {
            std::cmp::Ordering::Less => reasons.push("schema_behind"),
            std::cmp::Ordering::Greater => reasons.push("schema_ahead"),
            std::cmp::Ordering::Equal => {}
        }
    }
    let (status, code) = if reasons.is_empty() {
        ("ready", StatusCode::OK)
    } else {
        ("not_ready", StatusCode::SERVICE_UNAVAILABLE)
    };
    (code, Json(Readiness { status, reasons, schema_version, expected_schema_version: expected }))
}
