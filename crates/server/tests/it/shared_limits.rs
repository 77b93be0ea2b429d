//! Rate limits hold across processes (issue 16): three `frontdesk serve` processes share
//! one PostgreSQL database and a low API and webhook limit; a client spreads a steady
//! stream of requests over them, as a load balancer would. Within one minute window the
//! deployment as a whole accepts about the configured limit (plus at most the overshoot
//! the docs state: processes x flush interval x each process's request rate), not three
//! times it. The same load on processes that do not share counts is the control: there
//! each process grants the whole limit itself.
//!
//! PostgreSQL only (the scale-out backend); skipped without FRONTDESK_TEST_POSTGRES_URL.

use frontdesk_test_support::{Backend, TestApp};
use sqlx::PgPool;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const PROCESSES: usize = 3;
const API_LIMIT: u32 = 60;
const WEBHOOK_LIMIT: u32 = 60;
const FLUSH_MS: u64 = 250;
/// Requests per second of each kind, over all processes together.
const RATE: u32 = 60;
const LOAD: Duration = Duration::from_secs(4);

struct Fleet {
    children: Vec<Child>,
    ports: Vec<u16>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Fleet {
    fn start(db_url: &str, shared: bool) -> Self {
        let ports: Vec<u16> = (0..PROCESSES).map(|_| free_port()).collect();
        let children = ports
            .iter()
            .map(|port| {
                Command::new(env!("CARGO_BIN_EXE_frontdesk"))
                    .args(["serve", "--role", "web", "--bind", &format!("127.0.0.1:{port}")])
                    .env("DATABASE_URL", db_url)
                    .env("FRONTDESK_ENCRYPTION_KEY", frontdesk_test_support::TEST_ENCRYPTION_KEY)
                    .env("FRONTDESK_DATABASE_MAX_CONNECTIONS", "4")
                    .env("FRONTDESK_RATE_LIMIT_ENABLED", "true")
                    .env("FRONTDESK_RATE_LIMIT_API_PER_MINUTE", API_LIMIT.to_string())
                    .env("FRONTDESK_RATE_LIMIT_WEBHOOK_PER_MINUTE", WEBHOOK_LIMIT.to_string())
                    .env("FRONTDESK_RATE_LIMIT_SHARED", shared.to_string())
                    .env("FRONTDESK_RATE_LIMIT_FLUSH_MS", FLUSH_MS.to_string())
                    .env("FRONTDESK_LOG_LEVEL", "error")
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        Fleet { children, ports }
    }

    async fn wait_healthy(&self, http: &reqwest::Client) {
        for port in &self.ports {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/health")).send().await
                    && r.status().is_success()
                {
                    break;
                }
                assert!(Instant::now() < deadline, "process on port {port} never became healthy");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// What the fleet accepted of the load.
#[derive(Debug)]
struct Outcome {
    api_accepted: u32,
    webhook_accepted: u32,
    sent_each: u32,
    /// Requests per second each process received, of each kind.
    per_process_rate: f64,
}

/// Sends `RATE` API requests and `RATE` webhook deliveries a second for `LOAD`, round
/// robin over the processes, all within one counting window.
async fn run_load(fleet: &Fleet, http: &reqwest::Client, key: &str, slug: &str) -> Outcome {
    // The load must not straddle two minute windows: wait for the next one if needed.
    let second = jiff::Timestamp::now().as_second().rem_euclid(60) as u64;
    if second + LOAD.as_secs() + 3 >= 60 {
        tokio::time::sleep(Duration::from_secs(61 - second)).await;
    }
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / RATE);
    let mut sent = tokio::task::JoinSet::new();
    let mut n = 0usize;
    while started.elapsed() < LOAD {
        tick.tick().await;
        let port = fleet.ports[n % PROCESSES];
        n += 1;
        let api = http.get(format!("http://127.0.0.1:{port}/api/v1/tenant")).header("X-API-KEY", key);
        // Unsigned: refused after the limiter has counted it (403), or 429 before.
        let hook = http
            .post(format!("http://127.0.0.1:{port}/webhooks/twilio/{slug}/messages"))
            .form(&[("Body", "x")]);
        sent.spawn(async move { (true, api.send().await.unwrap().status().as_u16()) });
        sent.spawn(async move { (false, hook.send().await.unwrap().status().as_u16()) });
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (mut api_accepted, mut webhook_accepted) = (0, 0);
    while let Some(done) = sent.join_next().await {
        match done.unwrap() {
            (_, 429) => {}
            (true, 200) => api_accepted += 1,
            (true, other) => panic!("API answered {other}"),
            (false, _) => webhook_accepted += 1,
        }
    }
    Outcome {
        api_accepted,
        webhook_accepted,
        sent_each: n as u32,
        per_process_rate: n as f64 / PROCESSES as f64 / elapsed,
    }
}

/// The most a window may admit over its limit: each process may accept for up to one
/// flush interval (plus one interval of slack for the flush's own round trip and a busy
/// test machine) before it learns the others' counts.
fn overshoot_bound(o: &Outcome) -> f64 {
    PROCESSES as f64 * (2.0 * FLUSH_MS as f64 / 1000.0) * o.per_process_rate
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_share_one_limit_through_the_database() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    let (tenant, key) = app.tenant_with_key("shared").await;
    let slug = tenant.slug.to_string();
    let http = reqwest::Client::new();
    let db = PgPool::connect(app.db_url()).await.unwrap();

    let fleet = Fleet::start(app.db_url(), true);
    fleet.wait_healthy(&http).await;
    let shared = run_load(&fleet, &http, &key, &slug).await;
    // The last counts reach the database with the next flush.
    tokio::time::sleep(Duration::from_millis(4 * FLUSH_MS)).await;
    let rows: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT key, window_start, count FROM rate_counts").fetch_all(&db).await.unwrap();
    drop(fleet);

    let bound = overshoot_bound(&shared);
    println!(
        "shared: sent {} API requests and {} webhooks at {:.1}/s per process; accepted {} API (limit {API_LIMIT}), {} webhooks (limit {WEBHOOK_LIMIT}); stated overshoot bound {bound:.0}",
        shared.sent_each,
        shared.sent_each,
        shared.per_process_rate,
        shared.api_accepted,
        shared.webhook_accepted
    );
    for (what, accepted, limit) in
        [("API", shared.api_accepted, API_LIMIT), ("webhook", shared.webhook_accepted, WEBHOOK_LIMIT)]
    {
        assert!(accepted >= limit, "{what}: the whole budget is usable ({accepted} < {limit})");
        assert!(
            f64::from(accepted) <= f64::from(limit) + bound,
            "{what}: {accepted} accepted, more than {limit} + the stated bound {bound:.0}"
        );
    }
    // Every accepted request was counted once, under one hashed key per (caller, route).
    assert_eq!(rows.len(), 2, "one row per caller and route: {rows:?}");
    assert!(rows.iter().all(|(_, window, _)| *window == rows[0].1), "one window: {rows:?}");
    let counted: i64 = rows.iter().map(|(_, _, count)| count).sum();
    assert_eq!(counted, i64::from(shared.api_accepted + shared.webhook_accepted));

    // The control: the same load on processes counting alone gets about three times the
    // limit through, which the assertions above would have caught.
    let alone = Fleet::start(app.db_url(), false);
    alone.wait_healthy(&http).await;
    let local = run_load(&alone, &http, &key, &slug).await;
    println!(
        "per process: accepted {} API and {} webhooks of {} each",
        local.api_accepted, local.webhook_accepted, local.sent_each
    );
    assert!(
        f64::from(local.api_accepted) > f64::from(API_LIMIT) + overshoot_bound(&local),
        "without sharing each process grants the limit: {}",
        local.api_accepted
    );
}
