//! Builds the application from its parts and runs it until shutdown.

use crate::config::Config;
use anyhow::Context;
use frontdesk_domain::jobs::Backoff;
use frontdesk_domain::{Clock, SystemClock};
use frontdesk_engine::Ctx;
use frontdesk_engine::jobs::{JobRegistry, JobRunner, RunnerConfig};
use frontdesk_engine::{messaging, scheduling};
use frontdesk_providers::media::MediaPolicy;
use frontdesk_store::DynStore;
use frontdesk_web::{AppState, WebConfig};
use jiff::SignedDuration;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Which parts of the server a process runs: several `web` processes can share the job
/// work of separate `worker` processes (PostgreSQL only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Role {
    #[default]
    All,
    Web,
    Worker,
}

pub struct App {
    pub ctx: Ctx,
    pub runner: Arc<JobRunner>,
    config: Config,
    /// Cancelled as shutdown begins: readiness turns 503 and live-update streams end.
    draining: CancellationToken,
    /// Hashes rate-limit keys: the same in every process with the same encryption key.
    rate_limit_key: frontdesk_web::ratelimit::HashKey,
}

impl App {
    /// `extra_jobs` adds (or replaces) job handlers; tests use it for their own kinds.
    pub fn new(config: Config, store: DynStore, clock: Arc<dyn Clock>, extra_jobs: JobRegistry) -> Self {
        let ctx = Ctx::new(store, clock)
            .with_public_url(&config.public_url())
            .with_link_secret(crate::secrets::link_secret(&config))
            .with_media_policy(MediaPolicy::default().with_private_network(config.allow_private_network));
        let mut registry = job_registry(&ctx);
        registry.extend(extra_jobs);
        let runner = Arc::new(JobRunner::new(ctx.clone(), registry, runner_config(&config)));
        let rate_limit_key = crate::secrets::rate_limit_hash_key(&config)
            .map_or_else(frontdesk_web::ratelimit::HashKey::random, frontdesk_web::ratelimit::HashKey::new);
        Self { ctx, runner, config, draining: CancellationToken::new(), rate_limit_key }
    }

    /// Opens the configured database (migrating it) with the real clock, and checks that
    /// the configured encryption key opens the secrets stored in it.
    pub async fn from_config(config: Config) -> anyhow::Result<Self> {
        let (ring, source) = crate::secrets::key_ring(&config)?;
        let key_id = ring.current_id().unwrap_or_default().to_owned();
        let (url, pool) = (&config.database_url, config.database_max_connections);
        let store = crate::backend::open_store_with(url, pool, Arc::new(ring)).await?;
        crate::secrets::check_at_startup(&store, &source, &key_id).await?;
        Ok(Self::new(config, store, Arc::new(SystemClock), JobRegistry::new()))
    }

    pub fn web_config(&self) -> WebConfig {
        let c = &self.config;
        WebConfig {
            public_url: c.public_url(),
            cors_origins: c.cors_origins.clone(),
            body_limit_bytes: c.body_limit_bytes,
            body_read_timeout: Duration::from_secs(c.body_read_timeout_secs),
            metrics_token: c.metrics_token.clone(),
            rate_limit_enabled: c.rate_limit_enabled,
            api_requests_per_minute: c.rate_limit_api_per_minute,
            webhook_requests_per_minute: c.rate_limit_webhook_per_minute,
            auth_failures_per_minute: c.rate_limit_auth_failures_per_minute,
            rate_limit_shared: c.rate_limit_shared,
            rate_limit_flush: Duration::from_millis(c.rate_limit_flush_ms.max(10)),
            rate_limit_hash_key: self.rate_limit_key.clone(),
            draining: self.draining.clone(),
            expected_schema_version: crate::backend::expected_schema_version(self.ctx.store.backend_name()),
        }
    }

    pub fn router(&self) -> axum::Router {
        frontdesk_web::router(AppState::new(self.ctx.clone(), self.web_config()))
    }

    /// Serves HTTP on `listener` (unless `role` is `Worker`) and runs job workers (unless
    /// `role` is `Web`) until `shutdown` fires; then stops claiming jobs, lets in-flight
    /// requests and jobs finish within the grace period, and returns.
    pub async fn serve(
        self,
        listener: TcpListener,
        role: Role,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let grace = Duration::from_secs(self.config.shutdown_grace_secs);
        if role != Role::Web
            && let Err(e) = frontdesk_engine::data_rights::retention::schedule_all(&self.ctx).await
        {
            // Not fatal: the next start (or a tenant's next policy change) schedules it.
            tracing::warn!(error = %e, "could not schedule the daily retention runs");
        }
        if role != Role::Web
            && let Err(e) = frontdesk_engine::scheduling::schedule_all_noshow_retrains(&self.ctx).await
        {
            // Not fatal either: the next start files them.
            tracing::warn!(error = %e, "could not schedule the weekly no-show model retraining");
        }
        if role != Role::Web
            && let Err(e) = frontdesk_engine::reports::schedule::schedule_all_reports(&self.ctx).await
        {
            tracing::warn!(error = %e, "could not schedule the weekly and monthly reports");
        }
        if role != Role::Web
            && let Err(e) = frontdesk_engine::messaging::gmail::schedule_all_watches(&self.ctx).await
        {
            tracing::warn!(error = %e, "could not schedule the Gmail watch renewals");
        }
        // On shutdown readiness turns 503 at once; the listener keeps accepting for
        // `shutdown_delay_secs` so load balancers see it and stop sending traffic first.
        let stop_accepting = CancellationToken::new();
        let (draining, stop, accept) = (self.draining.clone(), shutdown.clone(), stop_accepting.clone());
        let delay = Duration::from_secs(self.config.shutdown_delay_secs);
        tokio::spawn(async move {
            stop.cancelled().await;
            draining.cancel();
            tokio::time::sleep(delay).await;
            accept.cancel();
        });
        let mut workers = (role != Role::Web).then(|| self.runner.clone().spawn(shutdown.clone()));
        if let Some(addr) = &self.config.metrics_bind {
            let listener =
                TcpListener::bind(addr).await.with_context(|| format!("binding metrics_bind {addr}"))?;
            let router = frontdesk_web::metrics_router(AppState::new(self.ctx.clone(), self.web_config()));
            let stop = shutdown.clone();
            tokio::spawn(async move {
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(async move { stop.cancelled().await });
                if let Err(e) = served.await {
                    tracing::error!(error = %e, "metrics listener failed");
                }
            });
        }
        if role != Role::Worker {
            let router = self.router();
            let header_timeout = Duration::from_secs(self.config.header_read_timeout_secs);
            crate::http::serve(listener, router, header_timeout, grace, stop_accepting).await;
        } else {
            drop(listener);
            shutdown.cancelled().await;
        }
        if let Some(set) = workers.as_mut()
            && tokio::time::timeout(grace, async { while set.join_next().await.is_some() {} }).await.is_err()
        {
            tracing::warn!("job workers did not finish within the grace period; their leases will expire");
        }
        tracing::info!("shut down");
        Ok(())
    }
}

fn runner_config(c: &Config) -> RunnerConfig {
    RunnerConfig {
        workers: c.jobs_workers,
        batch: c.jobs_batch_size,
        lease: SignedDuration::from_secs(c.jobs_lease_secs),
        poll_interval: Duration::from_millis(c.jobs_poll_interval_ms),
        backoff: Backoff {
            base: SignedDuration::from_secs(c.jobs_backoff_base_secs),
            max: SignedDuration::from_secs(c.jobs_backoff_max_secs),
            jitter: 0.5,
        },
        // Jobs in hand get most of the grace period; the rest is for releasing their
        // leases, so another process can take them over at once.
        drain: Duration::from_secs(c.shutdown_grace_secs) * 3 / 4,
    }
}

/// The job kinds this build knows how to run. Capabilities register theirs here.
pub fn job_registry(ctx: &Ctx) -> JobRegistry {
    let mut registry = JobRegistry::new();
    let notifier = Arc::new(messaging::MessagingNotifier { ctx: ctx.clone() });
    scheduling::register_jobs(&mut registry, ctx.clone(), notifier);
    messaging::register_jobs(&mut registry, ctx.clone());
    frontdesk_engine::voice::register_jobs(&mut registry, ctx.clone());
    frontdesk_engine::playbooks::register_jobs(&mut registry, ctx.clone());
    frontdesk_engine::leads::register_jobs(&mut registry, ctx.clone());
    frontdesk_engine::data_rights::register_jobs(&mut registry, ctx.clone());
    frontdesk_engine::waitlist::register_jobs(&mut registry, ctx.clone());
    frontdesk_engine::reports::register_jobs(&mut registry, ctx.clone());
    registry
}

/// Resolves when the process is asked to stop (SIGTERM or Ctrl-C).
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
