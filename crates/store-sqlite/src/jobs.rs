//! The SQLite-specific side of the shared store: its pools, and claiming jobs. All writes
//! go through the single writer connection, so a claim (`UPDATE … RETURNING`) is atomic
//! without row locks; wake-ups stay in this process.

use crate::SqliteStore;
use frontdesk_domain::jobs::Job;
use frontdesk_store::{ClaimRequest, StoreResult};
use frontdesk_store_sql::jobs::{JOB_COLUMNS, JobRow, due_order, expire_leases_sql};
use frontdesk_store_sql::{DbTime, SqlBackend, db_err};
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::Arc;
use tokio::sync::Notify;

impl SqlBackend for SqliteStore {
    const FOR_UPDATE: &str = "";
    type Db = sqlx::Sqlite;

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn contains(haystack: &str, needle: &str) -> String {
        format!("instr({haystack}, {needle}) > 0")
    }

    async fn claim(&self, claim: &ClaimRequest) -> StoreResult<Vec<Job>> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        // Leases that ran out belong to workers that died: requeue, or bury the last attempt.
        let expire = expire_leases_sql("status = 'running' AND lease_until <= $1");
        sqlx::query(sqlx::AssertSqlSafe(expire))
            .bind(DbTime(claim.now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let take = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2, updated_at = $3
             WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3 ORDER BY run_at LIMIT $4)
             RETURNING {JOB_COLUMNS}"
        );
        let rows: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(take))
            .bind(claim.lease_token)
            .bind(DbTime(claim.now.saturating_add(claim.lease).unwrap_or(claim.now)))
            .bind(DbTime(claim.now))
            .bind(i64::from(claim.limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        due_order(rows)
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
