//! Input the API refuses with a clear 4xx: malformed bodies and queries, unknown events,
//! and receiver URLs the egress rules forbid (private, loopback, link-local, not https),
//! unless the deployment allows its own network.

use frontdesk_engine::jobs::JobRegistry;
use frontdesk_test_support::{Backend, TestApp, error_of, patch, post};
use serde_json::json;

pub(super) async fn bad_input_is_a_clear_4xx(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let hooks = "/api/v1/webhook-subscriptions";
    let r = app.http.get(app.url(hooks)).send().await.unwrap();
    assert_eq!(error_of(r).await.0, 401);
    let r = app.http.get(app.url("/api/v1/webhook-deliveries")).send().await.unwrap();
    assert_eq!(error_of(r).await.0, 401);
    for (body, status) in [
        (json!({"url": "https://hooks.example.com/x"}), 422),
        (json!({"url": "https://hooks.example.com/x", "event_types": []}), 422),
        (json!({"url": "https://hooks.example.com/x", "event_types": ["appointment.eaten"]}), 422),
        (json!({"url": "not a url", "event_types": ["call.ended"]}), 422),
        (json!({"url": "ftp://hooks.example.com", "event_types": ["call.ended"]}), 422),
        (json!({"url": "https://u:p@hooks.example.com", "event_types": ["call.ended"]}), 422),
        (json!({"url": "https://hooks.example.com/x", "event_types": ["call.ended"], "colour": "red"}), 422),
        (json!({"url": 5, "event_types": ["call.ended"]}), 422),
        (json!([]), 422),
    ] {
        let r = app.post(hooks, &key).json(&body).send().await.unwrap();
        let (s, code, _) = error_of(r).await;
        assert_eq!(s, status, "{body} -> {code}");
    }
    let r = app.post(hooks, &key).body("{").header("content-type", "application/json").send().await.unwrap();
    assert_eq!(error_of(r).await.0, 400);
    let r = app.post(hooks, &key).body("url=x").send().await.unwrap();
    assert_eq!(error_of(r).await.0, 415);
    let r = app.get(&format!("{hooks}/not-a-uuid"), &key).send().await.unwrap();
    assert_eq!(error_of(r).await.0, 400);
    for q in ["?limit=0", "?limit=201", "?state=lost", "?subscription_id=x", "?colour=red"] {
        let r = app.get(&format!("/api/v1/webhook-deliveries{q}"), &key).send().await.unwrap();
        assert_eq!(error_of(r).await.0, 400, "{q}");
    }
    let (s, v) =
        post(&app, &key, hooks, json!({"url": "https://hooks.example.com/x", "event_types": ["call.ended"]}))
            .await;
    assert_eq!(s, 201, "{v}");
    let rotate = format!("{hooks}/{}/rotate-secret", v["id"].as_str().unwrap());
    for (body, status) in
        [("{\"overlap_seconds\": -1}", 422), ("{\"overlap_seconds\": 99999999}", 422), ("{", 400)]
    {
        let r = app.post(&rotate, &key).body(body).send().await.unwrap();
        assert_eq!(error_of(r).await.0, status, "{body}");
    }
    let r = app.post(&rotate, &key).send().await.unwrap();
    assert_eq!(r.status(), 200, "no body: the default overlap");
    let r = app
        .post(&format!("/api/v1/webhook-deliveries/{}/replay", uuid::Uuid::now_v7()), &key)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.0, 404);
}

pub(super) async fn private_addresses_are_refused_unless_the_deployment_allows_them(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.allow_private_network = false, JobRegistry::new()).await
    else {
        return;
    };
    let (_, key) = app.tenant_with_key("sorriso").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "http://hooks.example.com/hook",
    ] {
        let (s, v) = post(
            &app,
            &key,
            "/api/v1/webhook-subscriptions",
            json!({"url": url, "event_types": ["call.ended"]}),
        )
        .await;
        assert_eq!((s, v["error"]["code"].as_str()), (422, Some("invalid_webhook")), "{url}: {v}");
    }
    let (s, v) = post(
        &app,
        &key,
        "/api/v1/webhook-subscriptions",
        json!({"url": "https://hooks.example.com/hook", "event_types": ["call.ended"]}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let path = format!("/api/v1/webhook-subscriptions/{}", v["id"].as_str().unwrap());
    let (s, _) = patch(&app, &key, &path, json!({"url": "https://192.168.0.10/hook"})).await;
    assert_eq!(s, 422, "an update is checked too");
    drop(app);

    // A development deployment may point at its own network.
    let Some(dev) = TestApp::spawn(backend).await else { return };
    let (_, key) = dev.tenant_with_key("sorriso").await;
    let (s, v) = post(
        &dev,
        &key,
        "/api/v1/webhook-subscriptions",
        json!({"url": "http://127.0.0.1:9/hook", "event_types": ["call.ended"]}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
}
