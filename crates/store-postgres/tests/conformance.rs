//! The shared store conformance suite on PostgreSQL, one fresh schema per test.
//! Needs `FRONTDESK_TEST_POSTGRES_URL`; without it every case says it was skipped.

use frontdesk_store::DynStore;
use frontdesk_store_postgres::PgStore;
use std::sync::Arc;

async fn fresh() -> Option<DynStore> {
    let Ok(url) = std::env::var("FRONTDESK_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: FRONTDESK_TEST_POSTGRES_URL is not set, PostgreSQL conformance not run");
        return None;
    };
    let (store, _schema) = PgStore::connect_isolated(&url, 8)
        .await
        .expect("FRONTDESK_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached");
    // The suite runs with secrets sealed at rest, as a deployment does.
    let store = store.with_key_ring(Arc::new(frontdesk_store::at_rest::KeyRing::new([7; 32], &[])));
    store.migrate().await.unwrap();
    Some(Arc::new(store) as DynStore)
}

frontdesk_store::conformance_suite!(|| fresh());
