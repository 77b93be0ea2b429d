//! Filing deliveries for a fact, and the job that sends one: signs the stored body with
//! the subscription's current secrets, posts it (egress rules, timeouts, no redirects),
//! and records the outcome with the next attempt's job in one store call, so a crash
//! between two attempts loses nothing and doubles nothing.

use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::facts::Fact;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::webhooks::{EventType, RetrySchedule, WebhookDelivery, payload, sign};
use frontdesk_providers::outbound_webhook::{SignedWebhook, WebhookSendError, send};
use frontdesk_store::StoreResult;
use jiff::Timestamp;
use uuid::Uuid;

/// The job that makes one attempt of one delivery.
pub const DELIVER_JOB: &str = "webhook.deliver";

/// The job of a delivery's next attempt, keyed by the attempts made so far: whoever
/// enqueues it (the attempt before, or a re-run after a crash) enqueues the same one.
fn attempt_job(d: &WebhookDelivery, at: Timestamp) -> NewJob {
    NewJob::new(d.tenant_id, DELIVER_JOB, serde_json::json!({"delivery_id": d.id}), at)
        .with_dedupe_key(format!("webhook:{}:{}", d.id, d.attempts))
        // Store trouble is retried by the runner; the receiver's by the schedule.
        .with_max_attempts(3)
}

/// A replay's first attempt: keyed by the moment, so it never collides with the job of
/// an earlier round still finishing.
pub(super) fn replay_job(d: &WebhookDelivery, now: Timestamp) -> NewJob {
    NewJob::new(d.tenant_id, DELIVER_JOB, serde_json::json!({"delivery_id": d.id}), now)
        .with_dedupe_key(format!("webhook:{}:replay:{}", d.id, now.as_millisecond()))
        .with_max_attempts(3)
}

/// Files one delivery per enabled subscription of the tenant that wants the fact's event
/// (none if the fact is not an event). Filing the same fact again files nothing.
pub async fn file_deliveries(ctx: &Ctx, fact: &Fact) -> StoreResult<u64> {
    let Some(event) = EventType::of_fact(fact.kind) else {
        return Ok(0);
    };
    let subscriptions = ctx.store.list_webhook_subscriptions(fact.tenant_id).await?;
    let wanted: Vec<_> = subscriptions.iter().filter(|s| s.wants(event)).collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    let now = ctx.clock.now();
    let body = payload(event, fact).to_string();
    let filed: Vec<(WebhookDelivery, NewJob)> = wanted
        .into_iter()
        .map(|s| {
            let d = WebhookDelivery::new(fact.tenant_id, s.id, fact.id.clone(), event, body.clone(), now);
            let job = attempt_job(&d, now);
            (d, job)
        })
        .collect();
    ctx.store.file_webhook_deliveries(&filed, now).await
}

pub struct DeliverJob {
    pub ctx: Ctx,
    pub schedule: RetrySchedule,
}

#[async_trait]
impl JobHandler for DeliverJob {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let id = job
            .payload
            .get("delivery_id")
            .and_then(|v| v.as_str())
            .and_then(|v| Uuid::parse_str(v).ok())
            .ok_or_else(|| JobError::permanent("a webhook job without a delivery id"))?;
        let ctx = &self.ctx;
        // Gone with its subscription, or finished by an earlier run of this job.
        let Some(mut d) = ctx.store.get_webhook_delivery(job.tenant_id, id).await? else {
            return Ok(());
        };
        if !d.state.is_open() {
            return Ok(());
        }
        let now = ctx.clock.now();
        if let Some(at) = d.next_attempt_at
            && at > now
        {
            // A re-run after the attempt was recorded: make sure the next one is queued.
            ctx.store.enqueue(&attempt_job(&d, at), now).await?;
            return Ok(());
        }
        let subscription = ctx.store.get_webhook_subscription(job.tenant_id, d.subscription_id).await?;
        let Some(sub) = subscription.filter(|s| s.enabled) else {
            d.abandon("the subscription is disabled or deleted", now);
            ctx.store.save_webhook_delivery(&d, None, now).await?;
            return Ok(());
        };
        let webhook_id = d.webhook_id();
        let timestamp = now.as_second();
        let signature = sign(&sub.signing_secrets(now), &webhook_id, timestamp, d.body.as_bytes());
        let hook = SignedWebhook {
            url: &sub.url,
            id: &webhook_id,
            timestamp,
            signature: &signature,
            body: &d.body,
            allow_private_network: ctx.media.allow_private_network,
        };
        let outcome = send(&hook).await;
        // The clock again: the attempt may have waited for a slow receiver.
        let after = ctx.clock.now();
        let next = match outcome {
            Ok(status) => {
                d.delivered(status, after);
                None
            }
            Err(e) => {
                let retry_at = match e {
                    // The URL itself is refused (a deployment setting changed): no retry helps.
                    WebhookSendError::Refused(_) => None,
                    _ => self.schedule.next_attempt(d.attempts + 1, after, rand::random()),
                };
                d.failed(e.status(), e.to_string(), retry_at, after);
                retry_at.map(|at| attempt_job(&d, at))
            }
        };
        tracing::info!(delivery = %d.id, state = d.state.as_str(), attempts = d.attempts, status = ?d.last_status,
            "webhook attempt");
        ctx.store.save_webhook_delivery(&d, next.as_ref(), after).await?;
        Ok(())
    }
}
