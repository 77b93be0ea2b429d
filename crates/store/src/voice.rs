//! Storage for voice calls, their transcripts and the raw provider payloads kept for audit.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::voice::{Call, CallOutcome, CallStatus, OutcomeTally, TranscriptTurn};
use frontdesk_domain::{CallId, PatientId, TenantId};
use jiff::Timestamp;
use serde_json::Value;

#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub status: Option<CallStatus>,
    pub outcome: Option<CallOutcome>,
    pub patient_id: Option<PatientId>,
    /// Calls created at or after this instant.
    pub from: Option<Timestamp>,
    /// Calls created before this instant.
    pub to: Option<Timestamp>,
}

/// A provider payload as received (a VAPI server message, a generic webhook body).
#[derive(Debug, Clone, PartialEq)]
pub struct CallPayload {
    pub call_id: CallId,
    /// The message type (`end-of-call-report`, `status-update`...).
    pub kind: String,
    pub payload: Value,
    pub received_at: Timestamp,
}

#[async_trait]
pub trait CallStore: Send + Sync {
    /// Stores a new call and, in the same transaction, the jobs that act on it (placing
    /// it, retrying it). `Conflict` if the provider call id is already stored for the
    /// tenant and provider.
    async fn insert_call(&self, call: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()>;
    /// Saves every mutable field of an existing call and, in the same transaction, enqueues
    /// `jobs` (follow-ups decided from its outcome). `NotFound` if it does not exist.
    async fn save_call(&self, call: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()>;
    async fn get_call(&self, tenant: TenantId, id: CallId) -> StoreResult<Option<Call>>;
    async fn call_by_provider_id(
        &self,
        tenant: TenantId,
        provider: &str,
        provider_call_id: &str,
    ) -> StoreResult<Option<Call>>;
    /// Newest first; the cursor is the last call's id.
    async fn list_calls(
        &self,
        tenant: TenantId,
        filter: &CallFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Call>>;
    /// Replaces the call's transcript (a repeated end-of-call report leaves one copy).
    /// `NotFound` if the tenant has no such call.
    async fn replace_transcript(
        &self,
        tenant: TenantId,
        call: CallId,
        turns: &[TranscriptTurn],
    ) -> StoreResult<()>;
    /// In spoken order.
    async fn transcript(&self, tenant: TenantId, call: CallId) -> StoreResult<Vec<TranscriptTurn>>;
    /// `NotFound` if the tenant has no such call.
    async fn record_call_payload(&self, tenant: TenantId, payload: &CallPayload) -> StoreResult<()>;
    /// Oldest first.
    async fn call_payloads(&self, tenant: TenantId, call: CallId) -> StoreResult<Vec<CallPayload>>;
    /// Per-outcome counts, summed durations and costs of the calls created in
    /// `[from, to)`; the input of `TelephonyFacts::from_tallies`.
    async fn call_tallies(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OutcomeTally>>;
}
