//! The job queue on PostgreSQL. Claims lock due rows with `FOR UPDATE SKIP LOCKED`, so
//! any number of workers in any number of processes take disjoint batches without waiting
//! on each other; enqueues `NOTIFY` so idle workers elsewhere wake at once.

use crate::PgStore;
use crate::convert::{db_err, from_opt_ts, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::jobs::{AfterFailure, Job, NewJob};
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::{JobId, TenantId};
use frontdesk_store::{
    ClaimRequest, Enqueued, JobFilter, JobList, JobStore, QueueStats, StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::{PgConnection, Postgres, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: Uuid,
    tenant_id: Uuid,
    kind: String,
    payload: serde_json::Value,
    status: String,
    run_at: time::OffsetDateTime,
    attempts: i32,
    max_attempts: i32,
    dedupe_key: Option<String>,
    last_error: Option<String>,
    lease_until: Option<time::OffsetDateTime>,
    created_at: time::OffsetDateTime,
    updated_at: time::OffsetDateTime,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        Ok(Job {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            payload: r.payload,
            status: r.status.parse().map_err(StoreError::corrupt)?,
            kind: r.kind,
            run_at: from_ts(r.run_at)?,
            attempts: u32::try_from(r.attempts).map_err(|_| StoreError::corrupt("attempts"))?,
            max_attempts: u32::try_from(r.max_attempts).map_err(|_| StoreError::corrupt("max_attempts"))?,
            dedupe_key: r.dedupe_key,
            last_error: r.last_error,
            lease_until: from_opt_ts(r.lease_until)?,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

macro_rules! prefixed_columns {
    () => {
        "jobs.id, jobs.tenant_id, jobs.kind, jobs.payload, jobs.status, jobs.run_at, jobs.attempts, jobs.max_attempts, jobs.dedupe_key, jobs.last_error, jobs.lease_until, jobs.created_at, jobs.updated_at"
    };
}

macro_rules! columns {
    () => {
        "id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key, last_error, lease_until, created_at, updated_at"
    };
}

fn rows_to_jobs(rows: Vec<JobRow>) -> StoreResult<Vec<Job>> {
    rows.into_iter().map(Job::try_from).collect()
}

/// Inserts one job inside an open transaction, honouring its dedupe key.
pub(crate) async fn insert_job(tx: &mut PgConnection, job: &NewJob, now: Timestamp) -> StoreResult<Enqueued> {
    let inserted = sqlx::query(
        "INSERT INTO jobs (id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
    )
    .bind(job.id.0)
    .bind(job.tenant_id.0)
    .bind(&job.kind)
    .bind(&job.payload)
    .bind(ts(job.run_at))
    .bind(i32::try_from(job.max_attempts).unwrap_or(i32::MAX))
    .bind(&job.dedupe_key)
    .bind(ts(now))
    .bind(ts(now))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if inserted.rows_affected() == 1 {
        return Ok(Enqueued::Created(job.id));
    }
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE tenant_id = $1 AND dedupe_key = $2 AND status IN ('queued','running')",
    )
    .bind(job.tenant_id.0)
    .bind(&job.dedupe_key)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    existing
        .map(|id| Enqueued::Duplicate(id.into()))
        .ok_or_else(|| StoreError::duplicate(frontdesk_store::Record::Job))
}

/// Wakes idle workers in every process once the transaction commits.
pub(crate) async fn notify(tx: &mut PgConnection) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(crate::JOBS_CHANNEL)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn begin(store: &PgStore) -> StoreResult<Transaction<'static, Postgres>> {
    store.pool.begin().await.map_err(db_err)
}

#[async_trait]
impl JobStore for PgStore {
    async fn enqueue(&self, job: &NewJob, now: Timestamp) -> StoreResult<Enqueued> {
        Ok(self.enqueue_many(std::slice::from_ref(job), now).await?.remove(0))
    }

    async fn enqueue_many(&self, jobs: &[NewJob], now: Timestamp) -> StoreResult<Vec<Enqueued>> {
        let mut tx = begin(self).await?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            out.push(insert_job(&mut tx, job, now).await?);
        }
        notify(&mut tx).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    async fn claim_jobs(&self, claim: &ClaimRequest) -> StoreResult<Vec<Job>> {
        let now = ts(claim.now);
        // Leases that ran out belong to workers that died: requeue, or bury the last attempt.
        sqlx::query(
            "UPDATE jobs SET
                status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                last_error = 'lease expired: the worker stopped before finishing',
                lease_token = NULL, lease_until = NULL, updated_at = $1
             WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_until <= $1
                          FOR UPDATE SKIP LOCKED)",
        )
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        let rows: Vec<JobRow> = sqlx::query_as(concat!(
            "WITH due AS (
                SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3
                ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED)
             UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, lease_token = $1,
                lease_until = $2, updated_at = $3
             FROM due WHERE jobs.id = due.id
             RETURNING ",
            prefixed_columns!()
        ))
        .bind(claim.lease_token)
        .bind(ts(claim.now.saturating_add(claim.lease).unwrap_or(claim.now)))
        .bind(now)
        .bind(i64::from(claim.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut jobs = rows_to_jobs(rows)?;
        jobs.sort_by_key(|j| j.run_at);
        Ok(jobs)
    }

    async fn complete_jobs(&self, lease_token: Uuid, ids: &[JobId], now: Timestamp) -> StoreResult<u64> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        let done = sqlx::query(
            "UPDATE jobs SET status = 'succeeded', lease_token = NULL, lease_until = NULL, updated_at = $1
             WHERE id = ANY($2) AND lease_token = $3 AND status = 'running'",
        )
        .bind(ts(now))
        .bind(&ids)
        .bind(lease_token)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn fail_job(
        &self,
        lease_token: Uuid,
        id: JobId,
        error: &str,
        next: AfterFailure,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (status, run_at) = match next {
            AfterFailure::RetryAt(at) => ("queued", Some(ts(at))),
            AfterFailure::Dead => ("dead", None),
        };
        let mut tx = begin(self).await?;
        let done = sqlx::query(
            "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), last_error = $3, lease_token = NULL,
                lease_until = NULL, updated_at = $4
             WHERE id = $5 AND lease_token = $6 AND status = 'running'",
        )
        .bind(status)
        .bind(run_at)
        .bind(error)
        .bind(ts(now))
        .bind(id.0)
        .bind(lease_token)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if run_at.is_some() {
            notify(&mut tx).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_jobs(&self, lease_token: Uuid, ids: &[JobId], now: Timestamp) -> StoreResult<u64> {
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        let mut tx = begin(self).await?;
        let done = sqlx::query(
            "UPDATE jobs SET status = 'queued', attempts = GREATEST(attempts - 1, 0), lease_token = NULL,
                lease_until = NULL, updated_at = $1
             WHERE id = ANY($2) AND lease_token = $3 AND status = 'running'",
        )
        .bind(ts(now))
        .bind(&ids)
        .bind(lease_token)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        notify(&mut tx).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn cancel_jobs_by_dedupe_key(
        &self,
        tenant: TenantId,
        key: &str,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE jobs SET status = 'cancelled', lease_token = NULL, lease_until = NULL, updated_at = $1
             WHERE tenant_id = $2 AND dedupe_key = $3 AND status IN ('queued','running')",
        )
        .bind(ts(now))
        .bind(tenant.0)
        .bind(key)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn get_job(&self, tenant: TenantId, id: JobId) -> StoreResult<Option<Job>> {
        let row: Option<JobRow> =
            sqlx::query_as(concat!("SELECT ", columns!(), " FROM jobs WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant.0)
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        row.map(Job::try_from).transpose()
    }

    async fn list_jobs(
        &self,
        tenant: TenantId,
        filter: &JobFilter,
        page: PageRequest,
    ) -> StoreResult<JobList> {
        let rows: Vec<JobRow> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM jobs WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR kind = $3)
              AND ($4::uuid IS NULL OR id < $4) ORDER BY id DESC LIMIT $5"
        ))
        .bind(tenant.0)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(&filter.kind)
        .bind(page.before)
        .bind(page.fetch_limit())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(Page::from_rows(rows_to_jobs(rows)?, page, |j| j.id.0))
    }

    async fn retry_dead_job(&self, tenant: TenantId, id: JobId, now: Timestamp) -> StoreResult<Job> {
        let mut tx = begin(self).await?;
        let row: Option<JobRow> = sqlx::query_as(concat!(
            "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, updated_at = $1
             WHERE tenant_id = $2 AND id = $3 AND status = 'dead' RETURNING ",
            columns!()
        ))
        .bind(ts(now))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let result = match row {
            Some(row) => Job::try_from(row),
            None => {
                let status: Option<String> =
                    sqlx::query_scalar("SELECT status FROM jobs WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant.0)
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                Err(match status {
                    Some(s) => match s.parse() {
                        Ok(status) => StoreError::Conflict(frontdesk_store::Conflict::JobNotDead { status }),
                        Err(_) => StoreError::corrupt(format!("job status {s}")),
                    },
                    None => StoreError::NotFound,
                })
            }
        };
        if result.is_ok() {
            notify(&mut tx).await?;
        }
        tx.commit().await.map_err(db_err)?;
        result
    }

    async fn queue_stats(&self, now: Timestamp) -> StoreResult<QueueStats> {
        let (depth, due, oldest): (i64, i64, Option<time::OffsetDateTime>) = sqlx::query_as(
            "SELECT
                (SELECT COUNT(*) FROM jobs WHERE status IN ('queued','running')),
                (SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND run_at <= $1),
                (SELECT MIN(run_at) FROM jobs WHERE status = 'queued' AND run_at <= $1)",
        )
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(QueueStats {
            depth: depth.max(0) as u64,
            due: due.max(0) as u64,
            oldest_due_at: from_opt_ts(oldest)?,
        })
    }

    fn job_wakeups(&self) -> Arc<Notify> {
        self.wakeups.clone()
    }
}
