//! The persisted state of the WhatsApp booking dialogue of one conversation. The dialogue
//! engine owns what `state` means; storage only keeps it, versioned so that two messages
//! handled at once cannot both advance the same state (optimistic concurrency).

use crate::{ConversationId, PatientId, TenantId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

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
    /// An OpenAI-compatible chat model asked for a second opinion on each message's intent;
    /// it overrides the rules when surer, and on a timeout or error the rules answer.
    pub classifier: Option<ModelEndpoint>,
    /// An OpenAI-compatible chat model with tool calling, for the staff's questions about
    /// the figures that the assistant's own reader cannot map (docs/assistant.md); it may
    /// only call the read-only tools.
    pub assistant_model: Option<ModelEndpoint>,
    /// The clinic's own n8n workflow: patient messages are forwarded to it (except the
    /// answer to offered slots, which the built-in dialogue books), and it calls back to
    /// send the next question, name the department, or book/cancel/confirm.
    pub n8n: Option<N8nSettings>,
    /// The clinic's own words for its services, keyed by service id or exact name:
    /// `{"Clareamento": ["dentes brancos", "whitening"]}`. A message using one names that
    /// service; built-in specialty words in pt-BR and English ("cardio", "skin doctor",
    /// "check-up") and typos are matched without any (see `nlu::services`).
    pub service_synonyms: BTreeMap<String, Vec<String>>,
}

/// Limits on `service_synonyms`: generous for a clinic, small enough to match per message.
pub const MAX_SYNONYM_KEYS: usize = 200;
pub const MAX_SYNONYMS_PER_SERVICE: usize = 50;
pub const MAX_SYNONYM_CHARS: usize = 100;

impl Default for DialogueSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            idle_hours: 24,
            faq: Vec::new(),
            transcriber: None,
            classifier: None,
            assistant_model: None,
            n8n: None,
            service_synonyms: BTreeMap::new(),
        }
    }
}

/// Where and how patient messages reach a clinic's n8n workflow, and the token its
/// callbacks carry.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct N8nSettings {
    /// The workflow's Webhook node (`https://n8n.example.com/webhook/frontdesk`).
    pub webhook_url: String,
    /// The header `auth_value` is sent in (n8n's "Header Auth" credential).
    #[serde(default = "default_auth_header")]
    pub auth_header: String,
    /// Write-only: shown masked. `Bearer xyz`, or whatever the webhook's credential expects.
    #[serde(default)]
    pub auth_value: Option<String>,
    /// Write-only: shown masked. n8n sends it back as `Authorization: Bearer <token>` on the
    /// callbacks (`/webhooks/n8n/{tenant}/...`); at least 16 characters.
    pub callback_token: String,
}

fn default_auth_header() -> String {
    "Authorization".into()
}

/// The shortest callback token accepted: anything shorter is guessable.
pub const MIN_CALLBACK_TOKEN_LEN: usize = 16;

impl std::fmt::Debug for N8nSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("N8nSettings")
            .field("webhook_url", &self.webhook_url)
            .field("auth_header", &self.auth_header)
            .field("auth_value", &self.auth_value.as_ref().map(|_| "***"))
            .field("callback_token", &"***")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogueSettingsError {
    #[error("n8n.webhook_url must be an http:// or https:// URL")]
    WebhookUrl,
    #[error("n8n.auth_header must be an HTTP header name (letters, digits, '-')")]
    AuthHeader,
    #[error("n8n.auth_value must be one line of printable characters, and not the mask")]
    AuthValue,
    #[error(
        "n8n.callback_token must be set: at least {MIN_CALLBACK_TOKEN_LEN} printable characters, no spaces"
    )]
    CallbackToken,
    #[error(
        "service_synonyms: at most {MAX_SYNONYM_KEYS} services, {MAX_SYNONYMS_PER_SERVICE} words each, \
         each word 1 to {MAX_SYNONYM_CHARS} characters on one line"
    )]
    ServiceSynonyms,
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
    pub fn validate(&self) -> Result<(), DialogueSettingsError> {
        use DialogueSettingsError as E;
        let bad_word = |w: &String| {
            w.trim().is_empty() || w.chars().count() > MAX_SYNONYM_CHARS || w.chars().any(char::is_control)
        };
        if self.service_synonyms.len() > MAX_SYNONYM_KEYS
            || self.service_synonyms.iter().any(|(key, words)| {
                bad_word(key) || words.len() > MAX_SYNONYMS_PER_SERVICE || words.iter().any(bad_word)
            })
        {
            return Err(E::ServiceSynonyms);
        }
        let Some(n) = &self.n8n else { return Ok(()) };
        let url = n.webhook_url.trim();
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        if rest.is_none_or(|r| r.is_empty() || r.starts_with('/'))
            || url.len() != n.webhook_url.len()
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(E::WebhookUrl);
        }
        if n.auth_header.is_empty()
            || !n.auth_header.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(E::AuthHeader);
        }
        if n.auth_value.as_deref().is_some_and(|v| {
            v.trim().is_empty() || v == crate::settings::MASK || v.chars().any(|c| c.is_control())
        }) {
            return Err(E::AuthValue);
        }
        let token = &n.callback_token;
        if token.len() < MIN_CALLBACK_TOKEN_LEN
            || token == crate::settings::MASK
            || !token.chars().all(|c| c.is_ascii_graphic())
        {
            return Err(E::CallbackToken);
        }
        Ok(())
    }

    pub fn masked(&self) -> Self {
        let mut shown = self.clone();
        for endpoint in
            [shown.transcriber.as_mut(), shown.classifier.as_mut(), shown.assistant_model.as_mut()]
                .into_iter()
                .flatten()
        {
            if let Some(key) = endpoint.api_key.as_mut() {
                *key = crate::settings::MASK.into();
            }
        }
        if let Some(n) = shown.n8n.as_mut() {
            if let Some(value) = n.auth_value.as_mut() {
                *value = crate::settings::MASK.into();
            }
            n.callback_token = crate::settings::MASK.into();
        }
        shown
    }

    pub fn keep_secrets_from(&mut self, previous: &DialogueSettings) {
        let pairs = [
            (self.transcriber.as_mut(), previous.transcriber.as_ref()),
            (self.classifier.as_mut(), previous.classifier.as_ref()),
            (self.assistant_model.as_mut(), previous.assistant_model.as_ref()),
        ];
        for (new, old) in pairs {
            if let (Some(key), Some(old)) =
                (new.and_then(|t| t.api_key.as_mut()), old.and_then(|t| t.api_key.as_ref()))
                && key == crate::settings::MASK
            {
                *key = old.clone();
            }
        }
        if let (Some(new), Some(old)) = (self.n8n.as_mut(), previous.n8n.as_ref()) {
            if let (Some(value), Some(old_value)) = (new.auth_value.as_mut(), old.auth_value.as_ref())
                && value == crate::settings::MASK
            {
                *value = old_value.clone();
            }
            if new.callback_token == crate::settings::MASK {
                new.callback_token = old.callback_token.clone();
            }
        }
    }
}

#[cfg(test)]
mod n8n_tests {
    use super::*;
    use crate::settings::MASK;

    fn with_n8n() -> DialogueSettings {
        let json = serde_json::json!({"n8n": {"webhook_url": "https://n8n.example.com/webhook/fd",
            "auth_value": "Bearer abc", "callback_token": "0123456789abcdef"}});
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn n8n_secrets_are_masked_kept_and_validated() {
        let s = with_n8n();
        assert_eq!(s.n8n.as_ref().unwrap().auth_header, "Authorization");
        assert_eq!(s.validate(), Ok(()));
        let shown = s.masked();
        let n = shown.n8n.as_ref().unwrap();
        assert_eq!((n.auth_value.as_deref(), n.callback_token.as_str()), (Some(MASK), MASK));
        assert!(!format!("{s:?}").contains("abc"));
        let mut back = shown.clone();
        back.keep_secrets_from(&s);
        assert_eq!(back, s);
        let bad = |f: fn(&mut N8nSettings)| {
            let mut s = with_n8n();
            f(s.n8n.as_mut().unwrap());
            s.validate().unwrap_err()
        };
        assert_eq!(bad(|n| n.webhook_url = "ftp://x".into()), DialogueSettingsError::WebhookUrl);
        assert_eq!(bad(|n| n.webhook_url = "https://".into()), DialogueSettingsError::WebhookUrl);
        assert_eq!(bad(|n| n.auth_header = "X Auth".into()), DialogueSettingsError::AuthHeader);
        assert_eq!(bad(|n| n.auth_value = Some("a\nb".into())), DialogueSettingsError::AuthValue);
        assert_eq!(bad(|n| n.callback_token = "short".into()), DialogueSettingsError::CallbackToken);
        assert_eq!(bad(|n| n.callback_token = MASK.into()), DialogueSettingsError::CallbackToken);
    }
}

#[cfg(test)]
mod synonym_tests {
    use super::*;

    #[test]
    fn service_synonyms_default_empty_and_are_bounded() {
        let settings: DialogueSettings = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(settings.service_synonyms.is_empty());
        let settings: DialogueSettings =
            serde_json::from_value(serde_json::json!({"service_synonyms": {"Clareamento": ["whitening"]}}))
                .unwrap();
        assert_eq!(settings.validate(), Ok(()));
        for bad in [
            serde_json::json!({"Clareamento": [""]}),
            serde_json::json!({"Clareamento": ["a\nb"]}),
            serde_json::json!({"Clareamento": ["x".repeat(101)]}),
            serde_json::json!({" ": ["whitening"]}),
        ] {
            let settings: DialogueSettings =
                serde_json::from_value(serde_json::json!({"service_synonyms": bad})).unwrap();
            assert_eq!(settings.validate(), Err(DialogueSettingsError::ServiceSynonyms), "{bad}");
        }
    }
}
