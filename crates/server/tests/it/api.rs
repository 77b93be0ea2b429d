//! The HTTP API on both backends: authentication, tenant isolation, errors, request ids,
//! health, metrics, OpenAPI, rate limits, CORS.

use frontdesk_domain::Clock;
use frontdesk_domain::jobs::{AfterFailure, NewJob};
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_store::ClaimRequest;
use frontdesk_test_support::{Backend, TestApp, backend_tests, error_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

backend_tests!(
    missing_or_bad_key_is_401,
    revoked_key_is_rejected,
    bearer_header_is_accepted,
    every_route_is_tenant_isolated,
    malformed_input_gets_4xx_json,
    unknown_routes_and_methods_get_json_errors,
    request_id_is_echoed_or_created,
    health_endpoints,
    openapi_and_docs_are_served,
    api_key_lifecycle_over_http,
    tenant_settings_can_be_edited_and_are_audited,
    settings_patch_must_be_an_object,
    app_pages_answer_unreadable_requests_with_a_page,
);
backend_tests!(raw: security_headers_on_every_response, provider_addresses_must_be_public, slow_clients_are_cut_off, metrics_count_requests_by_route, metrics_listener_serves_without_a_token, rate_limit_per_key_gives_429, wrong_keys_are_limited_per_address, webhook_limit_is_per_route_not_per_path, metrics_token_is_enforced, cors_only_for_configured_origins);

async fn missing_or_bad_key_is_401(app: TestApp) {
    let (_, _key) = app.tenant_with_key("alpha").await;
    let r = app.http.get(app.url("/api/v1/jobs")).send().await.unwrap();
    assert_eq!(error_of(r).await.0, 401);
    for bad in [
        "nonsense",
        "fdk_00000000_",
        "fdk_00000000_0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let r = app.get("/api/v1/jobs", bad).send().await.unwrap();
        let (status, code, _) = error_of(r).await;
        assert_eq!((status, code.as_str()), (401, "invalid_api_key"), "{bad}");
    }
    let r = app.http.get(app.url("/api/v1/tenant")).send().await.unwrap();
    let (status, code, message) = error_of(r).await;
    assert_eq!((status, code.as_str()), (401, "missing_api_key"));
    assert!(message.contains("X-API-KEY"));
}

async fn revoked_key_is_rejected(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    assert_eq!(app.get("/api/v1/tenant", &key).send().await.unwrap().status(), 200);
    let prefix = &key[4..12];
    app.ctx.store.revoke_api_key(tenant.id, prefix, app.clock.now()).await.unwrap();
    let (status, code, _) = error_of(app.get("/api/v1/tenant", &key).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (401, "invalid_api_key"));
}

async fn bearer_header_is_accepted(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    let r = app.http.get(app.url("/api/v1/tenant")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["slug"], "alpha");
    assert_eq!(body["id"], tenant.id.to_string());
    assert_eq!(body["timezone"], "America/Sao_Paulo");
}

/// For every route: tenant A's key sees only A's data, and B's ids are 404.
async fn every_route_is_tenant_isolated(app: TestApp) {
    let (a, key_a) = app.tenant_with_key("alpha").await;
    let (b, key_b) = app.tenant_with_key("beta").await;
    let store = &app.ctx.store;
    let now = app.clock.now();
    // B owns a dead job.
    let b_job = store
        .enqueue(&NewJob::new(b.id, "demo.fail", json!({}), now).with_max_attempts(1), now)
        .await
        .unwrap()
        .id();
    let claim = ClaimRequest {
        lease_token: uuid::Uuid::now_v7(),
        now,
        lease: jiff::SignedDuration::from_secs(60),
        limit: 10,
    };
    store.claim_jobs(&claim).await.unwrap();
    store.fail_job(claim.lease_token, b_job, "boom", AfterFailure::Dead, now).await.unwrap();
    let a_job = store.enqueue(&NewJob::new(a.id, "demo.ok", json!({}), now), now).await.unwrap().id();

    // GET/PATCH /api/v1/tenant
    let t: Value = app.get("/api/v1/tenant", &key_a).send().await.unwrap().json().await.unwrap();
    assert_eq!(t["slug"], "alpha");
    let patched = app
        .http
        .patch(app.url("/api/v1/tenant"))
        .header("X-API-KEY", &key_a)
        .json(&json!({"name": "Alpha 2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(store.tenant_by_id(b.id).await.unwrap().unwrap().name, "Clínica beta");

    // GET /api/v1/jobs and /api/v1/jobs/{id}
    let list: Value = app.get("/api/v1/jobs", &key_a).send().await.unwrap().json().await.unwrap();
    let ids: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a_job.to_string()]);
    let dead: Value = app.get("/api/v1/jobs?status=dead", &key_a).send().await.unwrap().json().await.unwrap();
    assert_eq!(dead["items"].as_array().unwrap().len(), 0);
    let (status, code, _) =
        error_of(app.get(&format!("/api/v1/jobs/{b_job}"), &key_a).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    assert_eq!(app.get(&format!("/api/v1/jobs/{a_job}"), &key_a).send().await.unwrap().status(), 200);

    // POST /api/v1/jobs/{id}/retry on B's dead job with A's key: 404, job untouched.
    let r = app.post(&format!("/api/v1/jobs/{b_job}/retry"), &key_a).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(store.get_job(b.id, b_job).await.unwrap().unwrap().status.as_str(), "dead");
    // ...and B can retry it.
    let r = app.post(&format!("/api/v1/jobs/{b_job}/retry"), &key_b).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // API keys: A cannot see or revoke B's keys.
    let keys: Value = app.get("/api/v1/api-keys", &key_a).send().await.unwrap().json().await.unwrap();
    let prefixes: Vec<&str> =
        keys["items"].as_array().unwrap().iter().map(|k| k["prefix"].as_str().unwrap()).collect();
    assert_eq!(prefixes, vec![&key_a[4..12]]);
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/api-keys/{}", &key_b[4..12])))
        .header("X-API-KEY", &key_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.get("/api/v1/tenant", &key_b).send().await.unwrap().status(), 200, "B's key still works");

    // Audit: each tenant sees only its own entries.
    let audit_a: Value = app.get("/api/v1/audit", &key_a).send().await.unwrap().json().await.unwrap();
    let audit_b: Value = app.get("/api/v1/audit", &key_b).send().await.unwrap().json().await.unwrap();
    let actions = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}:{}", e["action"].as_str().unwrap(), e["resource_type"].as_str().unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(actions(&audit_a), vec!["update:tenant"]);
    assert_eq!(actions(&audit_b), vec!["retry:job"]);
    assert_eq!(audit_b["items"][0]["actor"], format!("api_key:{}", &key_b[4..12]));
}

async fn malformed_input_gets_4xx_json(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let cases: Vec<(reqwest::RequestBuilder, u16, &str, &str)> = vec![
        (app.get("/api/v1/jobs?status=zombie", &key), 400, "invalid_query", "zombie"),
        (app.get("/api/v1/jobs?limit=many", &key), 400, "invalid_query", "limit"),
        (app.get("/api/v1/jobs?stauts=dead", &key), 400, "invalid_query", "stauts"),
        (app.get("/api/v1/jobs/not-a-uuid", &key), 400, "invalid_path", "UUID"),
        (
            app.post("/api/v1/api-keys", &key).header("content-type", "application/json").body("{\"name\": "),
            400,
            "malformed_json",
            "EOF",
        ),
        (app.post("/api/v1/api-keys", &key).json(&json!({"name": 42})), 422, "invalid_body", "name"),
        (app.post("/api/v1/api-keys", &key).json(&json!({"nome": "x"})), 422, "invalid_body", "nome"),
        (
            app.post("/api/v1/api-keys", &key).body("{\"name\":\"x\"}"),
            415,
            "unsupported_media_type",
            "Content-Type",
        ),
        (app.post("/api/v1/api-keys", &key).json(&json!({"name": "  "})), 422, "invalid_name", "name"),
        (
            app.http
                .patch(app.url("/api/v1/tenant"))
                .header("X-API-KEY", &key)
                .json(&json!({"locale": "fr"})),
            422,
            "invalid_body",
            "fr",
        ),
        (
            app.http
                .patch(app.url("/api/v1/tenant"))
                .header("X-API-KEY", &key)
                .json(&json!({"timezone": "Mars/Base"})),
            422,
            "invalid_body",
            "Mars/Base",
        ),
        (
            app.http.patch(app.url("/api/v1/tenant")).header("X-API-KEY", &key).json(&json!({"name": ""})),
            422,
            "invalid_tenant",
            "name",
        ),
        // Dates that cannot be true.
        (
            app.post("/api/v1/patients", &key)
                .json(&json!({"name": "Ana Futura", "phone": "+5511987650000", "birth_date": "9999-12-31"})),
            422,
            "invalid_patient",
            "birth date",
        ),
        (
            app.post("/api/v1/leads", &key).json(
                &json!({"name": "Lia Antiga", "phone": "+5511987650001", "submitted_at": "0001-01-01T00:00:00Z"}),
            ),
            422,
            "invalid_lead",
            "submitted_at",
        ),
    ];
    for (i, (request, status, code, needle)) in cases.into_iter().enumerate() {
        let (got_status, got_code, message) = error_of(request.send().await.unwrap()).await;
        assert_eq!((got_status, got_code.as_str()), (status, code), "case {i}: {message}");
        assert!(message.contains(needle), "case {i}: {message:?} should name {needle:?}");
    }
    // Bodies over the limit, the API's and a webhook's alike: the same JSON shape, not
    // axum's plain text, decided from the announced length alone.
    for (path, headers) in [
        ("/api/v1/api-keys", format!("X-API-KEY: {key}\r\nContent-Type: application/json\r\n")),
        ("/webhooks/twilio/alpha/messages", "Content-Type: application/x-www-form-urlencoded\r\n".to_owned()),
    ] {
        let (status, kind, body) = oversized(&app, path, &headers).await;
        assert_eq!((status, kind.as_str()), (413, "application/json"), "{path}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["code"], "payload_too_large", "{path}: {body}");
        assert!(error["error"]["message"].as_str().unwrap().contains("limit"), "{path}: {body}");
    }
}

/// Sends the head of a request announcing a 2 MiB body (over the 1 MiB limit) and none of
/// the body, as a client waiting for `100 Continue` would, and reads the answer: status,
/// content type and body. (Writing the 2 MiB too races the server's early answer: it closes
/// the connection while the client still writes, and the client may see the reset instead
/// of the 413.)
async fn oversized(app: &TestApp, path: &str, headers: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        2 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("answered before the body was sent")
        .unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete answer");
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let kind = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    (status, kind, body.to_owned())
}

async fn unknown_routes_and_methods_get_json_errors(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let (status, code, _) = error_of(app.get("/api/v1/nothing-here", &key).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (404, "route_not_found"));
    let (status, code, _) = error_of(app.http.delete(app.url("/health")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (405, "method_not_allowed"));
}

async fn request_id_is_echoed_or_created(app: TestApp) {
    let r = app.http.get(app.url("/health")).header("X-Request-Id", "trace-me-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-123");
    let r = app.http.get(app.url("/health")).send().await.unwrap();
    let generated = r.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
    // The request id reaches the audit trail.
    let (_, key) = app.tenant_with_key("alpha").await;
    app.http
        .patch(app.url("/api/v1/tenant"))
        .header("X-API-KEY", &key)
        .header("X-Request-Id", "req-audit-1")
        .json(&json!({"locale": "en"}))
        .send()
        .await
        .unwrap();
    let audit: Value = app.get("/api/v1/audit", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(audit["items"][0]["request_id"], "req-audit-1");
}

async fn health_endpoints(app: TestApp) {
    let body: Value = app.http.get(app.url("/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body, json!({"status": "ok"}));
    let (t, _) = app.tenant_with_key("alpha").await;
    let now = app.clock.now();
    app.ctx
        .store
        .enqueue(&NewJob::new(t.id, "x", json!({}), now - jiff::SignedDuration::from_secs(90)), now)
        .await
        .unwrap();
    let body: Value = app.http.get(app.url("/health/detailed")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["reachable"], true);
    assert_eq!(
        body["database"]["backend"],
        if app.backend == Backend::Sqlite { "sqlite" } else { "postgres" }
    );
    assert!(body["database"]["schema_version"].as_i64().unwrap() >= 20261122000001);
    assert_eq!(body["jobs"]["depth"], 1);
    assert_eq!(body["jobs"]["oldest_due_age_seconds"], 90.0);
    assert!(body["version"].is_string());
}

async fn metrics_count_requests_by_route(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.metrics_token = Some("scrape-secret".into()), JobRegistry::new())
            .await
    else {
        return;
    };
    let (_, key) = app.tenant_with_key("alpha").await;
    app.get("/api/v1/jobs/0195e5a0-0000-7000-8000-000000000000", &key).send().await.unwrap();
    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape-secret").send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("frontdesk_http_requests_total")
            && l.contains("route=\"/api/v1/jobs/{id}\"")
            && l.contains("status=\"404\"")),
        "{text}"
    );
    assert!(text.contains("frontdesk_http_request_duration_seconds_bucket"));
    assert!(text.contains("frontdesk_jobs_queue_depth"));
    assert!(!text.contains("0195e5a0-0000"), "raw paths never become labels");
}

async fn openapi_and_docs_are_served(app: TestApp) {
    let spec: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in [
        "/api/v1/jobs",
        "/api/v1/jobs/{id}/retry",
        "/api/v1/audit",
        "/api/v1/tenant",
        "/api/v1/api-keys",
        "/health",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing from the spec");
    }
    let docs = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"));
    assert!(!html.contains("cdn."), "the docs page must work offline");
}

async fn api_key_lifecycle_over_http(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let r = app.post("/api/v1/api-keys", &key).json(&json!({"name": "reception desk"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "reception desk");
    assert_eq!(app.get("/api/v1/tenant", &secret).send().await.unwrap().status(), 200);
    let listed: Value = app.get("/api/v1/api-keys", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert!(!listed.to_string().contains(&secret), "secrets are never listed");
    let prefix = created["prefix"].as_str().unwrap();
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/api-keys/{prefix}")))
        .header("X-API-KEY", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/tenant", &secret).send().await.unwrap().status(), 401);
}

async fn tenant_settings_can_be_edited_and_are_audited(app: TestApp) {
    let (t, key) = app.tenant_with_key("alpha").await;
    let r = app
        .http
        .patch(app.url("/api/v1/tenant"))
        .header("X-API-KEY", &key)
        .json(&json!({"timezone": "Europe/Lisbon", "locale": "en"}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["timezone"].as_str(), body["locale"].as_str(), body["name"].as_str()),
        (Some("Europe/Lisbon"), Some("en"), Some("Clínica alpha"))
    );
    let stored = app.ctx.store.tenant_by_id(t.id).await.unwrap().unwrap();
    assert_eq!(stored.timezone.as_str(), "Europe/Lisbon");
    let audit: Value = app.get("/api/v1/audit", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(audit["items"][0]["resource_id"], t.id.to_string());
}

async fn settings_patch_must_be_an_object(app: TestApp) {
    let (t, key) = app.tenant_with_key("alpha").await;
    let before = app.ctx.store.tenant_settings(t.id).await.unwrap();
    for body in [json!([]), json!(null), json!("x"), json!(3)] {
        let r = app
            .http
            .patch(app.url("/api/v1/settings"))
            .header("X-API-KEY", &key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, code, message) = error_of(r).await;
        assert_eq!((status, code.as_str()), (422, "invalid_settings"), "{body}");
        assert!(message.contains("JSON object"), "{message}");
    }
    let after = app.ctx.store.tenant_settings(t.id).await.unwrap();
    assert_eq!(serde_json::to_value(&after).unwrap(), serde_json::to_value(&before).unwrap());
}

async fn rate_limit_per_key_gives_429(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |c| {
            c.rate_limit_enabled = true;
            c.rate_limit_api_per_minute = 3;
        },
        JobRegistry::new(),
    )
    .await
    .unwrap();
    let (_, key) = app.tenant_with_key("alpha").await;
    let (_, other) = app.tenant_with_key("beta").await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/tenant", &key).send().await.unwrap().status(), 200);
    }
    let r = app.get("/api/v1/tenant", &key).send().await.unwrap();
    let retry_after: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=61).contains(&retry_after));
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (429, "rate_limited"));
    assert_eq!(app.get("/api/v1/tenant", &other).send().await.unwrap().status(), 200, "limits are per key");
    assert_eq!(app.http.get(app.url("/health")).send().await.unwrap().status(), 200, "health is not limited");
}

/// Guessing keys is throttled: past the limit a wrong key gets 429, not another try.
async fn wrong_keys_are_limited_per_address(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |c| {
            c.rate_limit_enabled = true;
            c.rate_limit_auth_failures_per_minute = 3;
        },
        JobRegistry::new(),
    )
    .await
    .unwrap();
    let (_, key) = app.tenant_with_key("alpha").await;
    for n in 0..3 {
        let wrong = format!("fdk_0000000{n}_{}", "0".repeat(64));
        assert_eq!(app.get("/api/v1/tenant", &wrong).send().await.unwrap().status(), 401);
    }
    let r = app.get("/api/v1/tenant", "fdk_00000009_nope").send().await.unwrap();
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(error_of(r).await.0, 429);
    let r = app.http.get(app.url("/api/v1/tenant")).send().await.unwrap();
    assert_eq!(error_of(r).await.0, 429, "a missing key counts as a failure too");
    assert_eq!(
        app.get("/api/v1/tenant", &key).send().await.unwrap().status(),
        200,
        "a valid key still works"
    );
}

/// The webhook limit counts the route, not the raw path: a percent-encoded tenant slug
/// or another tenant's path is no way around it, and an unknown path is not a new bucket.
async fn webhook_limit_is_per_route_not_per_path(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |c| {
            c.rate_limit_enabled = true;
            c.rate_limit_webhook_per_minute = 2;
        },
        JobRegistry::new(),
    )
    .await
    .unwrap();
    let post = |path: &str| app.http.post(app.url(path)).form(&[("Body", "x")]).send();
    assert_ne!(post("/webhooks/twilio/alpha/messages").await.unwrap().status(), 429);
    assert_ne!(post("/webhooks/twilio/beta/messages").await.unwrap().status(), 429);
    let r = post("/webhooks/twilio/%61lpha/messages").await.unwrap();
    assert_eq!(error_of(r).await.0, 429);
    // Another route has its own budget.
    assert_ne!(post("/webhooks/twilio/alpha/status").await.unwrap().status(), 429);
}

/// Without a token the main listener, which faces the internet, serves no metrics; a
/// listener of their own, bound to a private address, serves them without one.
async fn metrics_listener_serves_without_a_token(backend: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.metrics_bind = Some(bind.clone()), JobRegistry::new()).await
    else {
        return;
    };
    let (status, code, _) = error_of(app.http.get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (404, "metrics_disabled"));
    let mut text = String::new();
    for _ in 0..50 {
        if let Ok(r) = app.http.get(format!("http://{bind}/metrics")).send().await {
            text = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(text.contains("frontdesk_"), "the private listener serves the metrics: {text}");
    let other = app.http.get(format!("http://{bind}/api/v1/tenant")).send().await.unwrap();
    assert_eq!(other.status(), 404, "only /metrics there");
}

async fn metrics_token_is_enforced(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |c| c.metrics_token = Some("scrape-secret".into()), JobRegistry::new())
            .await
            .unwrap();
    assert_eq!(app.http.get(app.url("/metrics")).send().await.unwrap().status(), 401);
    assert_eq!(app.http.get(app.url("/metrics")).bearer_auth("wrong").send().await.unwrap().status(), 401);
    assert_eq!(
        app.http.get(app.url("/metrics")).bearer_auth("scrape-secret").send().await.unwrap().status(),
        200
    );
}

async fn cors_only_for_configured_origins(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        |c| c.cors_origins = vec!["https://painel.clinica.example".into()],
        JobRegistry::new(),
    )
    .await
    .unwrap();
    let ok = app
        .http
        .get(app.url("/health"))
        .header("Origin", "https://painel.clinica.example")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://painel.clinica.example");
    let other =
        app.http.get(app.url("/health")).header("Origin", "https://evil.example").send().await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let default_app = TestApp::spawn(backend).await.unwrap();
    let r = default_app
        .http
        .get(default_app.url("/health"))
        .header("Origin", "https://painel.clinica.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none(), "no CORS by default");
}

/// What axum would answer in plain text (a query that does not parse, a form over the
/// limit) is, in the staff app, a page in the person's language with a way back.
async fn app_pages_answer_unreadable_requests_with_a_page(app: TestApp) {
    let (tenant, _) = app.tenant_with_key("alpha").await;
    let cookie = app.staff_cookie(tenant.id, "ana@alpha.example", frontdesk_domain::staff::Role::Staff).await;
    let duplicated = app
        .http
        .get(app.url("/app/calendar?view=week&view=day"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let oversized = app
        .http
        .post(app.url("/app/calendar/book"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={}", "a".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    for (response, status, words) in
        [(duplicated, 400, "Não deu para ler o formulário"), (oversized, 413, "Grande demais")]
    {
        assert_eq!(response.status().as_u16(), status);
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        let page = response.text().await.unwrap();
        assert!(
            kind.starts_with("text/html") && page.contains(words) && page.contains("href=\"/app\""),
            "{page}"
        );
    }
}

/// A client that sends its headers or its body too slowly loses the connection instead of
/// holding it open (the old server kept 500 such connections for minutes).
async fn slow_clients_are_cut_off(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(app) = TestApp::spawn_with(
        backend,
        |c| {
            c.header_read_timeout_secs = 1;
            c.body_read_timeout_secs = 1;
        },
        JobRegistry::new(),
    )
    .await
    else {
        return;
    };
    let (_, key) = app.tenant_with_key("alpha").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = std::time::Instant::now();
    // Headers never finished: closed without an answer.
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), half.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was closed");
    // A body that never arrives: an error answer, then the connection ends.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/api-keys HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\""
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the slow body was cut off");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "{:?}", started.elapsed());
    // Normal requests still work.
    assert_eq!(app.http.get(app.url("/health")).send().await.unwrap().status(), 200);
}

/// An API-key holder cannot point a provider at the server's own network: the clinic's
/// credentials would be sent there (the deployment's `allow_private_network` is off).
async fn provider_addresses_must_be_public(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.allow_private_network = false, JobRegistry::new()).await
    else {
        return;
    };
    let (_, key) = app.tenant_with_key("alpha").await;
    let twilio = |base: &str| {
        json!({"messaging": {"whatsapp_provider": "twilio", "twilio": {"account_sid": "AC1", "auth_token": "tok",
            "whatsapp_from": "+14155238886", "base_url": base}}})
    };
    let patch = |body: Value| {
        app.http
            .patch(app.url("/api/v1/settings"))
            .header("X-API-KEY", &key)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string())
    };
    for inside in
        ["http://127.0.0.1:9999", "https://169.254.169.254/latest", "https://localhost", "https://[::1]:8443"]
    {
        let (status, code, message) = error_of(patch(twilio(inside)).send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (422, "invalid_settings"), "{inside}: {message}");
        assert!(message.contains("messaging.twilio.base_url"), "{message}");
    }
    let n8n = json!({"dialogue": {"n8n": {"webhook_url": "http://10.0.0.8/webhook/x", "callback_token": "a-long-callback-token-0123456789"}}});
    let (status, _, message) = error_of(patch(n8n).send().await.unwrap()).await;
    assert_eq!(status, 422, "{message}");
    assert!(message.contains("dialogue.n8n.webhook_url"), "{message}");
    let public = patch(twilio("https://api.twilio.com")).send().await.unwrap();
    assert_eq!(public.status(), 200, "{}", public.text().await.unwrap());
}

/// The browser's defences are on: no inline script or framing, no sniffing, and HSTS once
/// the server is reached over https.
async fn security_headers_on_every_response(backend: Backend) {
    let Some(app) = TestApp::spawn_with(
        backend,
        |c| c.public_url = Some("https://frontdesk.example.com".into()),
        JobRegistry::new(),
    )
    .await
    else {
        return;
    };
    for path in ["/login", "/api/v1/tenant", "/health", "/assets/app.css", "/no/such/page"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{path}: no inline script");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h["strict-transport-security"].to_str().unwrap().starts_with("max-age="), "{path}");
    }
    let plain = TestApp::spawn_with(backend, |_| {}, JobRegistry::new()).await.unwrap();
    let r = plain.http.get(plain.url("/login")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none(), "no HSTS over plain http");
}
