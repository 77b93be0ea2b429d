//! Optimistic concurrency on the records people edit: every answer carries an `ETag`, a
//! write with a stale `If-Match` gets 412 with the current version and changes nothing.

use frontdesk_test_support::{TestApp, backend_tests, error_of, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(stale_if_match_is_412_on_every_edited_record);

fn etag(r: &reqwest::Response) -> String {
    r.headers().get("etag").expect("an ETag").to_str().unwrap().to_owned()
}

/// Reads `path`, edits it with the ETag read (200, a new ETag), then edits with the old
/// ETag again (412 naming the current one, nothing stored), and without If-Match (200).
async fn check(app: &TestApp, key: &str, path: &str, first: Value, stale_edit: Value, read_back: &str) {
    let read = app.get(path, key).send().await.unwrap();
    assert_eq!(read.status(), 200, "GET {path}");
    let old = etag(&read);
    let patch = |body: &Value, if_match: Option<&str>| {
        let mut r = app.http.patch(app.url(path)).header("X-API-KEY", key).json(body);
        if let Some(tag) = if_match {
            r = r.header("If-Match", tag);
        }
        r.send()
    };
    let edited = patch(&first, Some(&old)).await.unwrap();
    assert_eq!(edited.status(), 200, "{path}");
    let new = etag(&edited);
    assert_ne!(new, old, "{path}: the version moves on");
    let after_first: Value = app.get(path, key).send().await.unwrap().json().await.unwrap();
    assert!(
        after_first.pointer(read_back).is_some_and(|v| !v.is_null()),
        "{path}: {read_back} in {after_first}"
    );

    let stale = patch(&stale_edit, Some(&old)).await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED, "{path}");
    assert_eq!(etag(&stale), new, "{path}: 412 names the current version");
    let (_, code, message) = error_of(stale).await;
    assert_eq!(code, "stale_version");
    assert!(message.contains("reload"), "{message}");
    let unchanged: Value = app.get(path, key).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        unchanged.pointer(read_back),
        after_first.pointer(read_back),
        "{path}: the stale edit stored nothing"
    );

    let bad = patch(&stale_edit, Some("not-an-etag")).await.unwrap();
    assert_eq!(error_of(bad).await.1, "invalid_if_match");
    assert_eq!(patch(&stale_edit, None).await.unwrap().status(), 200, "{path}: no If-Match, last write wins");
}

async fn stale_if_match_is_412_on_every_edited_record(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let (s, lead) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": "+5511955554444", "name": "Carla Mendes", "source": "paid_ads"}),
    )
    .await;
    assert_eq!(s, 201, "{lead}");
    let lead_id = lead["lead"]["id"].as_str().unwrap().to_owned();
    let patient_id = lead["lead"]["patient_id"].as_str().unwrap().to_owned();
    check(
        &app,
        &key,
        &format!("/api/v1/leads/{lead_id}"),
        json!({"owner": "Ana"}),
        json!({"owner": "Bruno"}),
        "/owner",
    )
    .await;
    check(
        &app,
        &key,
        &format!("/api/v1/patients/{patient_id}"),
        json!({"name": "Carla M. Souza"}),
        json!({"name": "Outra Pessoa"}),
        "/name",
    )
    .await;
    let r = app
        .post("/api/v1/sandbox/inbound", &key)
        .json(&json!({"from": "+5511944443333", "body": "Oi"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    app.run_pending_jobs().await;
    let list: Value = app.get("/api/v1/conversations", &key).send().await.unwrap().json().await.unwrap();
    let conversation = list["items"][0]["id"].as_str().unwrap().to_owned();
    check(
        &app,
        &key,
        &format!("/api/v1/conversations/{conversation}"),
        json!({"assignee": "ana"}),
        json!({"assignee": "bruno"}),
        "/assignee",
    )
    .await;
    check(
        &app,
        &key,
        "/api/v1/settings",
        json!({"default_region": "PT"}),
        json!({"default_region": "US"}),
        "/default_region",
    )
    .await;
}
