//! Staff view of background jobs: list (e.g. the dead letters) and retry.

use crate::auth::Principal;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_domain::JobId;
use frontdesk_domain::jobs::{Job, JobStatus};
use frontdesk_domain::page::PageRequest;
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::{JobFilter, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `dead` or `cancelled`.
    #[schema(value_type = String, example = "dead")]
    pub status: JobStatus,
    pub payload: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub run_at: jiff::Timestamp,
    pub attempts: u32,
    pub max_attempts: u32,
    pub dedupe_key: Option<String>,
    pub last_error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        Self {
            id: j.id.0,
            kind: j.kind,
            status: j.status,
            payload: j.payload,
            run_at: j.run_at,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            dedupe_key: j.dedupe_key,
            last_error: j.last_error,
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct JobPage {
    pub items: Vec<JobView>,
    /// Pass as `before` for the next page; absent on the last one.
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobQuery {
    /// Only jobs in this status: queued, running, succeeded, dead, cancelled.
    #[param(value_type = Option<String>)]
    pub status: Option<JobStatus>,
    /// Only jobs of this kind.
    pub kind: Option<String>,
    /// Cursor from a previous page.
    pub before: Option<Uuid>,
    /// Page size, 1-500 (default 50).
    pub limit: Option<u32>,
}

/// The tenant's jobs, newest first.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobQuery), security(("api_key" = [])),
    responses((status = 200, body = JobPage), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> Result<Json<JobPage>, ApiError> {
    let filter = JobFilter { status: q.status, kind: q.kind };
    let page = state.ctx.store.list_jobs(who.tenant_id, &filter, PageRequest::new(q.before, q.limit)).await?;
    Ok(Json(JobPage {
        items: page.items.into_iter().map(JobView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One job of the tenant.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)), security(("api_key" = [])),
    responses((status = 200, body = JobView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_job(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<JobView>, ApiError> {
    let job =
        state.ctx.store.get_job(who.tenant_id, JobId(id)).await?.ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Json(job.into()))
}

/// Puts a dead job back in the queue with fresh attempts.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", params(("id" = Uuid, Path)), security(("api_key" = [])),
    responses((status = 200, body = JobView), (status = 404, body = crate::error::ErrorBody),
              (status = 409, description = "The job is not dead", body = crate::error::ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<JobView>, ApiError> {
    let now = state.ctx.clock.now();
    let job = state.ctx.store.retry_dead_job(who.tenant_id, JobId(id), now).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::not_found("job"),
        other => other.into(),
    })?;
    let resource_id = id.to_string();
    let access =
        Access { action: "retry", resource_type: "job", resource_id: Some(&resource_id), patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(Json(job.into()))
}
