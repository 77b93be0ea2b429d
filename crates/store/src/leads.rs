//! Storage for leads, their timeline events, and the WhatsApp booking dialogue's state.

use crate::{StoreResult, Versioned};
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::leads::{Dialogue, Lead, LeadEvent, LeadSource, LeadStage, Temperature};
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::{ConversationId, LeadId, PatientId, TenantId};
use jiff::Timestamp;

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub stage: Option<LeadStage>,
    pub temperature: Option<Temperature>,
    pub source: Option<LeadSource>,
    pub patient_id: Option<PatientId>,
    /// Leads created at or after this instant.
    pub from: Option<Timestamp>,
    /// Leads created before this instant.
    pub to: Option<Timestamp>,
}

#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Stores a new lead with its first timeline events and jobs, in one transaction.
    /// `Conflict` if the id is taken; `NotFound` (and nothing stored) if the tenant has no
    /// such patient, or an event names a lead its tenant does not have.
    async fn insert_lead(
        &self,
        lead: &Lead,
        events: &[LeadEvent],
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Saves every mutable field (all but id, tenant and creation time), appends events and
    /// enqueues jobs, in one transaction. `NotFound` (and nothing stored or enqueued) if the
    /// tenant has no such lead or patient, or an event names a lead its tenant does not have.
    async fn save_lead(
        &self,
        lead: &Lead,
        events: &[LeadEvent],
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn get_lead(&self, tenant: TenantId, id: LeadId) -> StoreResult<Option<Lead>>;
    async fn get_lead_versioned(&self, tenant: TenantId, id: LeadId) -> StoreResult<Option<Versioned<Lead>>>;
    /// `save_lead`, only if the lead is still at `expected_version`; returns the new
    /// version. `Conflict::Stale` (and nothing stored or enqueued) if it changed meanwhile.
    async fn save_lead_if(
        &self,
        lead: &Lead,
        expected_version: i64,
        events: &[LeadEvent],
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<i64>;
    /// Newest first; the cursor is the last lead's id.
    async fn list_leads(
        &self,
        tenant: TenantId,
        filter: &LeadFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Lead>>;
    /// The patient's most recent lead created at or after `since` (for merging duplicates).
    async fn recent_lead_for_patient(
        &self,
        tenant: TenantId,
        patient: PatientId,
        since: Timestamp,
    ) -> StoreResult<Option<Lead>>;
    /// The patient's most recent lead, whatever its age (for moving its stage on booking
    /// events).
    async fn latest_lead_for_patient(
        &self,
        tenant: TenantId,
        patient: PatientId,
    ) -> StoreResult<Option<Lead>>;
    /// Oldest first.
    async fn lead_events(&self, tenant: TenantId, lead: LeadId) -> StoreResult<Vec<LeadEvent>>;
}

#[async_trait]
pub trait DialogueStore: Send + Sync {
    /// The conversation's dialogue as stored, expired or not.
    async fn get_dialogue(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
    ) -> StoreResult<Option<Dialogue>>;
    /// With `expected_version` `None`, inserts the dialogue at version 1: `Conflict` if the
    /// conversation has one already, `NotFound` if the tenant has no such conversation with
    /// that patient. With `Some(v)`, updates the stored state and times only if its
    /// version is still `v`, to version `v + 1`: `Conflict` if it moved on (another
    /// message got there first), `NotFound` if there is none (deleted meanwhile, or
    /// another tenant's). `dialogue.version` is not read. Returns the new version.
    async fn save_dialogue(&self, dialogue: &Dialogue, expected_version: Option<i64>) -> StoreResult<i64>;
    /// Deletes the conversation's dialogue; deleting one that is not there (already
    /// deleted, or another tenant's) changes nothing and is not an error.
    async fn delete_dialogue(&self, tenant: TenantId, conversation: ConversationId) -> StoreResult<()>;
}
