//! Values that cross the store boundary but are not domain rules themselves.

use frontdesk_domain::api_key::KeyHash;
use frontdesk_domain::api_key_scope::ScopeSet;
use frontdesk_domain::jobs::Job;
use frontdesk_domain::{ApiKeyId, EventId, JobId, TenantId};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub tenant_id: TenantId,
    pub prefix: String,
    pub hash: KeyHash,
    pub name: String,
    pub scopes: ScopeSet,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub tenant_id: TenantId,
    pub prefix: String,
    pub name: String,
    pub hash: KeyHash,
    pub scopes: ScopeSet,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// Result of an enqueue: a new job, or the live job already holding the dedupe key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    Created(JobId),
    Duplicate(JobId),
}

impl Enqueued {
    pub fn id(&self) -> JobId {
        match self {
            Self::Created(id) | Self::Duplicate(id) => *id,
        }
    }
}

/// A worker's request for due jobs.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRequest {
    /// Identifies this claim; completing or failing a job requires the same token, so a
    /// worker whose lease expired cannot overwrite the work of the one that reclaimed it.
    pub lease_token: Uuid,
    pub now: Timestamp,
    pub lease: SignedDuration,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueStats {
    /// Jobs queued or running.
    pub depth: u64,
    /// Queued jobs whose `run_at` has passed.
    pub due: u64,
    pub oldest_due_at: Option<Timestamp>,
}

/// A raw provider event, kept for audit and deduplicated by the provider's own id.
#[derive(Debug, Clone)]
pub struct NewInboundEvent {
    pub tenant_id: TenantId,
    pub provider: String,
    pub external_id: String,
    pub kind: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedEvent {
    pub id: EventId,
    /// True when the event had been recorded before: nothing was changed this time.
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboundEvent {
    pub id: EventId,
    pub tenant_id: TenantId,
    pub provider: String,
    pub external_id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub received_at: Timestamp,
}

/// Filter for listing a tenant's jobs.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub status: Option<frontdesk_domain::jobs::JobStatus>,
    pub kind: Option<String>,
}

pub type JobList = frontdesk_domain::page::Page<Job>;

/// A record with the version it was read at (optimistic concurrency): save it back with
/// that version, and the save fails with `Conflict::Stale` if anyone changed it meanwhile.
/// Every write of the record moves the version on, versioned or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: i64,
}
