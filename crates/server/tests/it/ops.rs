//! Operating the server: liveness and readiness, what SIGTERM-style shutdown does to
//! readiness and live-update streams, SQLite backup and restore through the binary, and
//! the Grafana dashboard's metric names against a real scrape.

use frontdesk_domain::ManualClock;
use frontdesk_domain::contact::Email;
use frontdesk_domain::staff::{NewUser, Role as StaffRole};
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_engine::{staff, tenants};
use frontdesk_server::{App, Config, Role};
use frontdesk_test_support::{Backend, TestApp, backend_tests, fresh_store, post, start_time};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

backend_tests!(liveness_and_readiness_answer);
backend_tests!(raw: draining_turns_readiness_off_and_ends_live_streams, dashboard_metrics_are_exported);

async fn liveness_and_readiness_answer(app: TestApp) {
    let live = app.http.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(live.json::<Value>().await.unwrap()["status"], "ok");
    let ready = app.http.get(app.url("/health/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert!(body["expected_schema_version"].as_i64().is_some(), "{body}");
    assert_eq!(body["schema_version"], body["expected_schema_version"], "{body}");
    // The older checks still answer, and all four are documented.
    assert_eq!(app.http.get(app.url("/health")).send().await.unwrap().status(), 200);
    assert_eq!(app.http.get(app.url("/health/detailed")).send().await.unwrap().status(), 200);
    let spec: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in ["/health/live", "/health/ready"] {
        assert!(spec["paths"][path]["get"].is_object(), "{path} missing from the OpenAPI document");
    }
    assert!(spec["paths"]["/health/ready"]["get"]["responses"]["503"].is_object());
}

/// Shutdown with a 2 s delay: readiness turns 503 at once while liveness stays 200 and
/// the listener still accepts; an open live-update stream ends right away (not after the
/// 30 s grace), and the process returns well within the grace period.
async fn draining_turns_readiness_off_and_ends_live_streams(backend: Backend) {
    let (store, _dir) = fresh_store(backend).await.expect("backend available");
    let config = Config {
        rate_limit_enabled: false,
        shutdown_delay_secs: 2,
        shutdown_grace_secs: 30,
        ..Config::default()
    };
    let clock = ManualClock::new(start_time());
    let app = App::new(config, store, Arc::new(clock.clone()), JobRegistry::new());
    let ctx = app.ctx.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(app.serve(listener, Role::All, shutdown.clone()));
    let http = reqwest::Client::new();

    let new = frontdesk_domain::tenant::NewTenant::parse("drain", "Drain", "UTC", "en").unwrap();
    let tenant = tenants::create_tenant(&ctx, &new).await.unwrap();
    let user = NewUser {
        tenant_id: tenant.id,
        email: Email::parse("ana@drain.example").unwrap(),
        name: "Ana".into(),
        role: StaffRole::Staff,
    };
    staff::add_user(&ctx, user, Some("a long enough password 1")).await.unwrap();
    let signed = staff::sign_in(&ctx, "ana@drain.example", "a long enough password 1").await.unwrap();
    let stream = http
        .get(format!("{base}/app/events"))
        .header("cookie", format!("fd_session={}", signed.token))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(http.get(format!("{base}/health/ready")).send().await.unwrap().status(), 200);

    let stopped = Instant::now();
    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Fresh connections, so the answers come from the still-open listener.
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let ready = fresh.get(format!("{base}/health/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["reasons"], json!(["draining"]), "{body}");
    assert_eq!(fresh.get(format!("{base}/health/live")).send().await.unwrap().status(), 200);

    tokio::time::timeout(Duration::from_secs(5), stream.bytes())
        .await
        .expect("the live-update stream ends at shutdown")
        .expect("and ends cleanly");
    assert!(stopped.elapsed() < Duration::from_secs(2), "the stream ended before the listener closed");
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .expect("the server stops well within its 30 s grace")
        .unwrap()
        .unwrap();
}

/// Every metric a dashboard query uses is one the server exports: traffic, a sandbox
/// conversation and its jobs, then a scrape; the names in the scrape must cover the
/// dashboard's.
async fn dashboard_metrics_are_exported(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.metrics_token = Some("scrape".into()), JobRegistry::new()).await
    else {
        return;
    };
    let (_, key) = app.tenant_with_key("dash").await;
    post(
        &app,
        &key,
        "/api/v1/sandbox/inbound",
        json!({"from": "+5511944443333", "body": "Oi, quero marcar"}),
    )
    .await;
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    let text =
        app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    let exported: BTreeSet<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    let dashboard: Value = serde_json::from_str(include_str!("../../../../deploy/grafana/frontdesk.json"))
        .expect("the dashboard is JSON");
    let mut used = BTreeSet::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("expr");
            used.extend(metric_names(expr));
        }
    }
    assert!(used.len() >= 8, "{used:?}");
    let missing: Vec<_> = used.iter().filter(|m| !exported.contains(m.as_str())).collect();
    assert!(
        missing.is_empty(),
        "the dashboard queries metrics the server does not export: {missing:?}\n{text}"
    );
}

/// The `frontdesk_*` identifiers in a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("frontdesk_"))
        .map(str::to_owned)
        .collect()
}

fn frontdesk(db: &str, args: &[&str]) -> (bool, String, String) {
    frontdesk_test_support::run_frontdesk(env!("CARGO_BIN_EXE_frontdesk"), db, args)
}

/// A backup taken while another connection keeps writing is a consistent Frontdesk
/// database holding at least what was committed before it started; restore refuses to
/// overwrite without --force and refuses files that are not Frontdesk databases or come
/// from a newer build.
#[test]
fn backup_while_writing_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/live.db?mode=rwc", dir.path().display());
    let (ok, _, err) = frontdesk(&db, &["migrate"]);
    assert!(ok, "{err}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime.block_on(async {
        let s = frontdesk_store_sqlite::SqliteStore::connect(&db).await.unwrap();
        Arc::new(s)
    });
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        runtime.spawn(async move {
            use frontdesk_store::TenantStore;
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let new =
                    frontdesk_domain::tenant::NewTenant::parse(&format!("t{n}"), "Clínica", "UTC", "en")
                        .unwrap();
                store.create_tenant(&new, jiff::Timestamp::now()).await.unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let before = runtime.block_on(async {
        use frontdesk_store::TenantStore;
        store.list_tenants().await.unwrap().len()
    });
    assert!(before > 0, "the writer is writing");
    let backup = dir.path().join("snap.db");
    let backup_arg = backup.to_str().unwrap();
    let (ok, out, err) = frontdesk(&db, &["backup", "--out", backup_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("backup written"), "{out}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = runtime.block_on(writer).unwrap();
    // No overwrite of an existing backup without --force.
    let (ok, _, err) = frontdesk(&db, &["backup", "--out", backup_arg]);
    assert!(!ok && err.contains("--force"), "{err}");

    // Into a fresh location.
    let restored = format!("sqlite://{}/restored.db?mode=rwc", dir.path().display());
    let (ok, out, err) = frontdesk(&restored, &["restore", "--from", backup_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("restored"), "{out}");
    let (ok, list, err) = frontdesk(&restored, &["tenant", "list"]);
    assert!(ok, "{err}");
    let count = list.lines().count();
    assert!(count >= before && count <= written as usize, "{before} <= {count} <= {written}");
    assert!(list.lines().any(|l| l.starts_with("t0\t")), "{list}");

    // Over an existing database only with --force.
    let (ok, _, err) = frontdesk(&restored, &["restore", "--from", backup_arg]);
    assert!(!ok && err.contains("--force"), "{err}");
    let (ok, _, err) = frontdesk(&db, &["restore", "--from", backup_arg, "--force"]);
    assert!(ok, "{err}");
    let (_, list, _) = frontdesk(&db, &["tenant", "list"]);
    assert_eq!(list.lines().count(), count);

    // Not a database; a SQLite file that is not Frontdesk's; one from a newer build.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just text that is long enough").unwrap();
    let (ok, _, err) = frontdesk(&restored, &["restore", "--force", "--from", junk.to_str().unwrap()]);
    assert!(!ok && err.contains("not a"), "{err}");
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", newer.display())).await.unwrap();
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99991231000000, 'future', 1, x'00', 0)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    });
    let (ok, _, err) = frontdesk(&restored, &["restore", "--force", "--from", newer.to_str().unwrap()]);
    assert!(!ok && err.contains("newer Frontdesk"), "{err}");
    // The refused restores left the database as it was.
    let (_, list, _) = frontdesk(&restored, &["tenant", "list"]);
    assert_eq!(list.lines().count(), count);

    // PostgreSQL: pointed at its own tools.
    let (ok, _, err) = frontdesk("postgres://nobody@127.0.0.1:1/none", &["backup", "--out", backup_arg]);
    assert!(!ok && err.contains("pg_dump"), "{err}");
}

/// With `otlp_endpoint` set, the binary exports its request spans to the collector as
/// OTLP http/protobuf POSTs to /v1/traces (at the latest when it shuts down).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otlp_endpoint_receives_request_traces() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let collector = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/traces"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&collector)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", format!("sqlite://{}/otel.db?mode=rwc", dir.path().display()))
        .env("FRONTDESK_LOG_LEVEL", "info")
        .env("FRONTDESK_OTLP_ENDPOINT", collector.uri())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/health/live")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(http.get(format!("{base}/health/ready")).send().await.unwrap().status(), 200);
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(status.success(), "SIGTERM ends the server cleanly: {status}");
    let received = collector.received_requests().await.unwrap();
    let exports: Vec<_> = received.iter().filter(|r| r.url.path() == "/v1/traces").collect();
    assert!(!exports.is_empty(), "no trace export reached the collector");
    let export = exports[0];
    assert_eq!(export.headers.get("content-type").unwrap(), "application/x-protobuf");
    assert!(!export.body.is_empty());
}
