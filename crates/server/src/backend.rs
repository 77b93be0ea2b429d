//! The one place that names concrete storage backends: chosen by the URL's scheme.

use anyhow::{Context, bail};
use frontdesk_store::DynStore;
use frontdesk_store::at_rest::KeyRing;
use frontdesk_store_postgres::PgStore;
use frontdesk_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Connects to the database at `url` and applies pending migrations. Secrets are stored as
/// written: for tools and benchmarks; the server uses `open_store_with` and a key ring.
pub async fn open_store(url: &str, max_connections: u32) -> anyhow::Result<DynStore> {
    open_store_with(url, max_connections, Arc::default()).await
}

/// `open_store`, sealing secrets at rest with `ring`.
pub async fn open_store_with(
    url: &str,
    max_connections: u32,
    ring: Arc<KeyRing>,
) -> anyhow::Result<DynStore> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => {
            let store =
                SqliteStore::connect(url).await.context("opening the SQLite database")?.with_key_ring(ring);
            store.migrate().await.context("migrating the SQLite database")?;
            Ok(Arc::new(store))
        }
        "postgres" | "postgresql" => {
            let store = PgStore::connect(url, max_connections)
                .await
                .context("connecting to PostgreSQL")?
                .with_key_ring(ring);
            store.migrate().await.context("migrating the PostgreSQL database")?;
            Ok(Arc::new(store))
        }
        other => bail!("unsupported database URL scheme {other:?}: use sqlite://… or postgres://…"),
    }
}

/// The newest migration this build carries for the backend named `backend_name` (as the
/// store reports it): the schema version readiness expects.
pub fn expected_schema_version(backend_name: &str) -> Option<i64> {
    match backend_name {
        "sqlite" => SqliteStore::latest_migration(),
        "postgres" => PgStore::latest_migration(),
        _ => None,
    }
}
