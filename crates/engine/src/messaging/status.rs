//! Delivery updates from providers. Statuses only move forward, so callbacks arriving out
//! of order (or twice) end in the right final status, also when two processes apply
//! reports on one message at once: each save is a compare-and-set on the status it read.
//!
//! A report can outrun the send it is about: the provider calls back (`sent`, even
//! `delivered`) before the send job has committed the provider's id. Such a report is
//! stored and applied by a job that retries with back-off until the message is there, so an
//! acknowledged report is never dropped.

use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::messaging::MessageStatus;
use frontdesk_store::{NewInboundEvent, StoreError, StoreResult};
use serde::{Deserialize, Serialize};

pub const APPLY_STATUS_JOB: &str = "messaging.apply_status";

/// Compare-and-set attempts before giving up on a message many writers are changing.
const SAVE_ATTEMPTS: usize = 8;

/// A provider's report on one message it sent for the clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    pub provider: String,
    pub provider_message_id: String,
    pub status: MessageStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// What became of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    /// The message moved to the reported status.
    Applied,
    /// The message already had this status or a later one.
    Stale,
    /// No message has this provider id (yet).
    Unknown,
}

/// Applies a report now, if its message is known.
pub async fn apply_status(ctx: &Ctx, tenant: TenantId, report: &StatusReport) -> StoreResult<StatusOutcome> {
    for _ in 0..SAVE_ATTEMPTS {
        let Some(mut message) =
            ctx.store.message_by_provider_id(tenant, &report.provider, &report.provider_message_id).await?
        else {
            return Ok(StatusOutcome::Unknown);
        };
        let was = message.status;
        if !message.apply_status(
            report.status,
            report.error_code.clone(),
            report.error_message.clone(),
            ctx.clock.now(),
        ) {
            return Ok(StatusOutcome::Stale);
        }
        if !ctx.store.save_message_status(&message, was).await? {
            // Another report (or the send job) changed it first: read it again.
            continue;
        }
        // Live views show the new status; keyed by message and status, so a repeated
        // report adds nothing.
        let fact = crate::facts::message_fact(
            frontdesk_domain::facts::FactKind::MessageStatusChanged,
            &message,
            ctx.clock.now(),
        );
        crate::facts::note(ctx, &fact).await?;
        return Ok(StatusOutcome::Applied);
    }
    Err(StoreError::Conflict(frontdesk_store::Conflict::Stale))
}

/// Applies a report, or, when its message is not stored yet, records it with a job that
/// applies it as soon as the message is there. Either way the report is durable when this
/// returns, so the webhook may acknowledge it.
pub async fn accept_status(ctx: &Ctx, tenant: TenantId, report: &StatusReport) -> StoreResult<StatusOutcome> {
    let outcome = apply_status(ctx, tenant, report).await?;
    if outcome != StatusOutcome::Unknown {
        return Ok(outcome);
    }
    let external_id = format!("status:{}:{}", report.provider_message_id, report.status.as_str());
    let payload = serde_json::to_value(report).map_err(|e| StoreError::corrupt(e.to_string()))?;
    let record = NewInboundEvent {
        tenant_id: tenant,
        provider: report.provider.clone(),
        external_id: external_id.clone(),
        kind: "status".into(),
        payload: payload.clone(),
    };
    let now = ctx.clock.now();
    let job = NewJob::new(tenant, APPLY_STATUS_JOB, payload, now)
        .with_dedupe_key(format!("{}:{external_id}", report.provider));
    ctx.store.record_event(&record, &[job], now).await?;
    Ok(StatusOutcome::Unknown)
}

/// Applies a report recorded before its message was stored.
pub(super) struct ApplyStatusLater {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for ApplyStatusLater {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let report: StatusReport = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        match apply_status(&self.ctx, job.tenant_id, &report).await? {
            StatusOutcome::Applied | StatusOutcome::Stale => Ok(()),
            // Retried with back-off; a report on a message this clinic never sent ends
            // as a dead job, visible to staff, instead of vanishing.
            StatusOutcome::Unknown => Err(JobError::retryable("the reported message is not stored yet")),
        }
    }
}
