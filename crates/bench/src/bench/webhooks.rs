//! `frontdesk bench webhooks`: signed Twilio inbound webhooks against the real server, each
//! answered only after the event and its processing job are committed, beside the raw
//! single-row insert rate of the same PostgreSQL (pgbench), since that commit is the floor.

use super::{Backends, DEFAULT_POSTGRES_URL, Latency, fresh_store, ms};
use anyhow::Context;
use frontdesk_domain::SystemClock;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_providers::twilio::compute_signature;
use frontdesk_server::{App, Config, Role};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct WebhooksBenchArgs {
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds of load per backend.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
    /// The load generator. `wrk` (Debian package `wrk`) replays pre-signed requests from a
    /// separate process and costs the server little CPU; `builtin` is an in-process
    /// reqwest client that needs nothing installed but takes a share of the same cores.
    /// Default: wrk when it is on PATH.
    #[arg(long, value_enum)]
    pub client: Option<LoadClient>,
    /// The server's log lines, as a clinic runs it: `json` at info level (one line per
    /// request), or `off` to see what logging costs.
    #[arg(long, value_enum, default_value_t = BenchLogs::Json)]
    pub logs: BenchLogs,
    /// How log lines are written: `background` (a writer thread, as the `frontdesk` binary
    /// does) or `inline` (on the request's own thread, as before).
    #[arg(long, value_enum, default_value_t = LogWriter::Background)]
    pub log_writer: LogWriter,
    /// Where log lines go (default: a scratch file, removed afterwards).
    #[arg(long)]
    pub log_file: Option<std::path::PathBuf>,
    /// Rate limits during the run, with a webhook limit no run reaches, to see what
    /// limiting costs: `off`, `local` (each process counts alone) or `shared` (counts
    /// flushed to the database every 250 ms, as a clinic runs it).
    #[arg(long, value_enum, default_value_t = RateLimits::Off)]
    pub rate_limits: RateLimits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimits {
    Off,
    Local,
    Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchLogs {
    Json,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogWriter {
    Background,
    Inline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadClient {
    Wrk,
    Builtin,
}

const TOKEN: &str = "bench-auth-token";
const ACCOUNT: &str = "ACbenchbenchbenchbenchbenchbenchbe";

pub async fn webhooks(args: WebhooksBenchArgs) -> anyhow::Result<()> {
    let client = args.client.unwrap_or(if wrk_available() { LoadClient::Wrk } else { LoadClient::Builtin });
    println!(
        "frontdesk bench webhooks: signed Twilio inbound messages, {} connections, {} s per backend, load from {}",
        args.concurrency,
        args.seconds,
        match client {
            LoadClient::Wrk => "wrk (a separate process)",
            LoadClient::Builtin => "the built-in client (same process)",
        }
    );
    let logs = Logs::install(&args)?;
    println!("rate limits: {:?}", args.rate_limits);
    println!("{:<10} {:>10} {:>10} {:>10} {:>8}", "backend", "req/s", "p50 ms", "p99 ms", "errors");
    let mut pg_rate = None;
    for backend in args.backend.names() {
        let (store, _dir) = fresh_store(backend, &args.postgres_url, 32).await?;
        let server = BenchServer::start(store, args.rate_limits).await?;
        let (rate, p50, p99, errors) = match client {
            LoadClient::Wrk => run_wrk(&server, &args)?,
            LoadClient::Builtin => {
                let (rate, latency, errors) = run_builtin(&server.url, &args).await?;
                (rate, ms(latency.p50), ms(latency.p99), errors)
            }
        };
        server.stop().await?;
        println!("{:<10} {:>10.0} {:>10} {:>10} {:>8}", backend, rate, p50, p99, errors);
        if backend == "postgres" {
            pg_rate = Some(rate);
        }
        anyhow::ensure!(errors == 0, "{errors} webhooks were not acknowledged with 200");
    }
    logs.report();
    if let Some(rate) = pg_rate {
        match pgbench_insert_rate(&args) {
            Ok(raw) => println!(
                "pgbench one-row INSERT, {} clients: {raw:.0} tps; webhooks on PostgreSQL reach {:.0}% of it",
                args.concurrency,
                100.0 * rate / raw
            ),
            Err(e) => println!("pgbench not run: {e:#}"),
        }
    }
    Ok(())
}

/// The server's logging for the run: installed once (the subscriber is global), into a
/// file whose size is reported so the figures say what was written.
struct Logs {
    path: Option<std::path::PathBuf>,
    _scratch: Option<super::ScratchDir>,
    _guard: Option<Box<dyn std::any::Any>>,
}

impl Logs {
    fn install(args: &WebhooksBenchArgs) -> anyhow::Result<Self> {
        if args.logs == BenchLogs::Off {
            println!("server logs: off");
            return Ok(Self { path: None, _scratch: None, _guard: None });
        }
        let scratch =
            if args.log_file.is_none() { Some(super::ScratchDir::new("frontdesk-logs")?) } else { None };
        let path = match (&args.log_file, &scratch) {
            (Some(p), _) => p.clone(),
            (None, Some(dir)) => dir.path().join("server.log"),
            (None, None) => unreachable!("a scratch dir exists when no file was given"),
        };
        let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        // The server's default configuration: JSON lines at info level.
        let config = Config::default();
        let guard = match args.log_writer {
            LogWriter::Background => {
                Some(Box::new(frontdesk_server::logging::init_background(&config, file))
                    as Box<dyn std::any::Any>)
            }
            LogWriter::Inline => {
                Some(Box::new(frontdesk_server::logging::init(&config, std::sync::Mutex::new(file))) as _)
            }
        };
        println!("server logs: JSON at info level, {:?} writer, into {}", args.log_writer, path.display());
        Ok(Self { path: Some(path), _scratch: scratch, _guard: guard })
    }

    fn report(&self) {
        if let Some(path) = &self.path {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            println!("server logs written: {:.1} MB", bytes as f64 / 1e6);
        }
    }
}

/// The real server on a loopback port, configured for one Twilio tenant. Web role only:
/// acknowledging is the measured path; processing jobs wait in the queue.
struct BenchServer {
    url: String,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl BenchServer {
    async fn start(store: frontdesk_store::DynStore, limits: RateLimits) -> anyhow::Result<Self> {
        let clock = Arc::new(SystemClock);
        let tenant = store
            .create_tenant(
                &NewTenant::parse("bench", "Bench", "America/Sao_Paulo", "pt-BR")?,
                jiff::Timestamp::now(),
            )
            .await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let config = Config {
            rate_limit_enabled: limits != RateLimits::Off,
            // Every request comes from one address: one key, the most contended case.
            rate_limit_webhook_per_minute: u32::MAX,
            rate_limit_shared: limits == RateLimits::Shared,
            public_url: Some(base.clone()),
            ..Config::default()
        };
        let app = App::new(config, store, clock, JobRegistry::new());
        let patch = serde_json::json!({"messaging": {"whatsapp_provider": "twilio", "twilio": {
            "account_sid": ACCOUNT, "auth_token": TOKEN, "whatsapp_from": "+14155238886"}}});
        frontdesk_engine::settings::apply_patch(&app.ctx, tenant.id, &patch, None).await?;
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(app.serve(listener, Role::Web, shutdown.clone()));
        Ok(Self { url: format!("{base}/webhooks/twilio/bench/messages"), shutdown, task })
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.task.await?
    }
}

/// The `n`th request of connection `c`: a distinct message from one of many patients, so
/// the work resembles a clinic's inbox, not one chat. Returns the form body and signature.
fn signed_request(url: &str, c: u64, n: u64) -> (String, String) {
    let sid = format!("SM{c:04}{n:012}");
    let from = format!("whatsapp:+55119{:08}", (c * 1_000_003 + n) % 100_000_000);
    let params = [
        ("MessageSid", sid.as_str()),
        ("AccountSid", ACCOUNT),
        ("From", from.as_str()),
        ("To", "whatsapp:+14155238886"),
        ("Body", "Oi, quero marcar uma consulta"),
        ("NumMedia", "0"),
    ];
    let signature = compute_signature(TOKEN, url, params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    (form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish(), signature)
}

async fn run_builtin(url: &str, args: &WebhooksBenchArgs) -> anyhow::Result<(f64, Latency, usize)> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut clients = tokio::task::JoinSet::new();
    let started = Instant::now();
    for c in 0..args.concurrency as u64 {
        let url = url.to_owned();
        clients.spawn(async move {
            let http = reqwest::Client::new();
            let (mut samples, mut errors) = (Vec::new(), 0usize);
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let (body, signature) = signed_request(&url, c, n);
                let t = Instant::now();
                let ok = http
                    .post(&url)
                    .header("x-twilio-signature", signature)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status() == reqwest::StatusCode::OK)
                    .unwrap_or(false);
                samples.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (samples, errors)
        });
    }
    let (mut samples, mut errors) = (Vec::new(), 0);
    while let Some(done) = clients.join_next().await {
        let (s, e) = done?;
        samples.extend(s);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = samples.len() - errors;
    Ok((ok as f64 / elapsed, Latency::of(samples), errors))
}

fn wrk_available() -> bool {
    std::process::Command::new("wrk")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// Replays requests signed in advance (wrk cannot compute HMAC-SHA1), each thread its own
/// share so no message repeats, and reports what wrk measured.
const WRK_SCRIPT: &str = r#"
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  bodies, signatures, next_index = {}, {}, 1
  local n = 0
  for line in io.lines(args[1]) do
    if n % tonumber(args[2]) == id then
      local tab = line:find("\t", 1, true)
      table.insert(signatures, line:sub(1, tab - 1))
      table.insert(bodies, line:sub(tab + 1))
    end
    n = n + 1
  end
end
function request()
  local i = next_index
  next_index = (next_index % #bodies) + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                   ["X-Twilio-Signature"] = signatures[i]}, bodies[i])
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
            + summary.errors.write + summary.errors.timeout
  io.write(string.format("FRONTDESK %d %d %f %f %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end
"#;

fn run_wrk(server: &BenchServer, args: &WebhooksBenchArgs) -> anyhow::Result<(f64, String, String, usize)> {
    let dir = super::ScratchDir::new("frontdesk-wrk")?;
    let threads = 2u64;
    // Enough distinct messages for 25,000 requests/s; wrk wraps around after that and the
    // repeats are answered as duplicates.
    let total = 25_000 * args.seconds.max(1);
    let requests = dir.path().join("requests.tsv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&requests)?);
    for i in 0..total {
        let (body, signature) = signed_request(&server.url, i % threads, i);
        use std::io::Write;
        writeln!(out, "{signature}\t{body}")?;
    }
    std::io::Write::flush(&mut out)?;
    drop(out);
    let script = dir.path().join("webhooks.lua");
    std::fs::write(&script, WRK_SCRIPT)?;
    let output = std::process::Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{}", args.concurrency))
        .arg(format!("-d{}s", args.seconds))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(&script)
        .arg(&server.url)
        .arg("--")
        .arg(&requests)
        .arg(threads.to_string())
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().find_map(|l| l.strip_prefix("FRONTDESK ")).with_context(|| {
        format!("wrk printed no summary: {text} {}", String::from_utf8_lossy(&output.stderr))
    })?;
    let f: Vec<f64> = line.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    anyhow::ensure!(f.len() == 5, "unexpected wrk summary {line:?}");
    let (count, micros, p50, p99, errors) = (f[0], f[1], f[2], f[3], f[4] as usize);
    let rate = (count - errors as f64) / (micros / 1e6);
    Ok((rate, format!("{p50:.2}"), format!("{p99:.2}"), errors))
}

/// Runs pgbench with a one-row INSERT script and returns its transactions per second.
fn pgbench_insert_rate(args: &WebhooksBenchArgs) -> anyhow::Result<f64> {
    let dir = std::env::temp_dir().join(format!("frontdesk-pgbench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("insert.sql");
    std::fs::write(&script, "INSERT INTO frontdesk_pgbench_rows (v) VALUES (1);\n")?;
    let psql =
        |sql: &str| std::process::Command::new("psql").arg(&args.postgres_url).args(["-qc", sql]).status();
    psql("CREATE TABLE IF NOT EXISTS frontdesk_pgbench_rows (id BIGSERIAL PRIMARY KEY, v INT)")
        .context("psql")?;
    let out = std::process::Command::new("pgbench")
        .arg("-n")
        .arg("-f")
        .arg(&script)
        .args(["-c", &args.concurrency.to_string(), "-j", "2", "-T", &args.seconds.to_string()])
        .arg(&args.postgres_url)
        .output()
        .context("running pgbench")?;
    let _ = psql("DROP TABLE IF EXISTS frontdesk_pgbench_rows");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("tps = ").and_then(|r| r.split_whitespace().next()).and_then(|v| v.parse().ok())
        })
        .with_context(|| format!("no tps in pgbench output: {}", String::from_utf8_lossy(&out.stderr)))
}
