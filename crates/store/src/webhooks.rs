//! Outbound webhook subscriptions and their delivery log.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::webhooks::{DeliveryState, WebhookDelivery, WebhookSubscription};
use jiff::Timestamp;
use uuid::Uuid;

/// Which deliveries to list (newest first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryFilter {
    pub state: Option<DeliveryState>,
    pub subscription: Option<Uuid>,
    /// At most this many (1 to 200).
    pub limit: u32,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook_subscription(&self, s: &WebhookSubscription) -> StoreResult<()>;
    async fn get_webhook_subscription(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> StoreResult<Option<WebhookSubscription>>;
    /// Oldest first.
    async fn list_webhook_subscriptions(&self, tenant: TenantId) -> StoreResult<Vec<WebhookSubscription>>;
    /// Saves url, events, description, enabled, secrets and the update time; `NotFound`
    /// if absent.
    async fn save_webhook_subscription(&self, s: &WebhookSubscription) -> StoreResult<()>;
    /// Deletes it with its deliveries; `NotFound` if absent.
    async fn delete_webhook_subscription(&self, tenant: TenantId, id: Uuid) -> StoreResult<()>;
    /// Files deliveries, each with the job that sends it, in one transaction. A delivery of
    /// the same fact to the same subscription already filed is skipped with its job, so a
    /// fact seen twice is sent once. Returns how many were new.
    async fn file_webhook_deliveries(
        &self,
        new: &[(WebhookDelivery, NewJob)],
        now: Timestamp,
    ) -> StoreResult<u64>;
    async fn get_webhook_delivery(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WebhookDelivery>>;
    async fn list_webhook_deliveries(
        &self,
        tenant: TenantId,
        filter: &DeliveryFilter,
    ) -> StoreResult<Vec<WebhookDelivery>>;
    /// Saves state, attempts, last status and error, next attempt and update time, and
    /// enqueues `next` (the job of the next attempt) in the same transaction; `NotFound`
    /// if absent.
    async fn save_webhook_delivery(
        &self,
        d: &WebhookDelivery,
        next: Option<&NewJob>,
        now: Timestamp,
    ) -> StoreResult<()>;
}
