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

/// Every status the shared layers can answer with is documented on every operation it
/// applies to (schemathesis counted 103 undocumented ones before), and the FHIR routes,
/// which the annotated router does not carry, are described too.
#[tokio::test]
async fn every_operation_documents_the_errors_it_can_get() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let spec: serde_json::Value =
        app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut missing = Vec::new();
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else { continue };
            operations += 1;
            let mut wanted = Vec::new();
            if path.starts_with("/api/v1/") || path.starts_with("/fhir/") {
                wanted.extend(["401", "429"]);
            }
            if path.starts_with("/webhooks/") {
                wanted.extend(["401", "429"]);
            }
            if op.get("requestBody").is_some() {
                wanted.extend(["400", "413", "415", "422"]);
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "path") {
                wanted.extend(["400", "404"]);
            }
            if params.iter().any(|p| p["in"] == "query") {
                wanted.push("400");
            }
            for status in wanted {
                if !responses.contains_key(status) {
                    missing.push(format!("{method} {path}: {status}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented statuses: {missing:#?}");
    let fhir: Vec<&String> =
        spec["paths"].as_object().unwrap().keys().filter(|p| p.starts_with("/fhir/R4/")).collect();
    assert_eq!(fhir.len(), 9, "{fhir:?}");
    assert!(operations > 60, "{operations}");
    // What the FHIR description promises is what the route does.
    let r = app.http.get(app.url("/fhir/R4/metadata")).send().await.unwrap();
    assert_eq!(r.status(), 401);
}
