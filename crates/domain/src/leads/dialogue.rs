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
