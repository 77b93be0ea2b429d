//! Storage for patients' conversations, their messages and consent decisions.

use crate::{StoreResult, Versioned};
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::messaging::{
    Channel, Consent, Conversation, ConversationStatus, Message, MessageStatus, MessageText,
};
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::{ConversationId, MessageId, PatientId, TenantId};
use jiff::Timestamp;

#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub status: Option<ConversationStatus>,
    pub channel: Option<Channel>,
    pub patient_id: Option<PatientId>,
    pub assignee: Option<String>,
    /// Case- and accent-insensitive text search in message bodies and voice-note transcripts.
    pub text: Option<String>,
}

#[async_trait]
pub trait MessagingStore: Send + Sync {
    /// The patient's conversation on `channel`, created (from `template`) if there is none.
    async fn conversation_for(&self, template: &Conversation) -> StoreResult<Conversation>;
    /// Saves status, assignee, flags and timestamps of an existing conversation.
    async fn save_conversation(&self, conversation: &Conversation) -> StoreResult<()>;
    /// `save_conversation`, only if the conversation is still at `expected_version`; returns
    /// the new version. `Conflict::Stale` if it changed meanwhile, `NotFound` if absent.
    async fn save_conversation_if(
        &self,
        conversation: &Conversation,
        expected_version: i64,
    ) -> StoreResult<i64>;
    async fn get_conversation_versioned(
        &self,
        tenant: TenantId,
        id: ConversationId,
    ) -> StoreResult<Option<Versioned<Conversation>>>;
    async fn get_conversation(
        &self,
        tenant: TenantId,
        id: ConversationId,
    ) -> StoreResult<Option<Conversation>>;
    /// Most recently active first; the cursor is the last conversation's id.
    async fn list_conversations(
        &self,
        tenant: TenantId,
        filter: &ConversationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Conversation>>;
    /// `Conflict` if the provider message id was stored before (a retried webhook).
    async fn insert_message(&self, message: &Message) -> StoreResult<()> {
        self.insert_message_with_jobs(message, &[], message.created_at).await
    }
    /// `insert_message`, and the jobs that follow from it (its delivery), in one
    /// transaction: a message is never filed without them.
    async fn insert_message_with_jobs(
        &self,
        message: &Message,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Records a status change of an existing message (status, error, provider id and
    /// update time) if its stored status is still `was`. Two writers racing on one message
    /// (a provider's status callback and a send job run again after its lease ran out)
    /// cannot overwrite each other: the later one gets `false` (also when the message is
    /// gone), reloads and decides again. The transcript has its own method.
    async fn save_message_status(&self, message: &Message, was: MessageStatus) -> StoreResult<bool>;
    /// Stores what a voice note said on its message, replacing an earlier transcript, and
    /// makes conversation text search find it. `NotFound` for another tenant's message.
    async fn set_message_transcript(
        &self,
        tenant: TenantId,
        id: MessageId,
        transcript: &MessageText,
    ) -> StoreResult<()>;
    async fn get_message(&self, tenant: TenantId, id: MessageId) -> StoreResult<Option<Message>>;
    async fn message_by_provider_id(
        &self,
        tenant: TenantId,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<Message>>;
    /// Oldest first.
    async fn list_messages(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
    ) -> StoreResult<Vec<Message>>;
    /// The tenant's messages created in `[from, to)`, every conversation, newest first; the
    /// cursor is the last message's id (exports page through a period with it).
    async fn list_messages_between(
        &self,
        tenant: TenantId,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
        page: PageRequest,
    ) -> StoreResult<Page<Message>>;
    /// The messages the patient sent in the conversation from `since` on, newest first, at
    /// most `limit` (what the dialogue looks at before a turn: a flood, an earlier message
    /// still being answered).
    async fn recent_inbound(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
        since: jiff::Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Conversations whose patient's tone turned negative in `[from, to)`, the latest turn
    /// first, at most `limit`.
    async fn conversations_turned_negative(
        &self,
        tenant: TenantId,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;
    /// Messages that could not be delivered since `since`, newest first: what staff must
    /// look at (a patient who was never told).
    async fn failed_messages(
        &self,
        tenant: TenantId,
        since: jiff::Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    async fn record_consent(
        &self,
        tenant: TenantId,
        patient: PatientId,
        consent: &Consent,
    ) -> StoreResult<()> {
        self.record_consent_with_jobs(tenant, patient, consent, &[], consent.at).await
    }
    /// `record_consent` and the jobs that react to it (the opt-out fact's), in one transaction.
    async fn record_consent_with_jobs(
        &self,
        tenant: TenantId,
        patient: PatientId,
        consent: &Consent,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Oldest first.
    async fn consents(&self, tenant: TenantId, patient: PatientId) -> StoreResult<Vec<Consent>>;
    /// `user` has read `conversation` up to `at` (a later mark wins; an earlier one
    /// changes nothing, so a slow request cannot make messages unread again).
    async fn mark_read(
        &self,
        tenant: TenantId,
        user: frontdesk_domain::UserId,
        conversation: ConversationId,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// For `user`: the conversations with patient messages they have not read, and how
    /// many.
    async fn unread_counts(
        &self,
        tenant: TenantId,
        user: frontdesk_domain::UserId,
    ) -> StoreResult<Vec<(ConversationId, u64)>>;
}
