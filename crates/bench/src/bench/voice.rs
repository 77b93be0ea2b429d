//! `frontdesk bench voice`: VAPI `tool-calls` server URL requests against the real server,
//! as an assistant on a phone call sends them: `find_slots`, then `book_appointment` with
//! a slot it offered, from a handful of concurrent calls, on SQLite and PostgreSQL.
//!
//! The caller waits in silence while the server answers, so what matters is the latency
//! of each tool, not throughput. Every booking changes the calendar, so the `find_slots`
//! of the next call usually rebuilds the calendar snapshot instead of reusing it: the
//! case a clinic taking bookings by phone lives in.

use super::search_seed::{self, Clinic, DAYS, Shape, ZONE};
use super::{Backends, DEFAULT_POSTGRES_URL, Latency, fresh_store, ms, progress_bar};
use anyhow::{Context, bail};
use frontdesk_domain::SystemClock;
use frontdesk_domain::tenant::TimeZoneName;
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_providers::vapi::SECRET_HEADER;
use frontdesk_server::{App, Config, Role};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct VoiceBenchArgs {
    /// `find_slots` requests per backend, and as many `book_appointment` requests.
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
    /// Calls in progress at once, each one client sending its tool calls in turn.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Practitioners of the seeded clinic (one department, two locations).
    #[arg(long, default_value_t = 20)]
    pub practitioners: usize,
    /// Appointments booked in the next two weeks before measuring.
    #[arg(long, default_value_t = 400)]
    pub appointments: usize,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    /// PostgreSQL server to use (a throwaway schema is created in it).
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
}

const SECRET: &str = "bench-secret";
/// Untimed calls (a `find_slots` and a `book_appointment` each) per client before the
/// clock starts: connection setup and first-use costs are not what a call pays.
const WARM_UP_PER_CLIENT: usize = 3;
/// What an assistant waiting on a tool can afford before the caller hears the silence.
const TARGET_P99: Duration = Duration::from_millis(50);

const FIRST_NAMES: [&str; 8] = ["Maria", "João", "Ana", "Pedro", "Juliana", "Carlos", "Fernanda", "Lucas"];
const SURNAMES: [&str; 6] = ["Souza", "Silva", "Oliveira", "Santos", "Pereira", "Costa"];

pub async fn voice(args: VoiceBenchArgs) -> anyhow::Result<()> {
    if args.requests == 0 || args.concurrency == 0 || args.practitioners == 0 {
        bail!("--requests, --concurrency and --practitioners must be at least 1");
    }
    println!(
        "frontdesk bench voice: VAPI tool-calls over HTTP, {} find_slots + {} book_appointment \
         from {} concurrent calls; {} practitioners x {DAYS} days, {} appointments seeded",
        args.requests, args.requests, args.concurrency, args.practitioners, args.appointments
    );
    let mut rows = Vec::new();
    let mut seeded = Vec::new();
    for backend in args.backend.names() {
        let run = run_backend(backend, &args).await?;
        seeded.push((backend, run.seeded));
        rows.push((backend, "find_slots", run.find));
        rows.push((backend, "book_appointment", run.book));
    }
    println!();
    for (backend, b) in &seeded {
        println!(
            "{backend}: {} appointments seeded ({} skipped), {:.0}% of working time booked",
            b.inserted,
            b.skipped,
            b.fill * 100.0
        );
    }
    println!(
        "{:<10} {:<18} {:>8} {:>8} {:>8} {:>8} {:>10} {:>7}",
        "backend", "tool", "requests", "p50 ms", "p99 ms", "max ms", "slot_taken", "errors"
    );
    for (backend, tool, t) in &rows {
        println!(
            "{:<10} {:<18} {:>8} {:>8} {:>8} {:>8} {:>10} {:>7}",
            backend,
            tool,
            t.latency.count,
            ms(t.latency.p50),
            ms(t.latency.p99),
            ms(t.latency.max),
            t.slot_taken,
            t.errors
        );
    }
    let missed: Vec<String> = rows
        .iter()
        .filter(|(_, _, t)| t.latency.p99 >= TARGET_P99)
        .map(|(backend, tool, t)| format!("{backend} {tool} {} ms", ms(t.latency.p99)))
        .collect();
    if missed.is_empty() {
        println!("target: p99 under {} ms: met", TARGET_P99.as_millis());
    } else {
        println!("target: p99 under {} ms: MISSED ({})", TARGET_P99.as_millis(), missed.join(", "));
    }
    let errors: usize = rows.iter().map(|(_, _, t)| t.errors).sum();
    if errors > 0 {
        let first =
            rows.iter().find_map(|(b, tool, t)| t.first_error.as_ref().map(|e| format!("{b} {tool}: {e}")));
        bail!(
            "{errors} tool calls were not answered with 200 and a usable result (first: {})",
            first.unwrap_or_default()
        );
    }
    Ok(())
}

/// One tool's figures on one backend.
struct Tool {
    latency: Latency,
    /// `slot_taken` answers: a concurrent call booked the slot first. Their latency counts.
    slot_taken: usize,
    /// Not a 200 with a `results` array, or a tool error other than `slot_taken`, or a
    /// `find_slots` that offered nothing to book.
    errors: usize,
    first_error: Option<String>,
}

struct BackendRun {
    seeded: search_seed::Booked,
    find: Tool,
    book: Tool,
}

/// Everything the clients need to build their requests.
struct Plan {
    url: String,
    service: String,
    /// Working days the calls ask for, from tomorrow on.
    days: Vec<Date>,
}

async fn run_backend(backend: &str, args: &VoiceBenchArgs) -> anyhow::Result<BackendRun> {
    let (store, _scratch) = fresh_store(backend, &args.postgres_url, args.concurrency as u32 + 4).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    // No rate limit: it would measure the limiter, not the tools.
    let config = Config { rate_limit_enabled: false, public_url: Some(base.clone()), ..Config::default() };
    let app = App::new(config, store, Arc::new(SystemClock), JobRegistry::new());
    let today = app.ctx.clock.now().to_zoned(TimeZoneName::parse(ZONE)?.time_zone()).date();
    let shape =
        Shape { practitioners: args.practitioners, first_day: today, appointments: args.appointments };
    let clinic = search_seed::seed_shaped(&app.ctx, shape, backend).await?;
    let patch = json!({"voice": {"provider": "vapi", "vapi": {
        "api_key": "k", "assistant_id": "a", "phone_number_id": "p", "server_secret": SECRET}}});
    frontdesk_engine::settings::apply_patch(&app.ctx, clinic.tenant, &patch, None)
        .await
        .context("configuring VAPI for the bench tenant")?;
    let shutdown = CancellationToken::new();
    // Web only: job workers (reminders of the new bookings) would compete for CPU.
    let server = tokio::spawn(app.serve(listener, Role::Web, shutdown.clone()));
    let plan = Arc::new(plan(&clinic, &base, today));
    let measured = measure(plan, args, backend).await;
    shutdown.cancel();
    server.await??;
    let (find, book) = measured?;
    Ok(BackendRun { seeded: clinic.booked, find, book })
}

fn plan(clinic: &Clinic, base: &str, today: Date) -> Plan {
    let days = (1..DAYS)
        .map(|d| today + d.days())
        .filter(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
        .collect();
    Plan { url: format!("{base}/webhooks/vapi/bench"), service: clinic.consultation.id.to_string(), days }
}

/// What one client saw, per tool.
#[derive(Default)]
struct ClientRun {
    find: Vec<Duration>,
    book: Vec<Duration>,
    find_errors: Counted,
    book_errors: Counted,
    slot_taken: usize,
}

#[derive(Default)]
struct Counted {
    count: usize,
    first: Option<String>,
}

impl Counted {
    fn add(&mut self, e: &anyhow::Error) {
        self.count += 1;
        self.first.get_or_insert_with(|| format!("{e:#}"));
    }
}

/// A tool's answer, read from the `results` array.
enum Answer {
    Result(Value),
    SlotTaken,
}

async fn measure(plan: Arc<Plan>, args: &VoiceBenchArgs, label: &str) -> anyhow::Result<(Tool, Tool)> {
    let n = args.requests;
    // Calls are numbered; each client takes the next number, so a slow call does not
    // hold back the others' share. Warm-up calls are numbered after the timed ones.
    let next = Arc::new(AtomicUsize::new(0));
    let go = Arc::new(tokio::sync::Barrier::new(args.concurrency + 1));
    let bar = progress_bar(2 * n as u64, format!("{label} voice"));
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..args.concurrency {
        let (plan, next, go, bar) = (plan.clone(), next.clone(), go.clone(), bar.clone());
        clients.spawn(async move {
            let http = reqwest::Client::new();
            let mut warm = ClientRun::default();
            for k in 0..WARM_UP_PER_CLIENT {
                call(&http, &plan, n + c * WARM_UP_PER_CLIENT + k, &mut warm).await;
            }
            go.wait().await;
            let mut run = ClientRun::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                call(&http, &plan, i, &mut run).await;
                bar.inc(2);
            }
            // A warm-up that failed is as wrong as a timed call that failed.
            run.find_errors.count += warm.find_errors.count;
            run.find_errors.first = run.find_errors.first.or(warm.find_errors.first);
            run.book_errors.count += warm.book_errors.count;
            run.book_errors.first = run.book_errors.first.or(warm.book_errors.first);
            run
        });
    }
    go.wait().await;
    let mut total = ClientRun::default();
    while let Some(done) = clients.join_next().await {
        let run = done?;
        total.find.extend(run.find);
        total.book.extend(run.book);
        total.find_errors.count += run.find_errors.count;
        total.find_errors.first = total.find_errors.first.or(run.find_errors.first);
        total.book_errors.count += run.book_errors.count;
        total.book_errors.first = total.book_errors.first.or(run.book_errors.first);
        total.slot_taken += run.slot_taken;
    }
    bar.finish_and_clear();
    let find = Tool {
        latency: Latency::of(total.find),
        slot_taken: 0,
        errors: total.find_errors.count,
        first_error: total.find_errors.first,
    };
    let book = Tool {
        latency: Latency::of(total.book),
        slot_taken: total.slot_taken,
        errors: total.book_errors.count,
        first_error: total.book_errors.first,
    };
    Ok((find, book))
}

/// Call `i`: a new caller asks for a day and a part of it, and books the first slot
/// offered. Consecutive calls ask for different days, so concurrent calls rarely want the
/// same slot.
async fn call(http: &reqwest::Client, plan: &Plan, i: usize, run: &mut ClientRun) {
    let call_id = format!("bench-call-{i}");
    let caller = format!("+55119{:08}", 40_000_000 + i);
    let day = plan.days[i % plan.days.len()];
    let period = if (i / plan.days.len()).is_multiple_of(2) { "manhã" } else { "tarde" };
    let find_args =
        json!({"service_id": plan.service, "preferred_day": day.to_string(), "preferred_time": period});
    let started = Instant::now();
    let answer =
        post(http, &plan.url, &body(&call_id, &caller, &format!("fs-{i}"), "find_slots", find_args)).await;
    run.find.push(started.elapsed());
    let slot = answer.and_then(|a| match a {
        Answer::Result(v) => v["slots"]
            .get(0)
            .and_then(|s| s["slot_id"].as_str())
            .map(str::to_owned)
            .with_context(|| format!("find_slots offered no slot for {day} {period}")),
        Answer::SlotTaken => bail!("find_slots answered slot_taken"),
    });
    let slot = match slot {
        Ok(slot) => slot,
        Err(e) => return run.find_errors.add(&e),
    };
    let name = format!(
        "{} {}",
        FIRST_NAMES[i % FIRST_NAMES.len()],
        SURNAMES[(i / FIRST_NAMES.len()) % SURNAMES.len()]
    );
    let book_args = json!({"slot_id": slot, "name": name});
    let started = Instant::now();
    let answer =
        post(http, &plan.url, &body(&call_id, &caller, &format!("ba-{i}"), "book_appointment", book_args))
            .await;
    run.book.push(started.elapsed());
    match answer {
        Ok(Answer::Result(v)) if v["appointment"]["appointment_id"].is_string() => {}
        Ok(Answer::Result(v)) => run.book_errors.add(&anyhow::anyhow!("no appointment in {v}")),
        Ok(Answer::SlotTaken) => run.slot_taken += 1,
        Err(e) => run.book_errors.add(&e),
    }
}

/// A `tool-calls` server URL message with one call, as VAPI sends it.
fn body(call_id: &str, caller: &str, tool_call_id: &str, name: &str, arguments: Value) -> Vec<u8> {
    let message = json!({"message": {
        "type": "tool-calls",
        "call": {"id": call_id},
        "customer": {"number": caller},
        "toolCallList": [{"id": tool_call_id, "type": "function",
                          "function": {"name": name, "arguments": arguments}}],
    }});
    message.to_string().into_bytes()
}

/// One request, timed by the caller until the whole answer is read. Anything but a 200
/// with one result (or a `slot_taken` error) for this tool call is an error.
async fn post(http: &reqwest::Client, url: &str, body: &[u8]) -> anyhow::Result<Answer> {
    let response = http
        .post(url)
        .header(SECRET_HEADER, SECRET)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if status != reqwest::StatusCode::OK {
        bail!("{status}: {}", text.chars().take(200).collect::<String>());
    }
    let json: Value = serde_json::from_str(&text).context("the answer is not JSON")?;
    let Some([item]) = json["results"].as_array().map(Vec::as_slice) else {
        bail!("no single-item results array in {}", text.chars().take(200).collect::<String>());
    };
    if let Some(error) = item["error"].as_str() {
        let error: Value = serde_json::from_str(error).unwrap_or(Value::Null);
        if error["code"] == "slot_taken" {
            return Ok(Answer::SlotTaken);
        }
        bail!("tool error {error}");
    }
    let result = item["result"].as_str().context("a result item without result or error")?;
    Ok(Answer::Result(serde_json::from_str(result).context("the result is not a JSON string")?))
}
