//! The OpenAPI description is generated from the handlers; this snapshot makes every change
//! to it visible in review. After an intended API change: `cargo insta review` (or run with
//! INSTA_UPDATE=always) and commit the new snapshot.

use frontdesk_test_support::{Backend, TestApp};

#[tokio::test]
async fn openapi_spec_matches_snapshot() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let spec: serde_json::Value =
        app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    insta::assert_json_snapshot!("openapi", spec);
}
