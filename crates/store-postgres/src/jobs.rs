//! The PostgreSQL-specific side of the shared store: its pool, and claiming jobs. Claims
//! lock due rows with `FOR UPDATE SKIP LOCKED`, so any number of workers in any number of
//! processes take disjoint batches without waiting on each other; transactions that make
//! jobs due `NOTIFY`, so idle workers elsewhere wake at once.

use crate::PgStore;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_store::{ClaimRequest, NewInboundEvent, RecordedEvent, StoreResult};
use frontdesk_store_sql::jobs::{JOB_COLUMNS, JobRow, due_order, expire_leases_sql};
use frontdesk_store_sql::{DbTime, SqlBackend, db_err};
use jiff::Timestamp;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use tokio::sync::Notify;

impl SqlBackend for PgStore {
    const FOR_UPDATE: &str = " FOR UPDATE";
    type Db = sqlx::Postgres;

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn contains(haystack: &str, needle: &str) -> String {
        format!("strpos({haystack}, {needle}) > 0")
    }

    async fn claim(&self, claim: &ClaimRequest) -> StoreResult<Vec<Job>> {
        // Leases that ran out belong to workers that died: requeue, or bury the last attempt.
        let expire = expire_leases_sql(
            "id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_until <= $1 FOR UPDATE SKIP LOCKED)",
        );
        sqlx::query(sqlx::AssertSqlSafe(expire))
            .bind(DbTime(claim.now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        let take = format!(
            "WITH due AS (
                SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3
                ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED)
             UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, lease_token = $1,
                lease_until = $2, updated_at = $3
             FROM due WHERE jobs.id = due.id
             RETURNING {JOB_COLUMNS}"
        );
        let rows: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(take))
            .bind(claim.lease_token)
            .bind(DbTime(claim.now.saturating_add(claim.lease).unwrap_or(claim.now)))
            .bind(DbTime(claim.now))
            .bind(i64::from(claim.limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        due_order(rows)
    }

    async fn announce_jobs(conn: &mut PgConnection) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(crate::JOBS_CHANNEL)
            .execute(conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    fn jobs_committed(&self) {}

    /// One delivery with one follow-up job goes through the group writer: one statement
    /// and one commit per group of concurrent deliveries.
    async fn record_event_grouped(
        &self,
        event: &NewInboundEvent,
        follow_ups: &[NewJob],
        now: Timestamp,
    ) -> Option<StoreResult<RecordedEvent>> {
        let [job] = follow_ups else { return None };
        Some(match self.events.submit(event, job, now).await {
            Some(result) => result,
            None => crate::event_batch::write_one(&self.pool, event, job, now).await,
        })
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.wakeups.clone()
    }
}
