//! What the shared store does SQLite's own way. All writes go through the single writer
//! connection, so a job claim (`UPDATE … RETURNING`) is atomic without row locks, and a
//! booking's overlap check and insert cannot be separated by another writer once the
//! transaction is `IMMEDIATE`; wake-ups stay in this process.

use crate::SqliteStore;
use frontdesk_domain::scheduling::TimeRange;
use frontdesk_store::{StoreError, StoreResult};
use frontdesk_store_sql::appointments::LIVE;
use frontdesk_store_sql::{Busy, BusyQuery, DbTime, SqlBackend, db_err};
use jiff::Timestamp;
use sqlx::{Sqlite, Transaction};
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

impl SqlBackend for SqliteStore {
    const FIND: &str = "instr";
    const FOR_UPDATE: &str = "";
    const EXPIRED_LEASES: Option<&str> = Some("status = 'running' AND lease_until <= $1");
    // Round-robin by tenant (see the PostgreSQL backend): every tenant's first due job,
    // then every tenant's second... The tenants with queued jobs come from a loose scan of
    // `jobs_queued_by_tenant` (one seek each) and each offers at most a batch of its own
    // earliest, so a claim costs the same with a 50k backlog as with none (0.1 ms, where
    // ranking every due row took 90 ms). One writer: nothing to lock or skip.
    const CLAIM_DUE: &str = "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2, updated_at = $3
         WHERE id IN (
            WITH RECURSIVE busy(tid) AS (
                SELECT (SELECT tenant_id FROM jobs WHERE status = 'queued' ORDER BY tenant_id LIMIT 1)
                UNION ALL
                SELECT (SELECT tenant_id FROM jobs WHERE status = 'queued' AND tenant_id > busy.tid
                        ORDER BY tenant_id LIMIT 1)
                FROM busy WHERE busy.tid IS NOT NULL),
            offered AS (
                SELECT j.id, j.run_at, row_number() OVER (PARTITION BY j.tenant_id ORDER BY j.run_at, j.id) AS turn
                FROM busy JOIN jobs j ON j.id IN (
                    SELECT id FROM jobs WHERE tenant_id = busy.tid AND status = 'queued' AND run_at <= $3
                    ORDER BY run_at LIMIT $4))
            SELECT id FROM offered ORDER BY turn, run_at LIMIT $4)";
    // In-process, a statement costs no network round trip: a worker's completion and its
    // next claim stay two statements (and the claim expires leases first, in its transaction).
    const CLAIM_COMPLETES: bool = false;
    const IDS_IN_2: &str = "SELECT unhex(value) FROM json_each($2)";
    const CHECKS_OVERLAP: bool = true;
    const FACT_ORDER_LOCK: &str = "SELECT $1";
    const COUNTER_BYTES: &str = "counter";
    type Db = sqlx::Sqlite;

    fn key_ring(&self) -> &frontdesk_store::at_rest::KeyRing {
        &self.key_ring
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    async fn begin_booking(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
        // The idempotency key row names its appointment before the appointment row exists.
        sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await.map_err(db_err)?;
        Ok(tx)
    }

    async fn live_ranges(&self, q: BusyQuery<'_>) -> StoreResult<Vec<Busy>> {
        // UUID blobs travel as a JSON array of hex strings (one bind for any number of ids).
        let ids: Vec<String> = q.practitioners.iter().map(|p| p.0.simple().to_string()).collect();
        // One row per practitioner with "start/end,start/end,..." rather than one row per
        // appointment: a search reads thousands of ranges, and per-row overhead dominated.
        let rows: Vec<(Uuid, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT practitioner_id, group_concat(start_at || '/' || end_at) FROM appointments
             WHERE tenant_id = $1 AND status IN {LIVE} AND start_at < $2 AND blocked_until > $3
               AND practitioner_id IN (SELECT unhex(value) FROM json_each($4))
             GROUP BY practitioner_id"
        )))
        .bind(q.tenant.0)
        .bind(DbTime(q.range.end))
        .bind(DbTime(q.range.start))
        .bind(serde_json::to_string(&ids).unwrap_or_default())
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let instant = |v: &str| {
            let micros = v.parse::<i64>().map_err(|_| StoreError::corrupt("busy range"))?;
            Timestamp::from_microsecond(micros).map_err(|_| StoreError::corrupt("busy range"))
        };
        let mut out = Vec::new();
        for (p, packed) in rows {
            for pair in packed.split(',') {
                let (s, e) = pair.split_once('/').ok_or_else(|| StoreError::corrupt("busy range"))?;
                out.push((p.into(), TimeRange { start: instant(s)?, end: instant(e)? }));
            }
        }
        Ok(out)
    }

    async fn announce_jobs(_: &mut SqliteConnection) -> StoreResult<()> {
        Ok(())
    }

    fn jobs_committed(&self) {
        self.wakeups.notify_waiters();
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.wakeups.clone()
    }
}
