//! PostgreSQL backend: production and scale-out. Several `frontdesk` processes share one
//! database; workers claim jobs with `FOR UPDATE SKIP LOCKED` and wake each other with
//! `LISTEN/NOTIFY`.

mod announce;
mod backend;
mod event_batch;

use frontdesk_store::{StoreError, StoreResult};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The NOTIFY channel that announces new due jobs.
const JOBS_CHANNEL: &str = "frontdesk_jobs";

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    wakeups: Arc<Notify>,
    key_ring: Arc<frontdesk_store::at_rest::KeyRing>,
    events: event_batch::EventBatcher,
    announcer: announce::Announcer,
}

impl PgStore {
    /// Connects to `url` (e.g. `postgres://postgres@127.0.0.1/frontdesk`).
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(StoreError::backend)?;
        Self::connect_with(options, max_connections).await
    }

    pub async fn connect_with(options: PgConnectOptions, max_connections: u32) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(StoreError::backend)?;
        let wakeups = Arc::new(Notify::new());
        spawn_listener(pool.clone(), Arc::downgrade(&wakeups));
        let announcer = announce::Announcer::start(pool.clone());
        let events = event_batch::EventBatcher::start(pool.clone(), announcer.clone());
        Ok(Self { pool, wakeups, events, announcer, key_ring: Arc::default() })
    }

    /// Creates a new, empty schema on the server at `url` and connects to it; tests use
    /// this so that every test gets its own database objects.
    pub async fn connect_isolated(url: &str, max_connections: u32) -> StoreResult<(Self, String)> {
        let options = PgConnectOptions::from_str(url).map_err(StoreError::backend)?;
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        run_once(options.clone(), format!("CREATE SCHEMA {schema}")).await?;
        let scoped = options.options([("search_path", schema.as_str())]);
        Ok((Self::connect_with(scoped, max_connections).await?, schema))
    }

    /// Drops a schema [`PgStore::connect_isolated`] created, with everything in it. Only a
    /// name it made (`t_` and hex) is accepted: the name goes into the SQL as written.
    pub async fn drop_isolated(url: &str, schema: &str) -> StoreResult<()> {
        let made_here = schema
            .strip_prefix("t_")
            .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if !made_here {
            return Err(StoreError::Backend(
                format!("{schema:?} is not a schema connect_isolated made").into(),
            ));
        }
        let options = PgConnectOptions::from_str(url).map_err(StoreError::backend)?;
        run_once(options, format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await
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

    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(StoreError::backend)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Relays NOTIFYs from any process to this process's idle workers. Reconnects after a
/// dropped connection; ends when the store is gone.
/// Runs one statement on a connection of its own (schema DDL, outside any store's pool).
async fn run_once(options: PgConnectOptions, sql: String) -> StoreResult<()> {
    let admin =
        PgPoolOptions::new().max_connections(1).connect_with(options).await.map_err(StoreError::backend)?;
    let done = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin).await.map_err(StoreError::backend);
    admin.close().await;
    done.map(|_| ())
}

fn spawn_listener(pool: PgPool, wakeups: Weak<Notify>) {
    tokio::spawn(async move {
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(_) if pool.is_closed() => return,
                Err(err) => {
                    tracing::warn!(error = %err, "job wake-up listener could not connect; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            };
            if let Err(err) = listener.listen(JOBS_CHANNEL).await {
                tracing::warn!(error = %err, "LISTEN failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            loop {
                match listener.recv().await {
                    Ok(_) => match wakeups.upgrade() {
                        Some(n) => n.notify_waiters(),
                        None => return,
                    },
                    Err(_) if pool.is_closed() => return,
                    Err(err) => {
                        tracing::warn!(error = %err, "job wake-up listener lost its connection");
                        break;
                    }
                }
            }
        }
    });
}

frontdesk_store_sql::sql_store!(PgStore, "postgres");
