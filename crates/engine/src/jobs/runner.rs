use super::{JobError, JobRegistry};
use crate::Ctx;
use frontdesk_domain::JobId;
use frontdesk_domain::jobs::{AfterFailure, Backoff, Job, after_failure};
use frontdesk_store::{ClaimRequest, StoreResult};
use futures::FutureExt;
use jiff::SignedDuration;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub workers: usize,
    /// Jobs claimed per round trip.
    pub batch: u32,
    /// How long a claim is held before another worker may take the job over.
    pub lease: SignedDuration,
    /// Idle workers look for due jobs at least this often (wake-ups come sooner).
    pub poll_interval: Duration,
    pub backoff: Backoff,
    /// After a stop, how long a job already in hand may keep running. Past it the job is
    /// abandoned and its lease released, so another process can take it over at once
    /// instead of waiting out the lease (jobs are written to survive running twice).
    pub drain: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            workers: 4,
            batch: 32,
            lease: SignedDuration::from_mins(5),
            poll_interval: Duration::from_secs(1),
            backoff: Backoff::default(),
            drain: Duration::from_secs(20),
        }
    }
}

pub struct JobRunner {
    ctx: Ctx,
    registry: JobRegistry,
    config: RunnerConfig,
}

impl JobRunner {
    pub fn new(ctx: Ctx, registry: JobRegistry, config: RunnerConfig) -> Self {
        Self { ctx, registry, config }
    }

    /// Claims one batch of due jobs and runs it; returns how many jobs it claimed.
    /// Stops early (releasing what it has not started) when `stop` is cancelled.
    pub async fn run_batch(&self, stop: &CancellationToken) -> StoreResult<usize> {
        let mut finished = None;
        self.batch(&mut finished, stop, false).await
    }

    /// Claims a batch (completing `finished`, the previous full batch's successes, in the
    /// same round trip) and runs it. When `carry` is set and the batch was full, a next
    /// claim follows at once: its successes are left in `finished` for that claim to
    /// complete, instead of a round trip and a commit of their own. Otherwise they are
    /// completed before returning. `finished` is kept when the store cannot be reached,
    /// so the next attempt completes it.
    async fn batch(
        &self,
        finished: &mut Option<Finished>,
        stop: &CancellationToken,
        carry: bool,
    ) -> StoreResult<usize> {
        let claim = ClaimRequest {
            lease_token: Uuid::now_v7(),
            now: self.ctx.clock.now(),
            lease: self.config.lease,
            limit: self.config.batch,
        };
        let jobs = match finished {
            Some(done) => self.ctx.store.complete_and_claim(done.lease_token, &done.ids, &claim).await?,
            None => self.ctx.store.claim_jobs(&claim).await?,
        };
        *finished = None;
        let claimed = jobs.len();
        let mut succeeded: Vec<JobId> = Vec::with_capacity(claimed);
        let mut interrupted = false;
        let mut remaining = jobs.into_iter();
        for job in remaining.by_ref() {
            if stop.is_cancelled() {
                let mut unstarted = vec![job.id];
                unstarted.extend(remaining.by_ref().map(|j| j.id));
                self.ctx.store.release_jobs(claim.lease_token, &unstarted, self.ctx.clock.now()).await?;
                interrupted = true;
                break;
            }
            let outcome = tokio::select! {
                outcome = self.run_one(&job) => Some(outcome),
                () = drain_expired(stop, self.config.drain) => None,
            };
            match outcome {
                Some(Ok(())) => succeeded.push(job.id),
                Some(Err(err)) => self.record_failure(claim.lease_token, &job, err).await?,
                None => {
                    let mut abandoned = vec![job.id];
                    abandoned.extend(remaining.by_ref().map(|j| j.id));
                    tracing::warn!(job_id = %job.id, kind = %job.kind, "job still running at shutdown: lease released");
                    self.ctx.store.release_jobs(claim.lease_token, &abandoned, self.ctx.clock.now()).await?;
                    interrupted = true;
                    break;
                }
            }
        }
        if succeeded.is_empty() {
            return Ok(claimed);
        }
        let full = claimed >= self.config.batch as usize;
        if carry && full && !interrupted && !stop.is_cancelled() {
            *finished = Some(Finished { lease_token: claim.lease_token, ids: succeeded });
        } else {
            // Successes are committed together: one round trip per batch, not per job.
            self.ctx.store.complete_jobs(claim.lease_token, &succeeded, self.ctx.clock.now()).await?;
        }
        Ok(claimed)
    }

    /// Runs every job that is due now, in this task, until none is left. Tests use this
    /// with a controllable clock instead of background workers.
    pub async fn run_pending(&self) -> StoreResult<usize> {
        let never = CancellationToken::new();
        let mut total = 0;
        loop {
            let n = self.run_batch(&never).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Starts `workers` background workers that run until `stop` is cancelled; each then
    /// finishes the job in hand (or releases it after `drain`) and releases the rest of
    /// its batch.
    pub fn spawn(self: Arc<Self>, stop: CancellationToken) -> JoinSet<()> {
        let mut set = JoinSet::new();
        for n in 0..self.config.workers.max(1) {
            let runner = self.clone();
            let stop = stop.clone();
            set.spawn(async move { runner.work(n, stop).await });
        }
        set
    }

    async fn work(&self, worker: usize, stop: CancellationToken) {
        let wakeups = self.ctx.store.job_wakeups();
        let mut finished = None;
        while !stop.is_cancelled() {
            // Register interest before looking, so a wake-up during the claim is not lost.
            let notified = wakeups.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.batch(&mut finished, &stop, true).await {
                Ok(n) if n >= self.config.batch as usize => continue,
                Ok(_) => {}
                Err(err) => tracing::error!(worker, error = %err, "job worker could not reach the store"),
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = &mut notified => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
        // A full batch finished as the stop came, or whose completion the store refused.
        if let Some(done) = finished
            && let Err(err) =
                self.ctx.store.complete_jobs(done.lease_token, &done.ids, self.ctx.clock.now()).await
        {
            tracing::error!(worker, error = %err, "job worker could not record its last batch: its leases will expire");
        }
        tracing::debug!(worker, "job worker stopped");
    }

    async fn run_one(&self, job: &Job) -> Result<(), JobError> {
        let Some(handler) = self.registry.get(&job.kind) else {
            return Err(JobError::permanent(format!("no handler for job kind {:?}", job.kind)));
        };
        let started = Instant::now();
        // A panicking handler must not take the worker down with it.
        let outcome = AssertUnwindSafe(handler.run(job))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(JobError::retryable("job handler panicked")));
        metrics::histogram!("frontdesk_job_duration_seconds", "kind" => job.kind.clone())
            .record(started.elapsed().as_secs_f64());
        if outcome.is_ok() {
            metrics::counter!("frontdesk_jobs_total", "kind" => job.kind.clone(), "outcome" => "succeeded")
                .increment(1);
        }
        outcome
    }

    async fn record_failure(&self, lease: Uuid, job: &Job, err: JobError) -> StoreResult<()> {
        let now = self.ctx.clock.now();
        let permanent = err.is_permanent();
        let next = after_failure(
            job.attempts,
            job.max_attempts,
            permanent,
            now,
            &self.config.backoff,
            rand::random(),
        );
        let outcome = match next {
            AfterFailure::RetryAt(_) => "retried",
            AfterFailure::Dead => "dead",
        };
        metrics::counter!("frontdesk_jobs_total", "kind" => job.kind.clone(), "outcome" => outcome)
            .increment(1);
        tracing::warn!(job_id = %job.id, kind = %job.kind, attempt = job.attempts, outcome, error = %err, "job failed");
        self.ctx.store.fail_job(lease, job.id, &err.to_string(), next, now).await?;
        Ok(())
    }
}

/// A run batch's successes, not yet recorded.
struct Finished {
    lease_token: Uuid,
    ids: Vec<JobId>,
}

/// Resolves `drain` after `stop` is cancelled; never while the runner is running.
async fn drain_expired(stop: &CancellationToken, drain: Duration) {
    stop.cancelled().await;
    tokio::time::sleep(drain).await;
}
