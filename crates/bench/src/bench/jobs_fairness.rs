//! The fairness line of `frontdesk-bench jobs`: one tenant's campaign backlog is queued,
//! then another tenant's reminder falls due; how long the reminder waits, and how much of
//! the backlog ran before it. Round-robin claims bound the wait by one claim batch per
//! busy tenant, not by the backlog's depth.

use frontdesk_domain::SystemClock;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::Ctx;
use frontdesk_engine::jobs::{FnHandler, JobRegistry, JobRunner, RunnerConfig};
use frontdesk_store::DynStore;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub struct FairnessFigures {
    /// From the reminder falling due (the backlog already queued) to its handler running.
    pub reminder_wait: Duration,
    /// Backlog jobs that ran between the reminder falling due and running.
    pub backlog_ahead: u64,
}

/// Queues `backlog` no-op jobs for one tenant, then one due reminder for another, and runs
/// them with the real runner.
pub async fn measure(
    store: DynStore,
    backlog: usize,
    workers: usize,
    batch: u32,
) -> anyhow::Result<FairnessFigures> {
    let ctx = Ctx::new(store.clone(), Arc::new(SystemClock));
    let now = ctx.clock.now();
    let campaign = store.create_tenant(&NewTenant::parse("campaign", "Campaign", "UTC", "en")?, now).await?;
    let clinic = store.create_tenant(&NewTenant::parse("clinic", "Clinic", "UTC", "en")?, now).await?;
    let jobs: Vec<NewJob> = (0..backlog)
        .map(|i| NewJob::new(campaign.id, "bench.campaign", serde_json::json!({"n": i}), now))
        .collect();
    for chunk in jobs.chunks(2_000) {
        store.enqueue_many(chunk, now).await?;
    }
    let ran = Arc::new(AtomicU64::new(0));
    let reminded: Arc<Mutex<Option<(Instant, u64)>>> = Arc::default();
    let mut registry = JobRegistry::new();
    let counter = ran.clone();
    registry.register(
        "bench.campaign",
        FnHandler(move |_job| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        }),
    );
    let (seen, ahead) = (reminded.clone(), ran.clone());
    registry.register(
        "bench.reminder",
        FnHandler(move |_job| {
            let (seen, ahead) = (seen.clone(), ahead.clone());
            async move {
                *seen.lock().unwrap() = Some((Instant::now(), ahead.load(Ordering::Relaxed)));
                Ok(())
            }
        }),
    );
    let config =
        RunnerConfig { workers, batch, poll_interval: Duration::from_millis(50), ..RunnerConfig::default() };
    let runner = Arc::new(JobRunner::new(ctx.clone(), registry, config));
    let stop = CancellationToken::new();
    let mut set = runner.spawn(stop.clone());
    // Let the backlog get going, then the reminder falls due behind it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let due = Instant::now();
    let ran_before_due = ran.load(Ordering::Relaxed);
    let at = ctx.clock.now();
    store.enqueue(&NewJob::new(clinic.id, "bench.reminder", serde_json::json!({}), at), at).await?;
    let figures = loop {
        if let Some((when, ahead)) = *reminded.lock().unwrap() {
            break FairnessFigures { reminder_wait: when - due, backlog_ahead: ahead - ran_before_due };
        }
        anyhow::ensure!(due.elapsed() < Duration::from_secs(120), "the reminder never ran");
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    stop.cancel();
    while set.join_next().await.is_some() {}
    Ok(figures)
}
