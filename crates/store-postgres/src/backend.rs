//! What the shared store does PostgreSQL's own way. Job claims lock due rows with
//! `FOR UPDATE SKIP LOCKED`, so any number of workers in any number of processes take
//! disjoint batches without waiting on each other; transactions that make jobs due
//! `NOTIFY`, so idle workers elsewhere wake at once; the `appointments_no_overlap`
//! exclusion constraint refuses double bookings; webhook events are group-committed.

use crate::PgStore;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::scheduling::TimeRange;
use frontdesk_domain::{PractitionerId, TenantId};
use frontdesk_store::{ClaimRequest, NewInboundEvent, RecordedEvent, StoreResult};
use frontdesk_store_sql::appointments::LIVE;
use frontdesk_store_sql::jobs::{JOB_COLUMNS, JobRow, due_order, expire_leases_sql};
use frontdesk_store_sql::{DbTime, SqlBackend, db_err};
use jiff::Timestamp;
use sqlx::{PgConnection, PgPool};
use sqlx::{Postgres, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

impl SqlBackend for PgStore {
    const FOR_UPDATE: &str = " FOR UPDATE";
    const CHECKS_OVERLAP: bool = false;
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

    async fn begin_booking(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db_err)
    }

    async fn live_ranges(
        &self,
        tenant: TenantId,
        practitioners: &[PractitionerId],
        range: TimeRange,
    ) -> StoreResult<Vec<(PractitionerId, TimeRange)>> {
        let ids: Vec<Uuid> = practitioners.iter().map(|p| p.0).collect();
        // One row per practitioner with arrays rather than one row per appointment: a
        // search reads thousands of ranges, and per-row overhead dominated.
        let rows: Vec<(Uuid, Vec<DbTime>, Vec<DbTime>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT practitioner_id, array_agg(start_at ORDER BY start_at), array_agg(end_at ORDER BY start_at)
             FROM appointments
             WHERE tenant_id = $1 AND status IN {LIVE} AND start_at < $2 AND blocked_until > $3
               AND practitioner_id = ANY($4)
             GROUP BY practitioner_id"
        )))
        .bind(tenant.0)
        .bind(DbTime(range.end))
        .bind(DbTime(range.start))
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let ranges = rows.into_iter().flat_map(|(p, starts, ends)| {
            starts.into_iter().zip(ends).map(move |(s, e)| (p.into(), TimeRange { start: s.0, end: e.0 }))
        });
        Ok(ranges.collect())
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
