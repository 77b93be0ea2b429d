use crate::{
    ApiKeyRecord, ClaimRequest, Enqueued, InboundEvent, JobFilter, JobList, NewApiKey, NewInboundEvent,
    QueueStats, RecordedEvent, StoreResult,
};
use async_trait::async_trait;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::jobs::{AfterFailure, Job, NewJob};
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::tenant::{NewTenant, Tenant};
use frontdesk_domain::{JobId, TenantId};
use jiff::Timestamp;
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

#[async_trait]
pub trait TenantStore: Send + Sync {
    /// `Conflict` when the slug is taken.
    async fn create_tenant(&self, new: &NewTenant, now: Timestamp) -> StoreResult<Tenant>;
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>>;
    async fn tenant_by_id(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>>;
    /// Replaces the editable fields (name, time zone, locale); `NotFound` if absent.
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
}

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn create_api_key(&self, key: &NewApiKey, now: Timestamp) -> StoreResult<ApiKeyRecord>;
    /// Looks a key up by its public prefix, whatever its tenant (authentication).
    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKeyRecord>>;
    /// Revokes the tenant's key with that prefix; `NotFound` if the tenant has none.
    async fn revoke_api_key(&self, tenant: TenantId, prefix: &str, now: Timestamp) -> StoreResult<()>;
    async fn list_api_keys(&self, tenant: TenantId) -> StoreResult<Vec<ApiKeyRecord>>;
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Enqueues a job; a live job of the tenant with the same dedupe key makes it a no-op.
    async fn enqueue(&self, job: &NewJob, now: Timestamp) -> StoreResult<Enqueued>;
    /// Enqueues several jobs in one transaction.
    async fn enqueue_many(&self, jobs: &[NewJob], now: Timestamp) -> StoreResult<Vec<Enqueued>>;
    /// Claims up to `limit` due jobs for one worker and leases them. First returns jobs
    /// whose lease expired to the queue (or to `dead` if that was their last attempt).
    async fn claim_jobs(&self, claim: &ClaimRequest) -> StoreResult<Vec<Job>>;
    /// Marks jobs of this lease succeeded; returns how many were still held by it.
    async fn complete_jobs(&self, lease_token: Uuid, ids: &[JobId], now: Timestamp) -> StoreResult<u64>;
    /// Completes a worker's finished batch (as `complete_jobs` at `claim.now`: jobs whose
    /// lease was lost are left alone) and claims its next: what a busy worker does between
    /// batches, in one round trip where the backend can.
    async fn complete_and_claim(
        &self,
        lease_token: Uuid,
        done: &[JobId],
        claim: &ClaimRequest,
    ) -> StoreResult<Vec<Job>> {
        self.complete_jobs(lease_token, done, claim.now).await?;
        self.claim_jobs(claim).await
    }
    /// Records a failed attempt: queue it again at a later time, or move it to `dead`.
    /// Returns false when the lease was lost meanwhile (nothing changed).
    async fn fail_job(
        &self,
        lease_token: Uuid,
        id: JobId,
        error: &str,
        next: AfterFailure,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Gives unfinished jobs back without counting the attempt (graceful shutdown).
    async fn release_jobs(&self, lease_token: Uuid, ids: &[JobId], now: Timestamp) -> StoreResult<u64>;
    /// Cancels the tenant's live jobs holding this dedupe key; returns how many.
    async fn cancel_jobs_by_dedupe_key(
        &self,
        tenant: TenantId,
        key: &str,
        now: Timestamp,
    ) -> StoreResult<u64>;
    async fn get_job(&self, tenant: TenantId, id: JobId) -> StoreResult<Option<Job>>;
    async fn list_jobs(
        &self,
        tenant: TenantId,
        filter: &JobFilter,
        page: PageRequest,
    ) -> StoreResult<JobList>;
    /// Puts a dead job back in the queue with fresh attempts. `NotFound` for another
    /// tenant's job, `Conflict` (naming the status) if it is not dead.
    async fn retry_dead_job(&self, tenant: TenantId, id: JobId, now: Timestamp) -> StoreResult<Job>;
    /// Queue figures across all tenants, for health checks and metrics.
    async fn queue_stats(&self, now: Timestamp) -> StoreResult<QueueStats>;
    /// Signalled when new work may be available (an enqueue here, or on Postgres, in any
    /// process), so idle workers wake before their next poll.
    fn job_wakeups(&self) -> Arc<Notify>;
}

#[async_trait]
pub trait InboundEventStore: Send + Sync {
    /// Records a provider event and enqueues its follow-up jobs in one transaction. A
    /// second delivery of the same (tenant, provider, external id) changes nothing.
    async fn record_event(
        &self,
        event: &NewInboundEvent,
        follow_ups: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<RecordedEvent>;
    async fn inbound_event(
        &self,
        tenant: TenantId,
        provider: &str,
        external_id: &str,
    ) -> StoreResult<Option<InboundEvent>>;
    /// Where the tenant's sync with a provider stands (`gmail.history_id`...); `None`
    /// before the first.
    async fn sync_cursor(&self, tenant: TenantId, name: &str) -> StoreResult<Option<String>>;
    async fn set_sync_cursor(
        &self,
        tenant: TenantId,
        name: &str,
        value: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The tenant's latest events from `provider`, newest first, at most `limit`.
    async fn recent_inbound_events(
        &self,
        tenant: TenantId,
        provider: &str,
        limit: u32,
    ) -> StoreResult<Vec<InboundEvent>>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Newest first.
    async fn list_audit(&self, tenant: TenantId, page: PageRequest) -> StoreResult<Page<AuditEntry>>;
}

#[async_trait]
pub trait HealthStore: Send + Sync {
    fn backend_name(&self) -> &'static str;
    async fn ping(&self) -> StoreResult<()>;
    /// The newest applied migration version.
    async fn schema_version(&self) -> StoreResult<Option<i64>>;
}

/// Everything a backend provides.
pub trait Store:
    TenantStore
    + ApiKeyStore
    + JobStore
    + InboundEventStore
    + AuditStore
    + HealthStore
    + crate::CatalogStore
    + crate::SettingsStore
    + crate::PatientStore
    + crate::AppointmentStore
    + crate::NotificationStore
    + crate::ExternalIdStore
    + crate::MessagingStore
    + crate::CallStore
    + crate::LeadStore
    + crate::DialogueStore
    + crate::UserStore
    + crate::FactStore
    + crate::LeadImportStore
    + crate::WebhookStore
    + crate::SecretStore
    + crate::DataRightsStore
    + crate::RateCounterStore
    + crate::WaitlistStore
    + crate::NoShowModelStore
    + crate::AnalyticsStore
    + crate::CampaignStore
{
}

impl<T> Store for T where
    T: TenantStore
        + ApiKeyStore
        + JobStore
        + InboundEventStore
        + AuditStore
        + HealthStore
        + crate::CatalogStore
        + crate::SettingsStore
        + crate::PatientStore
        + crate::AppointmentStore
        + crate::NotificationStore
        + crate::ExternalIdStore
        + crate::MessagingStore
        + crate::CallStore
        + crate::LeadStore
        + crate::DialogueStore
        + crate::UserStore
        + crate::FactStore
        + crate::LeadImportStore
        + crate::WebhookStore
        + crate::SecretStore
        + crate::DataRightsStore
        + crate::RateCounterStore
        + crate::WaitlistStore
        + crate::NoShowModelStore
        + crate::AnalyticsStore
        + crate::CampaignStore
{
}

pub type DynStore = Arc<dyn Store>;
