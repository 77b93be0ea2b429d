//! The HTTP half of `bench search`: the real server on 127.0.0.1:0 and N clients posting
//! `/api/v1/slots/search` for a fixed time.

use super::{Latency, progress_bar};
use frontdesk_domain::{ManualClock, TenantId};
use frontdesk_engine::access;
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_server::{App, Config, Role};
use frontdesk_store::DynStore;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How hard and how long the clients post.
pub struct Load {
    pub concurrency: usize,
    pub seconds: u64,
}

pub struct Figures {
    pub latency: Latency,
    /// Successful (200) responses per second of wall time.
    pub per_sec: f64,
    pub errors: usize,
    pub first_error: Option<String>,
}

/// Untimed requests per client before the clock starts: connection setup and first-use
/// costs are not what a running server pays per search.
const WARM_UP_PER_CLIENT: usize = 3;

/// What one client saw.
#[derive(Default)]
struct ClientRun {
    samples: Vec<Duration>,
    ok: usize,
    errors: usize,
    first_error: Option<String>,
}

pub async fn run(
    store: DynStore,
    clock: ManualClock,
    tenant: TenantId,
    bodies: Vec<Vec<u8>>,
    args: Load,
    label: &str,
) -> anyhow::Result<Figures> {
    // No rate limit: it would measure the limiter, not the search.
    let config = Config { rate_limit_enabled: false, ..Config::default() };
    let app = App::new(config, store, Arc::new(clock), JobRegistry::new());
    let (_, secret) = access::issue_api_key(&app.ctx, tenant, "bench").await?;
    let key = secret.expose().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api/v1/slots/search", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    // Web only: job workers would compete with the requests for CPU.
    let server = tokio::spawn(app.serve(listener, Role::Web, shutdown.clone()));

    let bodies = Arc::new(bodies);
    // Everyone (clients and this task) meets here after warming up, so the timed window
    // is the same for all clients and starts once.
    let go = Arc::new(tokio::sync::Barrier::new(args.concurrency + 1));
    let timed = Duration::from_secs(args.seconds);
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..args.concurrency {
        let (url, key, bodies, go) = (url.clone(), key.clone(), bodies.clone(), go.clone());
        let concurrency = args.concurrency;
        clients.spawn(async move {
            let http = reqwest::Client::new();
            let mut run = ClientRun::default();
            for n in 0..WARM_UP_PER_CLIENT {
                let result = post(&http, &url, &key, &bodies[(c + n) % bodies.len()]).await;
                run.record(result);
            }
            go.wait().await;
            let deadline = Instant::now() + timed;
            // Clients start at different variants, so together they send the same mix
            // the in-process loop does.
            let mut i = c;
            while Instant::now() < deadline {
                let started = Instant::now();
                let result = post(&http, &url, &key, &bodies[i % bodies.len()]).await;
                run.samples.push(started.elapsed());
                run.ok += usize::from(result.is_ok());
                run.record(result);
                i += concurrency;
            }
            run
        });
    }
    go.wait().await;
    let start = Instant::now();
    let bar = progress_bar(args.seconds, format!("{label} http"));
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut samples = Vec::new();
    let (mut ok, mut errors, mut first_error) = (0, 0, None);
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.tick().await;
    loop {
        tokio::select! {
            done = clients.join_next() => {
                let Some(run) = done else { break };
                let run = run?;
                samples.extend(run.samples);
                ok += run.ok;
                errors += run.errors;
                first_error = first_error.or(run.first_error);
            }
            _ = ticks.tick() => bar.inc(1),
        }
    }
    // Until the last answer: requests still in flight at the deadline count, and so
    // does the time they took.
    let elapsed = start.elapsed();
    bar.finish_and_clear();
    shutdown.cancel();
    server.await??;
    Ok(Figures {
        latency: Latency::of(samples),
        per_sec: ok as f64 / elapsed.as_secs_f64(),
        errors,
        first_error,
    })
}

impl ClientRun {
    fn record(&mut self, result: anyhow::Result<()>) {
        if let Err(e) = result {
            self.errors += 1;
            self.first_error.get_or_insert_with(|| format!("{e:#}"));
        }
    }
}

/// One search; anything but a 200 with a readable body is an error worth reporting.
async fn post(http: &reqwest::Client, url: &str, key: &str, body: &[u8]) -> anyhow::Result<()> {
    let response = http
        .post(url)
        .header("x-api-key", key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if status != reqwest::StatusCode::OK {
        anyhow::bail!("{status}: {}", text.chars().take(200).collect::<String>());
    }
    Ok(())
}
