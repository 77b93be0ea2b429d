//! `frontdesk bench webhooks`: signed Twilio inbound webhooks against the real server, each
//! answered only after the event and its processing job are committed, beside the raw
//! single-row insert rate of the same PostgreSQL (pgbench), since that commit is the floor.

use super::{Backends, DEFAULT_POSTGRES_URL, Latency, fresh_store, ms};
use crate::{App, Config, Role};
use anyhow::Context;
use frontdesk_domain::SystemClock;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_providers::twilio::compute_signature;
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
}

const TOKEN: &str = "bench-auth-token";
const ACCOUNT: &str = "ACbenchbenchbenchbenchbenchbenchbe";

pub async fn webhooks(args: WebhooksBenchArgs) -> anyhow::Result<()> {
    println!(
        "frontdesk bench webhooks: signed Twilio inbound messages, {} connections, {} s per backend",
        args.concurrency, args.seconds
    );
    println!("{:<10} {:>10} {:>10} {:>10} {:>8}", "backend", "req/s", "p50 ms", "p99 ms", "errors");
    let mut pg_rate = None;
    for backend in args.backend.names() {
        let (store, _dir) = fresh_store(backend, &args.postgres_url, 32).await?;
        let (rate, latency, errors) = run(store, &args).await?;
        println!(
            "{:<10} {:>10.0} {:>10} {:>10} {:>8}",
            backend,
            rate,
            ms(latency.p50),
            ms(latency.p99),
            errors
        );
        if backend == "postgres" {
            pg_rate = Some(rate);
        }
        anyhow::ensure!(errors == 0, "{errors} webhooks were not acknowledged with 200");
    }
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

async fn run(
    store: frontdesk_store::DynStore,
    args: &WebhooksBenchArgs,
) -> anyhow::Result<(f64, Latency, usize)> {
    let clock = Arc::new(SystemClock);
    let tenant = store
        .create_tenant(
            &NewTenant::parse("bench", "Bench", "America/Sao_Paulo", "pt-BR")?,
            jiff::Timestamp::now(),
        )
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let config = Config { rate_limit_enabled: false, public_url: Some(base.clone()), ..Config::default() };
    let app = App::new(config, store, clock, JobRegistry::new());
    let patch = serde_json::json!({"messaging": {"whatsapp_provider": "twilio", "twilio": {
        "account_sid": ACCOUNT, "auth_token": TOKEN, "whatsapp_from": "+14155238886"}}});
    frontdesk_engine::settings::apply_patch(&app.ctx, tenant.id, &patch).await?;
    let shutdown = CancellationToken::new();
    // Web only: acknowledging is the measured path; processing jobs wait in the queue.
    let server = tokio::spawn(app.serve(listener, Role::Web, shutdown.clone()));
    let url = format!("{base}/webhooks/twilio/bench/messages");
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut clients = tokio::task::JoinSet::new();
    let started = Instant::now();
    for c in 0..args.concurrency {
        let url = url.clone();
        clients.spawn(async move {
            let http = reqwest::Client::new();
            let (mut samples, mut errors) = (Vec::new(), 0usize);
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let sid = format!("SM{c:04}{n:012}");
                // Different patients, so the work resembles a clinic's inbox, not one chat.
                let from = format!("whatsapp:+55119{:08}", (c as u64 * 1_000_003 + n) % 100_000_000);
                let params = [
                    ("MessageSid", sid.as_str()),
                    ("AccountSid", ACCOUNT),
                    ("From", from.as_str()),
                    ("To", "whatsapp:+14155238886"),
                    ("Body", "Oi, quero marcar uma consulta"),
                    ("NumMedia", "0"),
                ];
                let signature = compute_signature(
                    TOKEN,
                    &url,
                    params.iter().map(|(k, v)| (k.to_string(), v.to_string())),
                );
                let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
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
    shutdown.cancel();
    server.await??;
    let ok = samples.len() - errors;
    Ok((ok as f64 / elapsed, Latency::of(samples), errors))
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
