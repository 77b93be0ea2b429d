//! The daily retention run of each tenant: a durable job that purges what the tenant's
//! policy no longer keeps, writes a report, and schedules the next day's run.

use crate::Ctx;
use crate::jobs::{JobError, JobHandler, JobRegistry};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::data_rights::RetentionReport;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_store::StoreResult;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const RETENTION_JOB: &str = "data_rights.retention";
/// Local hour of the daily run: the clinic is closed and few messages arrive.
const RUN_AT_HOUR: i8 = 3;

#[derive(Serialize, Deserialize)]
struct Payload {
    /// The local date of the run, also its dedupe key: one run per tenant and day.
    day: String,
}

/// Applies the tenant's policy now (or, `dry_run`, counts what it would purge) and stores
/// the report.
pub async fn run_retention(
    ctx: &Ctx,
    tenant: TenantId,
    actor: &str,
    dry_run: bool,
) -> StoreResult<RetentionReport> {
    let started_at = ctx.clock.now();
    let policy = ctx.store.retention_policy(tenant).await?;
    let cutoffs = policy.cutoffs(started_at);
    let counts = ctx.store.apply_retention(tenant, &cutoffs, dry_run).await?;
    let report = RetentionReport {
        id: Uuid::now_v7(),
        tenant_id: tenant,
        actor: actor.to_owned(),
        dry_run,
        policy,
        cutoffs,
        counts,
        started_at,
        finished_at: ctx.clock.now(),
    };
    ctx.store.save_retention_report(&report).await?;
    tracing::info!(
        dry_run,
        messages = counts.messages,
        recordings = counts.call_recordings,
        transcripts = counts.call_transcripts,
        "retention run"
    );
    Ok(report)
}

/// Enqueues the tenant's next daily run (03:00 in the clinic's time zone, after `after`);
/// a run already queued for that day makes it a no-op.
pub async fn schedule_retention(ctx: &Ctx, tenant: TenantId, after: Timestamp) -> StoreResult<()> {
    let Some(t) = ctx.store.tenant_by_id(tenant).await? else { return Ok(()) };
    let local = after.to_zoned(t.timezone.time_zone());
    let today = local.date().at(RUN_AT_HOUR, 0, 0, 0).to_zoned(local.time_zone().clone());
    let next = match today {
        Ok(at) if at.timestamp() > after => at,
        _ => {
            let tomorrow = local.date().checked_add(1.day()).unwrap_or(local.date());
            match tomorrow.at(RUN_AT_HOUR, 0, 0, 0).to_zoned(local.time_zone().clone()) {
                Ok(at) => at,
                Err(_) => return Ok(()),
            }
        }
    };
    let day = next.date().to_string();
    let job =
        NewJob::new(tenant, RETENTION_JOB, serde_json::json!(Payload { day: day.clone() }), next.timestamp())
            .with_dedupe_key(format!("retention:{day}"));
    ctx.store.enqueue(&job, ctx.clock.now()).await?;
    Ok(())
}

/// Schedules every tenant's next run (at start-up: a tenant created since, or whose chain
/// of daily jobs was broken by a dead job, gets one again).
pub async fn schedule_all(ctx: &Ctx) -> StoreResult<()> {
    let now = ctx.clock.now();
    for t in ctx.store.list_tenants().await? {
        schedule_retention(ctx, t.id, now).await?;
    }
    Ok(())
}

struct RetentionRun {
    ctx: Ctx,
}

#[async_trait]
impl JobHandler for RetentionRun {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let policy = self.ctx.store.retention_policy(job.tenant_id).await?;
        // A tenant that keeps everything gets no daily report of nothing.
        if !policy.is_off() {
            run_retention(&self.ctx, job.tenant_id, "system:retention", false).await?;
        }
        schedule_retention(&self.ctx, job.tenant_id, self.ctx.clock.now().max(job.run_at)).await?;
        Ok(())
    }
}

pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(RETENTION_JOB, RetentionRun { ctx });
}
