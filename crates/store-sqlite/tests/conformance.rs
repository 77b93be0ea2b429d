//! The shared store conformance suite on a fresh SQLite file per test.

use frontdesk_store::DynStore;
use frontdesk_store_sqlite::SqliteStore;
use std::sync::Arc;

async fn fresh() -> Option<DynStore> {
    // Leaked so the directory outlives the test's store; the OS cleans /tmp.
    let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
    let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
    let store = SqliteStore::connect(&url).await.unwrap();
    // The suite runs with secrets sealed at rest, as a deployment does.
    let store = store.with_key_ring(Arc::new(frontdesk_store::at_rest::KeyRing::new([7; 32], &[])));
    store.migrate().await.unwrap();
    Some(Arc::new(store) as DynStore)
}

frontdesk_store::conformance_suite!(|| fresh());
