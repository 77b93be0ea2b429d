//! The durable job runner on both backends, driven by a controllable clock.

use frontdesk_domain::jobs::{JobStatus, NewJob};
use frontdesk_domain::{Clock, JobId, ManualClock, TenantId};
use frontdesk_engine::Ctx;
use frontdesk_engine::jobs::{FnHandler, JobError, JobRegistry, JobRunner, RunnerConfig};
use frontdesk_store::{ClaimRequest, DynStore, Enqueued};
use frontdesk_test_support::{Backend, TestApp, backend_tests, fresh_store};
use jiff::SignedDuration;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

backend_tests!(raw:
    four_workers_run_8000_jobs_exactly_once,
    job_of_dead_worker_is_reclaimed_and_run_once,
    backoff_grows_between_attempts,
    dead_after_max_attempts_then_retry_over_http,
    dedupe_key_makes_second_enqueue_a_noop,
    cancel_by_dedupe_key_stops_the_job,
    delayed_jobs_do_not_run_early,
    shutdown_finishes_current_job_and_releases_the_rest,
    shutdown_releases_the_lease_of_a_job_still_running,
    panicking_handler_is_retried_not_fatal,
    a_stop_between_full_batches_leaves_every_run_job_recorded,
);

/// Counts how often each job ran.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<JobId, usize>>>);

impl Runs {
    fn record(&self, id: JobId) {
        *self.0.lock().unwrap().entry(id).or_default() += 1;
    }
    fn of(&self, id: JobId) -> usize {
        self.0.lock().unwrap().get(&id).copied().unwrap_or(0)
    }
    fn snapshot(&self) -> HashMap<JobId, usize> {
        self.0.lock().unwrap().clone()
    }
}

struct Rig {
    ctx: Ctx,
    clock: ManualClock,
    tenant: TenantId,
    runs: Runs,
    _dir: Option<tempfile::TempDir>,
}

impl Rig {
    async fn new(backend: Backend) -> Self {
        let (store, dir) = fresh_store(backend).await.expect("backend available");
        let clock = ManualClock::new(frontdesk_test_support::start_time());
        let ctx = Ctx::new(store, Arc::new(clock.clone()));
        let new = frontdesk_domain::tenant::NewTenant::parse("jobs", "Jobs", "UTC", "en").unwrap();
        let tenant = ctx.store.create_tenant(&new, clock.now()).await.unwrap().id;
        Self { ctx, clock, tenant, runs: Runs::default(), _dir: dir }
    }

    fn store(&self) -> &DynStore {
        &self.ctx.store
    }

    /// A runner whose `ok` jobs succeed, `fail` jobs fail (retryably), `slow` jobs sleep.
    fn runner(&self, config: RunnerConfig) -> Arc<JobRunner> {
        let mut registry = JobRegistry::new();
        let runs = self.runs.clone();
        registry.register(
            "ok",
            FnHandler(move |job: frontdesk_domain::jobs::Job| {
                let runs = runs.clone();
                async move {
                    runs.record(job.id);
                    Ok(())
                }
            }),
        );
        let runs = self.runs.clone();
        registry.register(
            "fail",
            FnHandler(move |job: frontdesk_domain::jobs::Job| {
                let runs = runs.clone();
                async move {
                    runs.record(job.id);
                    Err(JobError::retryable(format!("attempt {} failed", job.attempts)))
                }
            }),
        );
        let runs = self.runs.clone();
        registry.register(
            "slow",
            FnHandler(move |job: frontdesk_domain::jobs::Job| {
                let runs = runs.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    runs.record(job.id);
                    Ok(())
                }
            }),
        );
        // Runs far longer than any grace period: only a shutdown's drain ends it.
        let runs = self.runs.clone();
        registry.register(
            "hang",
            FnHandler(move |job: frontdesk_domain::jobs::Job| {
                let runs = runs.clone();
                async move {
                    runs.record(job.id);
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(())
                }
            }),
        );
        registry.register("panic", FnHandler(|_job: frontdesk_domain::jobs::Job| async move { explode() }));
        Arc::new(JobRunner::new(self.ctx.clone(), registry, config))
    }

    async fn enqueue(&self, job: NewJob) -> Enqueued {
        self.store().enqueue(&job, self.clock.now()).await.unwrap()
    }

    fn job(&self, kind: &str) -> NewJob {
        NewJob::new(self.tenant, kind, json!({}), self.clock.now())
    }

    async fn status(&self, id: JobId) -> frontdesk_domain::jobs::Job {
        self.store().get_job(self.tenant, id).await.unwrap().unwrap()
    }
}

fn quick() -> RunnerConfig {
    RunnerConfig { poll_interval: Duration::from_millis(20), ..RunnerConfig::default() }
}

async fn four_workers_run_8000_jobs_exactly_once(backend: Backend) {
    let rig = Rig::new(backend).await;
    let mut ids = Vec::new();
    for _ in 0..16 {
        let batch: Vec<NewJob> = (0..500).map(|_| rig.job("ok")).collect();
        ids.extend(batch.iter().map(|j| j.id));
        rig.store().enqueue_many(&batch, rig.clock.now()).await.unwrap();
    }
    let runner = rig.runner(RunnerConfig { workers: 4, batch: 16, ..quick() });
    let stop = CancellationToken::new();
    let mut workers = runner.spawn(stop.clone());
    // A guard against hanging, not a performance assertion.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while rig.store().queue_stats(rig.clock.now()).await.unwrap().depth > 0 {
        assert!(tokio::time::Instant::now() < deadline, "jobs did not drain");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    while workers.join_next().await.is_some() {}
    let runs = rig.runs.snapshot();
    assert_eq!(runs.len(), 8000);
    assert!(ids.iter().all(|id| runs.get(id) == Some(&1)), "every job ran exactly once");
}

async fn job_of_dead_worker_is_reclaimed_and_run_once(backend: Backend) {
    let rig = Rig::new(backend).await;
    let id = rig.enqueue(rig.job("ok")).await.id();
    // A worker claims it and dies without finishing.
    let dead_worker = ClaimRequest {
        lease_token: uuid::Uuid::now_v7(),
        now: rig.clock.now(),
        lease: SignedDuration::from_secs(60),
        limit: 1,
    };
    assert_eq!(rig.store().claim_jobs(&dead_worker).await.unwrap().len(), 1);
    let runner = rig.runner(quick());
    assert_eq!(runner.run_pending().await.unwrap(), 0, "still leased");
    rig.clock.advance(SignedDuration::from_secs(61));
    assert_eq!(runner.run_pending().await.unwrap(), 1);
    assert_eq!(rig.runs.of(id), 1);
    let job = rig.status(id).await;
    assert_eq!((job.status, job.attempts), (JobStatus::Succeeded, 2));
    // The dead worker's late report changes nothing.
    assert_eq!(rig.store().complete_jobs(dead_worker.lease_token, &[id], rig.clock.now()).await.unwrap(), 0);
    rig.clock.advance(SignedDuration::from_hours(1));
    assert_eq!(runner.run_pending().await.unwrap(), 0);
    assert_eq!(rig.runs.of(id), 1);
}

async fn backoff_grows_between_attempts(backend: Backend) {
    let rig = Rig::new(backend).await;
    let id = rig.enqueue(rig.job("fail").with_max_attempts(6)).await.id();
    let runner = rig.runner(quick());
    let mut delays = Vec::new();
    for _ in 0..4 {
        assert_eq!(runner.run_pending().await.unwrap(), 1);
        let job = rig.status(id).await;
        assert_eq!(job.status, JobStatus::Queued);
        delays.push(job.run_at.duration_since(rig.clock.now()).as_secs_f64());
        rig.clock.set(job.run_at);
    }
    // Base 5 s doubling with ±25% jitter: 5, 10, 20, 40 s nominal.
    for (i, d) in delays.iter().enumerate() {
        let nominal = 5.0 * 2f64.powi(i as i32);
        assert!(*d >= nominal * 0.75 - 0.01 && *d <= nominal * 1.25 + 0.01, "attempt {}: {d}s", i + 1);
    }
    assert!(delays.windows(2).all(|w| w[1] > w[0]), "{delays:?}");
}

async fn dead_after_max_attempts_then_retry_over_http(backend: Backend) {
    let app = TestApp::spawn_with(backend, |_| {}, JobRegistry::new()).await.unwrap();
    let (tenant, key) = app.tenant_with_key("clinic").await;
    let rig = Rig {
        ctx: app.ctx.clone(),
        clock: app.clock.clone(),
        tenant: tenant.id,
        runs: Runs::default(),
        _dir: None,
    };
    let id = rig.enqueue(rig.job("fail").with_max_attempts(3)).await.id();
    let runner = rig.runner(quick());
    for attempt in 1..=3 {
        assert_eq!(runner.run_pending().await.unwrap(), 1, "attempt {attempt}");
        let job = rig.status(id).await;
        rig.clock.set(job.run_at.max(rig.clock.now()));
    }
    let job = rig.status(id).await;
    assert_eq!(
        (job.status, job.attempts, job.last_error.as_deref()),
        (JobStatus::Dead, 3, Some("attempt 3 failed"))
    );
    rig.clock.advance(SignedDuration::from_hours(24));
    assert_eq!(runner.run_pending().await.unwrap(), 0, "dead jobs stay dead");

    let dead: Value = app.get("/api/v1/jobs?status=dead", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(dead["items"][0]["id"], id.to_string());
    assert_eq!(dead["items"][0]["last_error"], "attempt 3 failed");
    let retried: Value =
        app.post(&format!("/api/v1/jobs/{id}/retry"), &key).send().await.unwrap().json().await.unwrap();
    assert_eq!((retried["status"].as_str(), retried["attempts"].as_u64()), (Some("queued"), Some(0)));
    let again = app.post(&format!("/api/v1/jobs/{id}/retry"), &key).send().await.unwrap();
    let (status, code, message) = frontdesk_test_support::error_of(again).await;
    assert_eq!((status, code.as_str()), (409, "job_not_dead"));
    assert!(message.contains("queued"));
    assert_eq!(runner.run_pending().await.unwrap(), 1, "the retried job runs again");
    assert_eq!(rig.runs.of(id), 4);
}

async fn dedupe_key_makes_second_enqueue_a_noop(backend: Backend) {
    let rig = Rig::new(backend).await;
    let first = rig.enqueue(rig.job("ok").with_dedupe_key("reminder:appt-1:24h")).await;
    let second = rig.enqueue(rig.job("ok").with_dedupe_key("reminder:appt-1:24h")).await;
    assert_eq!(second, Enqueued::Duplicate(first.id()));
    let runner = rig.runner(quick());
    assert_eq!(runner.run_pending().await.unwrap(), 1);
    assert_eq!(rig.runs.snapshot().len(), 1);
}

async fn cancel_by_dedupe_key_stops_the_job(backend: Backend) {
    let rig = Rig::new(backend).await;
    let later = rig.clock.now() + SignedDuration::from_hours(2);
    let id = rig
        .enqueue(NewJob::new(rig.tenant, "ok", json!({}), later).with_dedupe_key("reminder:appt-2:3h"))
        .await
        .id();
    assert_eq!(
        rig.store()
            .cancel_jobs_by_dedupe_key(rig.tenant, "reminder:appt-2:3h", rig.clock.now())
            .await
            .unwrap(),
        1
    );
    rig.clock.advance(SignedDuration::from_hours(3));
    assert_eq!(rig.runner(quick()).run_pending().await.unwrap(), 0);
    assert_eq!(rig.runs.of(id), 0);
    assert_eq!(rig.status(id).await.status, JobStatus::Cancelled);
}

async fn delayed_jobs_do_not_run_early(backend: Backend) {
    let rig = Rig::new(backend).await;
    let at = rig.clock.now() + SignedDuration::from_mins(10);
    let id = rig.enqueue(NewJob::new(rig.tenant, "ok", json!({}), at)).await.id();
    let runner = rig.runner(quick());
    rig.clock.advance(SignedDuration::from_secs(599));
    assert_eq!(runner.run_pending().await.unwrap(), 0);
    assert_eq!(rig.runs.of(id), 0);
    rig.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(runner.run_pending().await.unwrap(), 1);
    assert_eq!(rig.runs.of(id), 1);
}

async fn shutdown_finishes_current_job_and_releases_the_rest(backend: Backend) {
    let rig = Rig::new(backend).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(rig.enqueue(rig.job("slow")).await.id());
    }
    let runner = rig.runner(RunnerConfig { workers: 1, batch: 10, ..quick() });
    let stop = CancellationToken::new();
    let mut workers = runner.spawn(stop.clone());
    // Stop while the first job is in hand.
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.cancel();
    while workers.join_next().await.is_some() {}
    let mut finished = 0;
    for id in &ids {
        let job = rig.status(*id).await;
        match job.status {
            JobStatus::Succeeded => finished += 1,
            JobStatus::Queued => assert_eq!(job.attempts, 0, "released jobs do not lose an attempt"),
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(finished, 1, "the job in hand finishes, the rest are released");
    assert_eq!(rig.runs.snapshot().len(), 1);
}

/// Workers with full batches complete each batch with their next claim; a stop while a
/// full batch is in hand still records it (the job is not left running on a lease, to run
/// again when that expires).
async fn a_stop_between_full_batches_leaves_every_run_job_recorded(backend: Backend) {
    let rig = Rig::new(backend).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(rig.enqueue(rig.job("slow")).await.id());
    }
    // Batches of one: every batch is full, so each is completed by the worker's next claim.
    let runner = rig.runner(RunnerConfig { workers: 2, batch: 1, ..quick() });
    let stop = CancellationToken::new();
    let mut workers = runner.spawn(stop.clone());
    while rig.runs.snapshot().len() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Each worker is now in its second 300 ms job.
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.cancel();
    while workers.join_next().await.is_some() {}
    let runs = rig.runs.snapshot();
    assert!((3..6).contains(&runs.len()), "the stop came mid-stream ({} ran)", runs.len());
    for id in &ids {
        let job = rig.status(*id).await;
        match runs.get(id) {
            Some(1) => assert_eq!(job.status, JobStatus::Succeeded, "a job that ran is recorded"),
            None => assert_eq!((job.status, job.attempts), (JobStatus::Queued, 0), "the rest is untouched"),
            Some(n) => panic!("ran {n} times"),
        }
    }
}

/// A job still running when the drain time is up is given back at once (not after its
/// five-minute lease): another process claims it immediately, with its attempt refunded.
async fn shutdown_releases_the_lease_of_a_job_still_running(backend: Backend) {
    let rig = Rig::new(backend).await;
    let id = rig.enqueue(rig.job("hang")).await.id();
    let drain = Duration::from_millis(200);
    let runner = rig.runner(RunnerConfig { workers: 1, drain, ..quick() });
    let stop = CancellationToken::new();
    let mut workers = runner.spawn(stop.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rig.runs.of(id) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(rig.status(id).await.status, JobStatus::Running);
    let stopped = std::time::Instant::now();
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), async { while workers.join_next().await.is_some() {} })
        .await
        .expect("workers stop after the drain time, not after the job");
    assert!(stopped.elapsed() >= drain, "the job in hand had its drain time");
    let job = rig.status(id).await;
    assert_eq!((job.status, job.attempts), (JobStatus::Queued, 0), "released, attempt refunded");
    // Same clock, no lease expiry: another process claims it at once.
    let claim = ClaimRequest {
        lease_token: uuid::Uuid::now_v7(),
        now: rig.clock.now(),
        lease: SignedDuration::from_mins(5),
        limit: 10,
    };
    let claimed = rig.store().claim_jobs(&claim).await.unwrap();
    assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);
}

async fn panicking_handler_is_retried_not_fatal(backend: Backend) {
    let rig = Rig::new(backend).await;
    let bad = rig.enqueue(rig.job("panic")).await.id();
    let good = rig.enqueue(rig.job("ok")).await.id();
    let runner = rig.runner(quick());
    assert_eq!(runner.run_pending().await.unwrap(), 2);
    assert_eq!(rig.runs.of(good), 1);
    let job = rig.status(bad).await;
    assert_eq!((job.status, job.last_error.as_deref()), (JobStatus::Queued, Some("job handler panicked")));
}

fn explode() -> Result<(), JobError> {
    panic!("handler bug")
}
