//! The job queue. Claiming due jobs is the backends' own (row locks with `SKIP LOCKED` on
//! PostgreSQL, one `UPDATE … RETURNING` on SQLite's single writer); the rest is shared.

use crate::DbTime;
use frontdesk_domain::jobs::Job;
use frontdesk_store::StoreError;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct JobRow {
    id: Uuid,
    tenant_id: Uuid,
    kind: String,
    payload: serde_json::Value,
    status: String,
    run_at: DbTime,
    attempts: i32,
    max_attempts: i32,
    dedupe_key: Option<String>,
    last_error: Option<String>,
    lease_until: Option<DbTime>,
    created_at: DbTime,
    updated_at: DbTime,
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
            run_at: r.run_at.0,
            attempts: u32::try_from(r.attempts).map_err(|_| StoreError::corrupt("attempts"))?,
            max_attempts: u32::try_from(r.max_attempts).map_err(|_| StoreError::corrupt("max_attempts"))?,
            dedupe_key: r.dedupe_key,
            last_error: r.last_error,
            lease_until: r.lease_until.map(|t| t.0),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// A job row's columns, qualified so they also read unambiguously from a join.
pub const JOB_COLUMNS: &str = "jobs.id, jobs.tenant_id, jobs.kind, jobs.payload, jobs.status, jobs.run_at, \
    jobs.attempts, jobs.max_attempts, jobs.dedupe_key, jobs.last_error, jobs.lease_until, jobs.created_at, jobs.updated_at";

/// Job ids as `SqlBackend::IDS_IN_2` reads them: a JSON array of simple-hex UUIDs.
pub fn id_list(ids: &[frontdesk_domain::JobId]) -> String {
    let hex: Vec<String> = ids.iter().map(|id| id.0.simple().to_string()).collect();
    serde_json::Value::from(hex).to_string()
}

/// Jobs per multi-row insert: 11 values each stays far below SQLite's 32,766 bound
/// parameters and PostgreSQL's 65,535.
pub const JOBS_PER_INSERT: usize = 500;

/// Implements `JobStore` for a backend, and its `insert_jobs` helper, which every
/// aggregate that enqueues jobs in its own transaction uses.
#[macro_export]
macro_rules! job_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx, tokio, uuid};
            use $crate::jobs::{JOB_COLUMNS, JobRow, id_list};
            use $crate::{DbTime, SqlBackend, db_err};
            use frontdesk_domain::jobs::{AfterFailure, Job, NewJob};
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::{JobId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use std::sync::Arc;
            use uuid::Uuid;

            type Conn = <<$store as SqlBackend>::Db as sqlx::Database>::Connection;

            impl $store {
                /// Inserts one job inside an open transaction, honouring its dedupe key.
                async fn insert_job(tx: &mut Conn, job: &NewJob, now: Timestamp) -> StoreResult<Enqueued> {
                    let inserted = sqlx::query(
                        "INSERT INTO jobs (id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key,
                                           created_at, updated_at)
                         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7, $8, $8) ON CONFLICT DO NOTHING",
                    )
                    .bind(job.id.0)
                    .bind(job.tenant_id.0)
                    .bind(&job.kind)
                    .bind(&job.payload)
                    .bind(DbTime(job.run_at))
                    .bind(i32::try_from(job.max_attempts).unwrap_or(i32::MAX))
                    .bind(&job.dedupe_key)
                    .bind(DbTime(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if inserted.rows_affected() == 1 {
                        return Ok(Enqueued::Created(job.id));
                    }
                    Self::live_duplicate(tx, job).await
                }

                /// The live job holding `job`'s dedupe key, which kept `job` out.
                async fn live_duplicate(tx: &mut Conn, job: &NewJob) -> StoreResult<Enqueued> {
                    let existing: Option<Uuid> = sqlx::query_scalar(
                        "SELECT id FROM jobs WHERE tenant_id = $1 AND dedupe_key = $2 AND status IN ('queued','running')",
                    )
                    .bind(job.tenant_id.0)
                    .bind(&job.dedupe_key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    existing.map(|id| Enqueued::Duplicate(id.into())).ok_or(StoreError::duplicate(Record::Job))
                }

                /// Enqueues `jobs` inside an open transaction and has workers woken once it
                /// commits (call `jobs_committed` after the commit).
                pub(crate) async fn insert_jobs(tx: &mut Conn, jobs: &[NewJob], now: Timestamp) -> StoreResult<Vec<Enqueued>> {
                    let mut out = Vec::with_capacity(jobs.len());
                    if let [job] = jobs {
                        out.push(Self::insert_job(&mut *tx, job, now).await?);
                    } else {
                        // One multi-row statement per chunk rather than a round trip per job:
                        // a campaign's or a fact's jobs enqueue at the speed of one insert.
                        for chunk in jobs.chunks($crate::jobs::JOBS_PER_INSERT) {
                            Self::insert_chunk(&mut *tx, chunk, now, &mut out).await?;
                        }
                    }
                    if !jobs.is_empty() {
                        <$store as SqlBackend>::announce_jobs(&mut *tx).await?;
                    }
                    Ok(out)
                }

                /// Inserts a chunk in one statement; a job kept out by a live job's dedupe
                /// key (or by an earlier job of the same chunk) reports that job.
                async fn insert_chunk(
                    tx: &mut Conn,
                    chunk: &[NewJob],
                    now: Timestamp,
                    out: &mut Vec<Enqueued>,
                ) -> StoreResult<()> {
                    let mut insert = sqlx::QueryBuilder::<<$store as SqlBackend>::Db>::new(
                        "INSERT INTO jobs (id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, \
                         dedupe_key, created_at, updated_at) ",
                    );
                    insert.push_values(chunk, |mut row, job| {
                        row.push_bind(job.id.0)
                            .push_bind(job.tenant_id.0)
                            .push_bind(job.kind.clone())
                            .push_bind(job.payload.clone())
                            .push("'queued'")
                            .push_bind(DbTime(job.run_at))
                            .push("0")
                            .push_bind(i32::try_from(job.max_attempts).unwrap_or(i32::MAX))
                            .push_bind(job.dedupe_key.clone())
                            .push_bind(DbTime(now))
                            .push_bind(DbTime(now));
                    });
                    insert.push(" ON CONFLICT DO NOTHING RETURNING id");
                    let created: std::collections::HashSet<Uuid> =
                        insert.build_query_scalar::<Uuid>().fetch_all(&mut *tx).await.map_err(db_err)?.into_iter().collect();
                    for job in chunk {
                        if created.contains(&job.id.0) {
                            out.push(Enqueued::Created(job.id));
                        } else {
                            out.push(Self::live_duplicate(&mut *tx, job).await?);
                        }
                    }
                    Ok(())
                }
            }

            impl $store {
                /// Claims due jobs, first completing `done` (lease, ids) in the same
                /// statement: only called with `done` when the backend's claim can
                /// (`CLAIM_COMPLETES`).
                async fn claim_after(&self, done: Option<(Uuid, &[JobId])>, claim: &ClaimRequest) -> StoreResult<Vec<Job>> {
                    let claim_due = format!("{} RETURNING {JOB_COLUMNS}", <$store as SqlBackend>::CLAIM_DUE);
                    let mut claim_due = sqlx::query_as(sqlx::AssertSqlSafe(claim_due))
                        .bind(claim.lease_token)
                        .bind(DbTime(claim.now.saturating_add(claim.lease).unwrap_or(claim.now)))
                        .bind(DbTime(claim.now))
                        .bind(i64::from(claim.limit));
                    if <$store as SqlBackend>::CLAIM_COMPLETES {
                        // Without `done`, the nil lease, which no claim holds (tokens are v7).
                        let (token, ids) = done.unwrap_or((Uuid::nil(), &[][..]));
                        claim_due = claim_due.bind(id_list(ids)).bind(token);
                    }
                    let rows: Vec<JobRow> = match <$store as SqlBackend>::EXPIRED_LEASES {
                        // One statement: no transaction round trips around it.
                        None => claim_due.fetch_all(self.writer()).await.map_err(db_err)?,
                        Some(expired) => {
                            let mut tx = self.writer().begin().await.map_err(db_err)?;
                            // Leases that ran out belong to workers that died: requeue, or
                            // bury the last attempt.
                            let expire = format!(
                                "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                                    last_error = 'lease expired: the worker stopped before finishing',
                                    lease_token = NULL, lease_until = NULL, updated_at = $1
                                 WHERE {expired}"
                            );
                            sqlx::query(sqlx::AssertSqlSafe(expire))
                                .bind(DbTime(claim.now))
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err)?;
                            let rows = claim_due.fetch_all(&mut *tx).await.map_err(db_err)?;
                            tx.commit().await.map_err(db_err)?;
                            rows
                        }
                    };
                    // `RETURNING` comes in no particular order.
                    let mut jobs = rows.into_iter().map(Job::try_from).collect::<StoreResult<Vec<_>>>()?;
                    jobs.sort_by_key(|j| j.run_at);
                    Ok(jobs)
                }
            }

            #[async_trait::async_trait]
            impl JobStore for $store {
                async fn enqueue(&self, job: &NewJob, now: Timestamp) -> StoreResult<Enqueued> {
                    Ok(self.enqueue_many(std::slice::from_ref(job), now).await?.remove(0))
                }

                async fn enqueue_many(&self, jobs: &[NewJob], now: Timestamp) -> StoreResult<Vec<Enqueued>> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let out = Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    self.jobs_committed();
                    Ok(out)
                }

                async fn claim_jobs(&self, claim: &ClaimRequest) -> StoreResult<Vec<Job>> {
                    self.claim_after(None, claim).await
                }

                async fn complete_and_claim(
                    &self,
                    lease_token: Uuid,
                    done: &[JobId],
                    claim: &ClaimRequest,
                ) -> StoreResult<Vec<Job>> {
                    if <$store as SqlBackend>::CLAIM_COMPLETES {
                        return self.claim_after(Some((lease_token, done)), claim).await;
                    }
                    self.complete_jobs(lease_token, done, claim.now).await?;
                    self.claim_after(None, claim).await
                }

                async fn complete_jobs(&self, lease_token: Uuid, ids: &[JobId], now: Timestamp) -> StoreResult<u64> {
                    let sql = format!(
                        "UPDATE jobs SET status = 'succeeded', lease_token = NULL, lease_until = NULL, updated_at = $1
                         WHERE id IN ({}) AND lease_token = $3 AND status = 'running'",
                        <$store as SqlBackend>::IDS_IN_2
                    );
                    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(DbTime(now))
                        .bind(id_list(ids))
                        .bind(lease_token)
                        .execute(self.writer())
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
                        AfterFailure::RetryAt(at) => ("queued", Some(DbTime(at))),
                        AfterFailure::Dead => ("dead", None),
                    };
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let done = sqlx::query(
                        "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), last_error = $3, lease_token = NULL,
                            lease_until = NULL, updated_at = $4
                         WHERE id = $5 AND lease_token = $6 AND status = 'running'",
                    )
                    .bind(status)
                    .bind(run_at)
                    .bind(error)
                    .bind(DbTime(now))
                    .bind(id.0)
                    .bind(lease_token)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if run_at.is_some() {
                        <$store as SqlBackend>::announce_jobs(&mut tx).await?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    if run_at.is_some() {
                        self.jobs_committed();
                    }
                    Ok(done.rows_affected() == 1)
                }

                async fn release_jobs(&self, lease_token: Uuid, ids: &[JobId], now: Timestamp) -> StoreResult<u64> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let sql = format!(
                        "UPDATE jobs SET status = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                            lease_token = NULL, lease_until = NULL, updated_at = $1
                         WHERE id IN ({}) AND lease_token = $3 AND status = 'running'",
                        <$store as SqlBackend>::IDS_IN_2
                    );
                    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(DbTime(now))
                        .bind(id_list(ids))
                        .bind(lease_token)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    <$store as SqlBackend>::announce_jobs(&mut tx).await?;
                    tx.commit().await.map_err(db_err)?;
                    self.jobs_committed();
                    Ok(done.rows_affected())
                }

                async fn cancel_jobs_by_dedupe_key(&self, tenant: TenantId, key: &str, now: Timestamp) -> StoreResult<u64> {
                    let done = sqlx::query(
                        "UPDATE jobs SET status = 'cancelled', lease_token = NULL, lease_until = NULL, updated_at = $1
                         WHERE tenant_id = $2 AND dedupe_key = $3 AND status IN ('queued','running')",
                    )
                    .bind(DbTime(now))
                    .bind(tenant.0)
                    .bind(key)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(done.rows_affected())
                }

                async fn get_job(&self, tenant: TenantId, id: JobId) -> StoreResult<Option<Job>> {
                    let sql = sqlx::AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<JobRow> =
                        sqlx::query_as(sql).bind(tenant.0).bind(id.0).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.map(Job::try_from).transpose()
                }

                async fn list_jobs(&self, tenant: TenantId, filter: &JobFilter, page: PageRequest) -> StoreResult<JobList> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "SELECT {JOB_COLUMNS} FROM jobs WHERE tenant_id = $1 AND ($2 IS NULL OR status = $2)
                           AND ($3 IS NULL OR kind = $3) AND ($4 IS NULL OR id < $4) ORDER BY id DESC LIMIT $5"
                    ));
                    let rows: Vec<JobRow> = sqlx::query_as(sql)
                        .bind(tenant.0)
                        .bind(filter.status.map(|s| s.as_str()))
                        .bind(&filter.kind)
                        .bind(page.before)
                        .bind(page.fetch_limit())
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)?;
                    let jobs = rows.into_iter().map(Job::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(jobs, page, |j| j.id.0))
                }

                async fn retry_dead_job(&self, tenant: TenantId, id: JobId, now: Timestamp) -> StoreResult<Job> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let sql = sqlx::AssertSqlSafe(format!(
                        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, updated_at = $1
                         WHERE tenant_id = $2 AND id = $3 AND status = 'dead' RETURNING {JOB_COLUMNS}"
                    ));
                    let row: Option<JobRow> =
                        sqlx::query_as(sql).bind(DbTime(now)).bind(tenant.0).bind(id.0).fetch_optional(&mut *tx).await.map_err(db_err)?;
                    let Some(row) = row else {
                        let status: Option<String> = sqlx::query_scalar("SELECT status FROM jobs WHERE tenant_id = $1 AND id = $2")
                            .bind(tenant.0)
                            .bind(id.0)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_err)?;
                        return Err(match status.map(|s| s.parse()) {
                            Some(Ok(status)) => StoreError::Conflict(Conflict::JobNotDead { status }),
                            Some(Err(e)) => StoreError::corrupt(e),
                            None => StoreError::NotFound,
                        });
                    };
                    let job = Job::try_from(row)?;
                    <$store as SqlBackend>::announce_jobs(&mut tx).await?;
                    tx.commit().await.map_err(db_err)?;
                    self.jobs_committed();
                    Ok(job)
                }

                async fn queue_stats(&self, now: Timestamp) -> StoreResult<QueueStats> {
                    let (depth, due, oldest): (i64, i64, Option<DbTime>) = sqlx::query_as(
                        "SELECT
                            (SELECT COUNT(*) FROM jobs WHERE status IN ('queued','running')),
                            (SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND run_at <= $1),
                            (SELECT MIN(run_at) FROM jobs WHERE status = 'queued' AND run_at <= $1)",
                    )
                    .bind(DbTime(now))
                    .fetch_one(self.reader())
                    .await
                    .map_err(db_err)?;
                    Ok(QueueStats { depth: depth.max(0) as u64, due: due.max(0) as u64, oldest_due_at: oldest.map(|t| t.0) })
                }

                fn job_wakeups(&self) -> Arc<tokio::sync::Notify> {
                    self.wakeups()
                }
            }
        };
    };
}
