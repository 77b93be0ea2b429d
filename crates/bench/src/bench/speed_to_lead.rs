//! `frontdesk bench speed-to-lead`: how long a hot lead waits for its call. Leads are
//! posted to the real server (web and job workers in one process) at a steady rate; each
//! is measured from its `201 Created` arriving at the client to the outbound call request
//! (`POST /call`) arriving at a mock VAPI server on loopback.
//!
//! Between the two: the `leads.speed_to_lead` job (woken by the lead's insert), which
//! stores the call with its `voice.place_call` job (woken in turn), which asks VAPI.

use super::{Backends, DEFAULT_POSTGRES_URL, Latency, fresh_store, ms, progress_bar};
use anyhow::{Context, bail};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::SystemClock;
use frontdesk_domain::scheduling::{Location, Practitioner, Service};
use frontdesk_domain::tenant::{NewTenant, TimeZoneName};
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_engine::{Ctx, access, scheduling, tenants};
use frontdesk_server::{App, Config, Role};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct SpeedToLeadBenchArgs {
    /// Leads posted per second.
    #[arg(long, default_value_t = 50)]
    pub rate: u32,
    /// Seconds of load per backend.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    /// PostgreSQL server to use (a throwaway schema is created in it).
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
    /// How often idle job workers look for due jobs without being woken (default: the
    /// server's `jobs_poll_interval_ms`). A long one shows whether wake-ups carry the load.
    #[arg(long, value_name = "MS")]
    pub job_poll_ms: Option<u64>,
}

const ZONE: &str = "America/Sao_Paulo";
/// What a hot lead may wait for its call.
const TARGET_P99: Duration = Duration::from_secs(1);
/// How long calls may keep arriving after the last lead was answered.
const CALL_WAIT: Duration = Duration::from_secs(10);

pub async fn speed_to_lead(args: SpeedToLeadBenchArgs) -> anyhow::Result<()> {
    if args.rate == 0 || args.seconds == 0 {
        bail!("--rate and --seconds must be at least 1");
    }
    let total = u64::from(args.rate) * args.seconds;
    if total > 60_000_000 {
        bail!("at most 60,000,000 leads per backend (one distinct phone number each)");
    }
    let defaults = Config::default();
    let poll_ms = args.job_poll_ms.unwrap_or(defaults.jobs_poll_interval_ms);
    println!(
        "frontdesk bench speed-to-lead: {total} hot leads per backend, {} per second for {} s, through \
         POST /api/v1/leads; latency from the 201 reaching the client to the call request reaching a mock \
         VAPI (loopback)",
        args.rate, args.seconds
    );
    println!(
        "server: web and {} job workers in one process, job poll interval {poll_ms} ms; quiet hours off, \
         so calls are placed at once whatever the time of day",
        defaults.jobs_workers
    );
    let mut rows = Vec::new();
    for backend in args.backend.names() {
        rows.push((backend, run_backend(backend, &args, poll_ms).await?));
    }
    println!();
    println!(
        "{:<10} {:>7} {:>8} {:>8} {:>8} {:>7}",
        "backend", "leads", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for (backend, r) in &rows {
        println!(
            "{:<10} {:>7} {:>8} {:>8} {:>8} {:>7}",
            backend,
            r.leads,
            ms(r.latency.p50),
            ms(r.latency.p99),
            ms(r.latency.max),
            r.errors()
        );
    }
    for (backend, r) in &rows {
        let mut notes = vec![format!(
            "POST /api/v1/leads answered in p50 {} / p99 {} ms",
            ms(r.intake.p50),
            ms(r.intake.p99)
        )];
        if r.early > 0 {
            notes.push(format!("{} calls arrived before their 201 (counted as 0 ms)", r.early));
        }
        if r.duplicates > 0 {
            notes.push(format!("{} numbers were called more than once", r.duplicates));
        }
        if r.rejected > 0 {
            notes.push(format!("{} leads not answered 201", r.rejected));
        }
        if r.uncalled > 0 {
            notes.push(format!(
                "{} accepted leads never called within {} s",
                r.uncalled,
                CALL_WAIT.as_secs()
            ));
        }
        println!("{backend}: {}", notes.join("; "));
    }
    let missed: Vec<String> = rows
        .iter()
        .filter(|(_, r)| r.latency.p99 >= TARGET_P99)
        .map(|(backend, r)| format!("{backend} {} ms", ms(r.latency.p99)))
        .collect();
    if missed.is_empty() {
        println!("target: p99 under 1 s: met");
    } else {
        println!("target: p99 under 1 s: MISSED ({})", missed.join(", "));
    }
    let errors: usize = rows.iter().map(|(_, r)| r.errors()).sum();
    if errors > 0 {
        let first = rows.iter().find_map(|(b, r)| r.first_error.as_ref().map(|e| format!("{b}: {e}")));
        bail!(
            "{errors} leads were refused or never called (first refusal: {})",
            first.unwrap_or_else(|| "none".into())
        );
    }
    Ok(())
}

/// One backend's figures.
struct Run {
    leads: usize,
    /// 201 received to call request received, for the leads that were called.
    latency: Latency,
    /// Request sent to 201 received.
    intake: Latency,
    /// Calls that reached the mock before the client had the 201.
    early: usize,
    /// Call requests beyond the first for a number.
    duplicates: usize,
    /// Leads answered with anything but 201, or not answered.
    rejected: usize,
    /// Leads answered 201 whose call never arrived.
    uncalled: usize,
    first_error: Option<String>,
}

impl Run {
    fn errors(&self) -> usize {
        self.rejected + self.uncalled
    }
}

async fn run_backend(backend: &str, args: &SpeedToLeadBenchArgs, poll_ms: u64) -> anyhow::Result<Run> {
    let (store, _scratch) = fresh_store(backend, &args.postgres_url, 16).await?;
    let vapi = MockVapi::start().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    // No rate limit: 50 leads a second from one address would trip it.
    let config = Config {
        rate_limit_enabled: false,
        public_url: Some(base.clone()),
        jobs_poll_interval_ms: poll_ms,
        // The mock VAPI listens on 127.0.0.1.
        allow_private_network: true,
        ..Config::default()
    };
    let app = App::new(config, store, Arc::new(SystemClock), JobRegistry::new());
    let key = seed(&app.ctx, &vapi.url).await?;
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(app.serve(listener, Role::All, shutdown.clone()));
    let measured = measure(&base, &key, args, backend, &vapi.received).await;
    shutdown.cancel();
    server.await??;
    vapi.stop().await?;
    measured
}

/// A clinic with one location, one practitioner and the high-value service "Implante";
/// VAPI pointed at the mock and quiet hours off. Returns an API key.
async fn seed(ctx: &Ctx, vapi_url: &str) -> anyhow::Result<String> {
    let tenant = tenants::create_tenant(ctx, &NewTenant::parse("bench", "Clínica Bench", ZONE, "pt-BR")?)
        .await
        .context("creating the bench tenant")?
        .id;
    let location = scheduling::create_location(
        ctx,
        Location {
            id: LocationId::new(),
            tenant_id: tenant,
            name: "Unidade Centro".into(),
            address: None,
            timezone: TimeZoneName::parse(ZONE)?,
        },
    )
    .await?;
    scheduling::create_practitioner(
        ctx,
        Practitioner {
            id: PractitionerId::new(),
            tenant_id: tenant,
            name: "Dra. Ana Lima".into(),
            department: "Odontologia".into(),
            location_ids: vec![location.id],
            active: true,
        },
    )
    .await?;
    scheduling::create_service(
        ctx,
        Service {
            id: ServiceId::new(),
            tenant_id: tenant,
            name: "Implante".into(),
            department: "Odontologia".into(),
            duration_minutes: 60,
            price_cents: Some(450_000),
        },
    )
    .await?;
    let patch = json!({
        "leads": {"scoring": {"high_value_services": ["Implante"]}},
        "messaging": {"quiet_hours": {"start": "00:00", "end": "00:00", "days_off": []}},
        "voice": {"provider": "vapi", "vapi": {"base_url": vapi_url, "api_key": "k", "assistant_id": "a",
            "phone_number_id": "p", "server_secret": "s"}},
    });
    frontdesk_engine::settings::apply_patch(ctx, tenant, &patch, None)
        .await
        .context("configuring the bench tenant")?;
    let (_, secret) = access::issue_api_key(ctx, tenant, "bench").await?;
    Ok(secret.expose().to_owned())
}

/// What one lead request saw.
struct Sent {
    phone: String,
    started: Instant,
    /// When the 201 arrived, or why there was none.
    accepted: Result<Instant, String>,
}

/// Posts `rate x seconds` hot leads on a fixed schedule (each request in its own task, so
/// a slow answer does not delay the next lead), waits for their calls, and pairs them up.
async fn measure(
    base: &str,
    key: &str,
    args: &SpeedToLeadBenchArgs,
    label: &str,
    received: &Received,
) -> anyhow::Result<Run> {
    let total = u64::from(args.rate) * args.seconds;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let url = format!("{base}/api/v1/leads");
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate)));
    let bar = progress_bar(total, format!("{label} leads"));
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..total {
        ticks.tick().await;
        let (http, url, key, bar) = (http.clone(), url.clone(), key.to_owned(), bar.clone());
        requests.spawn(async move {
            let phone = format!("+55119{:08}", 30_000_000 + n);
            let body = json!({"phone": phone, "name": "Paciente Bench", "source": "paid_ads",
                "service_interest": "Implante"});
            let started = Instant::now();
            let accepted = match http.post(&url).header("X-API-KEY", key).json(&body).send().await {
                Ok(r) if r.status() == reqwest::StatusCode::CREATED => Ok(Instant::now()),
                Ok(r) => {
                    let status = r.status();
                    let text = r.text().await.unwrap_or_default();
                    Err(format!("{status}: {}", text.chars().take(200).collect::<String>()))
                }
                Err(e) => Err(e.to_string()),
            };
            bar.inc(1);
            Sent { phone, started, accepted }
        });
    }
    let mut sent = Vec::with_capacity(total as usize);
    while let Some(done) = requests.join_next().await {
        sent.push(done?);
    }
    bar.finish_and_clear();

    let deadline = Instant::now() + CALL_WAIT;
    let calls = loop {
        let calls = received.calls.lock().map_err(|_| anyhow::anyhow!("mock VAPI state poisoned"))?.clone();
        let waiting = sent.iter().any(|s| s.accepted.is_ok() && !calls.contains_key(&s.phone));
        if !waiting || Instant::now() >= deadline {
            break calls;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    let (mut latencies, mut intake) = (Vec::new(), Vec::new());
    let (mut early, mut rejected, mut uncalled, mut first_error) = (0, 0, 0, None);
    for s in &sent {
        let answered = match &s.accepted {
            Ok(at) => *at,
            Err(e) => {
                rejected += 1;
                first_error.get_or_insert_with(|| e.clone());
                continue;
            }
        };
        intake.push(answered - s.started);
        match calls.get(&s.phone) {
            Some(called) => {
                let waited = called.checked_duration_since(answered);
                early += usize::from(waited.is_none());
                latencies.push(waited.unwrap_or_default());
            }
            None => uncalled += 1,
        }
    }
    Ok(Run {
        leads: sent.len(),
        latency: Latency::of(latencies),
        intake: Latency::of(intake),
        early,
        duplicates: received.duplicates.load(Ordering::Relaxed),
        rejected,
        uncalled,
        first_error,
    })
}

/// What the mock VAPI saw: when the first call request for each number arrived.
#[derive(Clone, Default)]
struct Received {
    calls: Arc<Mutex<HashMap<String, Instant>>>,
    duplicates: Arc<AtomicUsize>,
}

/// `POST /call` on loopback, answered at once with a new call id as VAPI does.
struct MockVapi {
    url: String,
    received: Received,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl MockVapi {
    async fn start() -> anyhow::Result<Self> {
        let received = Received::default();
        let router =
            axum::Router::new().route("/call", axum::routing::post(create_call)).with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await
        });
        Ok(Self { url, received, stop, task })
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.stop.cancel();
        self.task.await?.context("mock VAPI server failed")
    }
}

async fn create_call(State(received): State<Received>, body: axum::body::Bytes) -> (StatusCode, Json<Value>) {
    let at = Instant::now();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(number) = body["customer"]["number"].as_str() else {
        let error = json!({"message": "customer.number is missing", "statusCode": 400});
        return (StatusCode::BAD_REQUEST, Json(error));
    };
    // The first request for a number is the one that counts; a repeat is a duplicate call.
    let first = match received.calls.lock() {
        Ok(mut calls) => match calls.entry(number.to_owned()) {
            Entry::Vacant(v) => {
                v.insert(at);
                true
            }
            Entry::Occupied(_) => false,
        },
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": "poisoned"}))),
    };
    if !first {
        received.duplicates.fetch_add(1, Ordering::Relaxed);
    }
    (StatusCode::CREATED, Json(json!({"id": uuid::Uuid::now_v7().to_string(), "status": "queued"})))
}
