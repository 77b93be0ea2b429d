//! The persisted state of the WhatsApp booking dialogue of one conversation. The dialogue
//! engine owns what `state` means; storage only keeps it, versioned so that two messages
//! handled at once cannot both advance the same state (optimistic concurrency).

use crate::{ConversationId, PatientId, TenantId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dialogue {
    pub tenant_id: TenantId,
    /// At most one dialogue per conversation.
    pub conversation_id: ConversationId,
    pub patient_id: PatientId,
    /// The engine's state (step, offered slots, chosen service...).
    pub state: Value,
    /// The stored version: 1 once inserted, one more with every update. The store sets it
    /// on save (see `DialogueStore::save_dialogue`); a value set here is not written.
    pub version: i64,
    pub updated_at: Timestamp,
    /// After this instant the dialogue is stale: the engine starts over.
    pub expires_at: Timestamp,
}

impl Dialogue {
    /// A dialogue not yet stored (version 0), alive for `ttl`.
    pub fn new(
        tenant_id: TenantId,
        conversation_id: ConversationId,
        patient_id: PatientId,
        state: Value,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Self {
        Self {
            tenant_id,
            conversation_id,
            patient_id,
            state,
            version: 0,
            updated_at: now,
            expires_at: now + ttl,
        }
    }

    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_after_its_ttl() {
        let now: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let d = Dialogue::new(
            TenantId::new(),
            ConversationId::new(),
            PatientId::new(),
            serde_json::json!({"step": "ask_service"}),
            now,
            SignedDuration::from_hours(24),
        );
        assert_eq!(d.version, 0);
        assert!(!d.is_expired(now + SignedDuration::from_hours(23)));
        assert!(d.is_expired(now + SignedDuration::from_hours(24)));
    }
}

/// The dialogue section of a tenant's settings (`dialogue`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DialogueSettings {
    /// Answer patients automatically; off leaves every conversation to staff.
    pub enabled: bool,
    /// A dialogue idle this long starts over.
    pub idle_hours: u32,
    /// Answers to common questions; a question no entry matches goes to staff.
    pub faq: Vec<super::faq::FaqEntry>,
    /// An OpenAI-compatible `/audio/transcriptions` server for voice notes (a local
    /// Whisper, say). Without one, a patient who sends audio is asked to type.
    pub transcriber: Option<ModelEndpoint>,
}

impl Default for DialogueSettings {
    fn default() -> Self {
        Self { enabled: true, idle_hours: 24, faq: Vec::new(), transcriber: None }
    }
}

/// An OpenAI-compatible model server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEndpoint {
    /// Up to the version segment: `https://api.openai.com/v1`, `http://127.0.0.1:8000/v1`.
    pub base_url: String,
    /// Write-only; local servers often need none.
    #[serde(default)]
    pub api_key: Option<String>,
    pub model: String,
}

impl std::fmt::Debug for ModelEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelEndpoint")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("model", &self.model)
            .finish()
    }
}

impl DialogueSettings {
    pub fn masked(&self) -> Self {
        let mut shown = self.clone();
        if let Some(key) = shown.transcriber.as_mut().and_then(|t| t.api_key.as_mut()) {
            *key = crate::settings::MASK.into();
        }
        shown
    }

    pub fn keep_secrets_from(&mut self, previous: &DialogueSettings) {
        if let (Some(key), Some(old)) = (
            self.transcriber.as_mut().and_then(|t| t.api_key.as_mut()),
            previous.transcriber.as_ref().and_then(|t| t.api_key.as_ref()),
        ) && key == crate::settings::MASK
        {
            *key = old.clone();
        }
    }
}
