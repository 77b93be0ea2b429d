//! `frontdesk bench jobs`: job-queue throughput on SQLite and PostgreSQL.

use super::{Backends, DEFAULT_POSTGRES_URL, fresh_store, median, progress_bar};
use frontdesk_domain::SystemClock;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::Ctx;
use frontdesk_engine::jobs::{FnHandler, JobRegistry, JobRunner, RunnerConfig};
use frontdesk_store::DynStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct JobsBenchArgs {
    /// Jobs per run.
    #[arg(long, default_value_t = 20_000)]
    pub jobs: usize,
    /// Concurrent workers (and concurrent enqueuers).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Jobs per transaction in the batched-enqueue phase (how a campaign or a fact's
    /// reactions enqueue).
    #[arg(long, default_value_t = 100)]
    pub enqueue_batch: usize,
    /// Jobs claimed per round trip.
    #[arg(long, default_value_t = 32)]
    pub batch: u32,
    /// Repetitions per backend; the median is reported.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    /// PostgreSQL server to use (a throwaway schema is created in it).
    #[arg(
        long,
        env = "FRONTDESK_BENCH_POSTGRES_URL",
        default_value = DEFAULT_POSTGRES_URL
    )]
    pub postgres_url: String,
    /// One tenant's backlog for the fairness line (another tenant's reminder waits behind it).
    #[arg(long, default_value_t = 50_000)]
    pub backlog: usize,
}

struct Figures {
    enqueue_per_sec: f64,
    batched_enqueue_per_sec: f64,
    complete_per_sec: f64,
}

pub async fn jobs(args: JobsBenchArgs) -> anyhow::Result<()> {
    println!(
        "frontdesk bench jobs: {} jobs enqueued one per transaction and {} in batches of {}, then run by {} workers claiming {} at a time; {} runs (median), no-op handler",
        args.jobs, args.jobs, args.enqueue_batch, args.workers, args.batch, args.runs
    );
    println!(
        "{:<10} {:>18} {:>24} {:>28}",
        "backend", "enqueue jobs/s", "batched enqueue jobs/s", "claim-run-complete jobs/s"
    );
    for backend in args.backend.names() {
        let mut runs = Vec::new();
        for _ in 0..args.runs {
            let connections = (args.workers as u32) * 2 + 4;
            // The guard keeps the SQLite directory until the run is over.
            let (store, _scratch) = fresh_store(backend, &args.postgres_url, connections).await?;
            runs.push(run_once(store, &args).await?);
        }
        let median_of = |f: fn(&Figures) -> f64| median(runs.iter().map(f).collect());
        println!(
            "{:<10} {:>18.0} {:>24.0} {:>28.0}",
            backend,
            median_of(|f| f.enqueue_per_sec),
            median_of(|f| f.batched_enqueue_per_sec),
            median_of(|f| f.complete_per_sec)
        );
    }
    println!(
        "fairness: tenant B's due reminder behind tenant A's {} queued jobs ({} workers, batch {})",
        args.backlog, args.workers, args.batch
    );
    for backend in args.backend.names() {
        let connections = (args.workers as u32) * 2 + 4;
        let (store, _scratch) = fresh_store(backend, &args.postgres_url, connections).await?;
        let f = super::jobs_fairness::measure(store, args.backlog, args.workers, args.batch).await?;
        println!(
            "{:<10} B waited {:.1} ms; {} of A's {} jobs ran meanwhile",
            backend,
            f.reminder_wait.as_secs_f64() * 1000.0,
            f.backlog_ahead,
            args.backlog
        );
    }
    Ok(())
}

async fn run_once(store: DynStore, args: &JobsBenchArgs) -> anyhow::Result<Figures> {
    let ctx = Ctx::new(store.clone(), Arc::new(SystemClock));
    let tenant =
        store.create_tenant(&NewTenant::parse("bench", "Bench", "UTC", "en")?, ctx.clock.now()).await?;
    let total = args.jobs * 2;
    let bar = progress_bar((total * 2) as u64, store.backend_name());

    // Enqueue: `workers` concurrent producers, one job per transaction.
    let started = Instant::now();
    let per_task = args.jobs.div_ceil(args.workers);
    let mut producers = Vec::new();
    for w in 0..args.workers {
        let (store, bar) = (store.clone(), bar.clone());
        let count = per_task.min(args.jobs.saturating_sub(w * per_task));
        producers.push(tokio::spawn(async move {
            for _ in 0..count {
                let now = jiff::Timestamp::now();
                store.enqueue(&NewJob::new(tenant.id, "bench.noop", serde_json::json!({}), now), now).await?;
                bar.inc(1);
            }
            anyhow::Ok(())
        }));
    }
    for p in producers {
        p.await??;
    }
    let enqueue_secs = started.elapsed().as_secs_f64();

    // Batched enqueue: the same producers, `enqueue_batch` jobs per transaction.
    let started = Instant::now();
    let mut producers = Vec::new();
    for w in 0..args.workers {
        let (store, bar, size) = (store.clone(), bar.clone(), args.enqueue_batch.max(1));
        let count = per_task.min(args.jobs.saturating_sub(w * per_task));
        producers.push(tokio::spawn(async move {
            let mut left = count;
            while left > 0 {
                let n = left.min(size);
                let now = jiff::Timestamp::now();
                let batch: Vec<NewJob> = (0..n)
                    .map(|_| NewJob::new(tenant.id, "bench.noop", serde_json::json!({}), now))
                    .collect();
                store.enqueue_many(&batch, now).await?;
                bar.inc(n as u64);
                left -= n;
            }
            anyhow::Ok(())
        }));
    }
    for p in producers {
        p.await??;
    }
    let batched_secs = started.elapsed().as_secs_f64();

    // Claim-run-complete with the real runner and a no-op handler. Progress is counted in
    // the handler: asking the database for the queue depth every few ms (a count over
    // every live job, ~20 ms with 40k queued) took a large share of a small machine's CPU
    // away from the workers. The database is asked only once every job has run, until
    // it reports the queue empty (the last completions).
    let ran = Arc::new(AtomicU64::new(0));
    let counter = ran.clone();
    let mut registry = JobRegistry::new();
    registry.register(
        "bench.noop",
        FnHandler(move |_job| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        }),
    );
    let config = RunnerConfig {
        workers: args.workers,
        batch: args.batch,
        poll_interval: Duration::from_millis(50),
        ..RunnerConfig::default()
    };
    let runner = Arc::new(JobRunner::new(ctx.clone(), registry, config));
    let stop = CancellationToken::new();
    let started = Instant::now();
    let mut workers = runner.spawn(stop.clone());
    let mut shown = 0;
    loop {
        let now = ran.load(Ordering::Relaxed);
        bar.inc(now - shown);
        shown = now;
        if now >= total as u64 && store.queue_stats(jiff::Timestamp::now()).await?.depth == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let run_secs = started.elapsed().as_secs_f64();
    stop.cancel();
    while workers.join_next().await.is_some() {}
    bar.finish_and_clear();
    Ok(Figures {
        enqueue_per_sec: args.jobs as f64 / enqueue_secs,
        batched_enqueue_per_sec: args.jobs as f64 / batched_secs,
        complete_per_sec: total as f64 / run_secs,
    })
}
