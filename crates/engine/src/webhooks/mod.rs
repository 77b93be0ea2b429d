//! Outbound webhooks to the clinic's own systems (Standard Webhooks): subscriptions and
//! their secrets, the deliveries a fact files, and manual replay. Sending is `deliver`'s
//! job. URLs are checked with the egress rules when saved (https, public addresses, no
//! credentials; the deployment's `allow_private_network` lifts the address rule for tests
//! and development) and again at every send.

mod deliver;

pub use deliver::{DELIVER_JOB, DeliverJob, file_deliveries};

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::webhooks::{
    DEFAULT_ROTATION_OVERLAP, EventType, MAX_ROTATION_OVERLAP, SECRET_BYTES, WebhookDelivery, WebhookSecret,
    WebhookSubscription, normalise,
};
use frontdesk_store::StoreError;
use jiff::SignedDuration;
use uuid::Uuid;

/// Why a webhook operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookFailure {
    /// A field is wrong: `field` names it.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// A replay of a delivery still being attempted.
    #[error("the delivery is still being attempted")]
    InProgress,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for WebhookFailure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> WebhookFailure {
    WebhookFailure::Invalid { field, message: message.into() }
}

/// What a subscription is created or changed with; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct SubscriptionChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `Some(None)` or an empty text clears it.
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Checks a receiver URL against the egress rules (see `frontdesk_providers::egress`).
pub fn check_url(ctx: &Ctx, raw: &str) -> Result<String, WebhookFailure> {
    let raw = raw.trim();
    if raw.len() > 2000 {
        return Err(invalid("url", "must be at most 2000 characters"));
    }
    frontdesk_providers::egress::check_url(raw, ctx.media.allow_private_network)
        .map(|u| u.to_string())
        .map_err(|e| invalid("url", e.to_string()))
}

/// Parses event type names (`appointment.booked`...): at least one, each known.
pub fn parse_events(raw: &[String]) -> Result<Vec<EventType>, WebhookFailure> {
    let events = raw
        .iter()
        .map(|e| {
            EventType::parse(e.trim()).ok_or_else(|| {
                let known: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
                invalid("event_types", format!("unknown event type; known: {}", known.join(", ")))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if events.is_empty() {
        return Err(invalid("event_types", "name at least one event type"));
    }
    Ok(normalise(events))
}

fn description(raw: Option<String>) -> Result<Option<String>, WebhookFailure> {
    let text = raw.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if text.as_ref().is_some_and(|d| d.chars().count() > 200) {
        return Err(invalid("description", "must be at most 200 characters"));
    }
    Ok(text)
}

fn fresh_secret() -> WebhookSecret {
    WebhookSecret::from_key(&rand::random::<[u8; SECRET_BYTES]>())
}

/// Creates a subscription with a fresh secret (returned inside it: show it once).
pub async fn create_subscription(
    ctx: &Ctx,
    tenant: TenantId,
    change: SubscriptionChange,
) -> Result<WebhookSubscription, WebhookFailure> {
    let url = check_url(ctx, change.url.as_deref().ok_or_else(|| invalid("url", "is required"))?)?;
    let events =
        parse_events(change.event_types.as_deref().ok_or_else(|| invalid("event_types", "is required"))?)?;
    let mut sub = WebhookSubscription::new(tenant, url, events, fresh_secret(), ctx.clock.now());
    sub.description = description(change.description.flatten())?;
    sub.enabled = change.enabled.unwrap_or(true);
    ctx.store.create_webhook_subscription(&sub).await?;
    Ok(sub)
}

pub async fn get_subscription(
    ctx: &Ctx,
    tenant: TenantId,
    id: Uuid,
) -> Result<WebhookSubscription, WebhookFailure> {
    ctx.store.get_webhook_subscription(tenant, id).await?.ok_or(WebhookFailure::NotFound)
}

/// Changes what is given; the secret is changed only by `rotate_secret`.
pub async fn update_subscription(
    ctx: &Ctx,
    tenant: TenantId,
    id: Uuid,
    change: SubscriptionChange,
) -> Result<WebhookSubscription, WebhookFailure> {
    let mut sub = get_subscription(ctx, tenant, id).await?;
    if let Some(url) = &change.url {
        sub.url = check_url(ctx, url)?;
    }
    if let Some(events) = &change.event_types {
        sub.event_types = parse_events(events)?;
    }
    if let Some(text) = change.description {
        sub.description = description(text)?;
    }
    if let Some(enabled) = change.enabled {
        sub.enabled = enabled;
    }
    sub.updated_at = ctx.clock.now();
    ctx.store.save_webhook_subscription(&sub).await?;
    Ok(sub)
}

pub async fn delete_subscription(ctx: &Ctx, tenant: TenantId, id: Uuid) -> Result<(), WebhookFailure> {
    Ok(ctx.store.delete_webhook_subscription(tenant, id).await?)
}

/// A new secret signs from now on; the old one signs beside it for `overlap` (default a
/// day, at most a week, zero to stop it at once) so the receiver can switch without
/// refusing a message.
pub async fn rotate_secret(
    ctx: &Ctx,
    tenant: TenantId,
    id: Uuid,
    overlap: Option<SignedDuration>,
) -> Result<WebhookSubscription, WebhookFailure> {
    let overlap = overlap.unwrap_or(DEFAULT_ROTATION_OVERLAP);
    if overlap.is_negative() || overlap > MAX_ROTATION_OVERLAP {
        return Err(invalid("overlap_seconds", "must be between 0 and 604800 (a week)"));
    }
    let mut sub = get_subscription(ctx, tenant, id).await?;
    sub.rotate(fresh_secret(), overlap, ctx.clock.now());
    ctx.store.save_webhook_subscription(&sub).await?;
    Ok(sub)
}

/// Sends a delivered or dead delivery again, at once, under the same `webhook-id`, with a
/// fresh round of attempts.
pub async fn replay(ctx: &Ctx, tenant: TenantId, id: Uuid) -> Result<WebhookDelivery, WebhookFailure> {
    let mut delivery = ctx.store.get_webhook_delivery(tenant, id).await?.ok_or(WebhookFailure::NotFound)?;
    let now = ctx.clock.now();
    delivery.replay(now).ok_or(WebhookFailure::InProgress)?;
    let job = deliver::replay_job(&delivery, now);
    ctx.store.save_webhook_delivery(&delivery, Some(&job), now).await?;
    Ok(delivery)
}
