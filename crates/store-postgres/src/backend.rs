//! What the shared store does PostgreSQL's own way. Job claims lock due rows with
//! `FOR UPDATE SKIP LOCKED`, so any number of workers in any number of processes take
//! disjoint batches without waiting on each other, in one statement that also hands
//! expired leases over and completes the worker's previous batch; transactions that make
//! jobs due `NOTIFY`, so idle workers elsewhere wake at once; the `appointments_no_overlap`
//! exclusion constraint refuses double bookings; webhook events are group-committed.

use crate::PgStore;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::scheduling::TimeRange;
use frontdesk_store::{NewInboundEvent, RecordedEvent, StoreResult};
use frontdesk_store_sql::appointments::LIVE;
use frontdesk_store_sql::{Busy, BusyQuery, DbTime, SqlBackend, db_err};
use jiff::Timestamp;
use sqlx::{PgConnection, PgPool};
use sqlx::{Postgres, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

impl SqlBackend for PgStore {
    const FIND: &str = "strpos";
    const FOR_UPDATE: &str = " FOR UPDATE";
    // Expired leases are handed over inside the claim itself.
    const EXPIRED_LEASES: Option<&str> = None;
    // One statement, so a claim is one round trip with no BEGIN/COMMIT around it, and a
    // busy worker's claim also completes its previous batch (`done`): one commit per
    // batch instead of four round trips and two commits.
    //
    // Round-robin by tenant, so one tenant's backlog (a 50k-message campaign) cannot delay
    // another's due reminder: the tenants with queued jobs are found by a loose index scan
    // (one seek each on `jobs_queued_by_tenant`), each offers its earliest due jobs (locked,
    // skipping what other workers hold), and the batch takes every tenant's first job,
    // then every tenant's second... A tenant's due job is therefore claimed within
    // ceil(busy tenants / batch) claims, however deep the other queues are.
    //
    // Leases that ran out belong to workers that died: the last attempt is buried
    // (`buried`), the others go straight to this claim, ahead of the turns (they are
    // overdue). A job this very statement completes is never among them, even if its
    // lease ran out meanwhile: it is finished, and one statement must not update a row
    // twice. Data-modifying CTEs all see the statement's snapshot, which is why the
    // expired jobs are leased here rather than requeued for the turns to pick up.
    const CLAIM_DUE: &str = "WITH RECURSIVE done AS (
            UPDATE jobs SET status = 'succeeded', lease_token = NULL, lease_until = NULL, updated_at = $3
            WHERE id = ANY(ARRAY(SELECT value::uuid FROM jsonb_array_elements_text($5::jsonb)))
              AND lease_token = $6 AND status = 'running'),
         busy AS (
            (SELECT tenant_id FROM jobs WHERE status = 'queued' ORDER BY tenant_id LIMIT 1)
            UNION ALL
            SELECT (SELECT j.tenant_id FROM jobs j WHERE j.status = 'queued' AND j.tenant_id > busy.tenant_id
                    ORDER BY j.tenant_id LIMIT 1)
            FROM busy WHERE busy.tenant_id IS NOT NULL),
         offered AS (
            SELECT o.id, o.run_at, row_number() OVER (PARTITION BY o.tenant_id ORDER BY o.run_at, o.id) AS turn
            FROM busy CROSS JOIN LATERAL (
                SELECT id, tenant_id, run_at FROM jobs
                WHERE tenant_id = busy.tenant_id AND status = 'queued' AND run_at <= $3
                ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) o),
         due AS (SELECT id FROM offered ORDER BY turn, run_at LIMIT $4),
         expired AS (
            SELECT id, attempts >= max_attempts AS last FROM jobs
            WHERE status = 'running' AND lease_until <= $3 AND lease_token IS DISTINCT FROM $6
            FOR UPDATE SKIP LOCKED),
         buried AS (
            UPDATE jobs SET status = 'dead', last_error = 'lease expired: the worker stopped before finishing',
                lease_token = NULL, lease_until = NULL, updated_at = $3
            FROM expired WHERE jobs.id = expired.id AND expired.last),
         taken AS ((SELECT id FROM expired WHERE NOT last) UNION ALL (SELECT id FROM due) LIMIT $4)
         UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, lease_token = $1, lease_until = $2,
            updated_at = $3,
            last_error = CASE WHEN jobs.status = 'running' THEN 'lease expired: the worker stopped before finishing'
                              ELSE jobs.last_error END
         FROM taken WHERE jobs.id = taken.id";
    const CLAIM_COMPLETES: bool = true;
    const IDS_IN_2: &str = "SELECT value::uuid FROM jsonb_array_elements_text($2::jsonb)";
    const CHECKS_OVERLAP: bool = false;
    const FACT_ORDER_LOCK: &str = "SELECT pg_advisory_xact_lock(20261204, hashtext($1::text))::text";
    const COUNTER_BYTES: &str = "counter COLLATE \"C\"";
    type Db = sqlx::Postgres;

    fn key_ring(&self) -> &frontdesk_store::at_rest::KeyRing {
        &self.key_ring
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_booking(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db_err)
    }

    async fn live_ranges(&self, q: BusyQuery<'_>) -> StoreResult<Vec<Busy>> {
        let ids: Vec<Uuid> = q.practitioners.iter().map(|p| p.0).collect();
        // One row per practitioner with arrays rather than one row per appointment: a
        // search reads thousands of ranges, and per-row overhead dominated.
        let rows: Vec<(Uuid, Vec<DbTime>, Vec<DbTime>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT practitioner_id, array_agg(start_at ORDER BY start_at), array_agg(end_at ORDER BY start_at)
             FROM appointments
             WHERE tenant_id = $1 AND status IN {LIVE} AND start_at < $2 AND blocked_until > $3
               AND practitioner_id = ANY($4)
             GROUP BY practitioner_id"
        )))
        .bind(q.tenant.0)
        .bind(DbTime(q.range.end))
        .bind(DbTime(q.range.start))
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let ranges = rows.into_iter().flat_map(|(p, starts, ends)| {
            starts.into_iter().zip(ends).map(move |(s, e)| (p.into(), TimeRange { start: s.0, end: e.0 }))
        });
        Ok(ranges.collect())
    }

    /// Nothing inside the transaction: a NOTIFY there would serialise every job-filing
    /// commit (see `announce`); `jobs_committed` sends it after the commit.
    async fn announce_jobs(_: &mut PgConnection) -> StoreResult<()> {
        Ok(())
    }

    fn jobs_committed(&self) {
        self.announcer.announce();
    }

    /// One delivery with one follow-up job goes through the group writer: one statement
    /// and one commit per group of concurrent deliveries.
    async fn record_event_grouped(
        &self,
        event: &NewInboundEvent,
        follow_ups: &[NewJob],
        now: Timestamp,
    ) -> Option<StoreResult<RecordedEvent>> {
        let [job] = follow_ups else { return None };
        self.events.submit(event, job, now).await.map(Ok)
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.wakeups.clone()
    }
}
