//! SQLite backend: the embedded default. WAL mode, a busy timeout, foreign keys on, and a
//! single writer connection so that writers queue in-process instead of failing with
//! SQLITE_BUSY; reads use a separate pool and never block on the writer.

mod backend;

use frontdesk_store::{StoreError, StoreResult};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    wakeups: Arc<Notify>,
    key_ring: Arc<frontdesk_store::at_rest::KeyRing>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://frontdesk.db?mode=rwc`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(StoreError::backend)?;
        // An in-memory database exists only inside its one connection.
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.read_only(true))
                .await
                .map_err(StoreError::backend)?
        };
        Ok(Self { writer, reader, wakeups: Arc::new(Notify::new()), key_ring: Arc::default() })
    }

    /// Seals secrets at rest with `ring` (without one, secrets are stored as written).
    pub fn with_key_ring(mut self, ring: Arc<frontdesk_store::at_rest::KeyRing>) -> Self {
        self.key_ring = ring;
        self
    }

    /// The newest migration this build carries: a database at it is fully migrated.
    pub fn latest_migration() -> Option<i64> {
        MIGRATOR.iter().map(|m| m.version).max()
    }

    /// The versions of every migration this build carries.
    pub fn known_migrations() -> Vec<i64> {
        MIGRATOR.iter().map(|m| m.version).collect()
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.writer).await.map_err(StoreError::backend)
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

frontdesk_store_sql::sql_store!(SqliteStore, "sqlite");
