//! One message in a conversation, with its text masked against logs and its delivery
//! status guarded by `advance`.

use super::channel::{Channel, Direction};
use super::status::{MessageStatus, advance};
use crate::{ConversationId, MessageId, PatientId, TenantId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a patient or the clinic wrote. Health questions, symptoms and names travel in
/// here, so it masks itself in `Debug` and `Display` like the types in `contact`; the
/// text is only reachable through `as_str`. Kept verbatim (not trimmed): it is a record.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageText(String);

impl MessageText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
    /// Nothing but whitespace: a media-only message or an empty reply.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for MessageText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageText(***)")
    }
}

impl fmt::Display for MessageText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for MessageText {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// An attachment: a photo of an exam, a voice note, a PDF. The URL is the provider's
/// (Twilio's needs the account's credentials to fetch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub url: String,
    pub content_type: String,
}

impl Media {
    /// WhatsApp voice notes arrive as `audio/ogg`; the dialogue asks the patient to type
    /// when no transcriber is configured.
    pub fn is_audio(&self) -> bool {
        self.content_type.trim_start().to_ascii_lowercase().starts_with("audio/")
    }
}

/// Who had a message sent: the assistant answering the patient (the dialogue, its safety
/// and consent replies, n8n flows), the clinic's automation (reminders, campaigns, lead
/// outreach, waitlist offers, call follow-ups) or a person on the staff (the staff app, the
/// API). For "AI vs staff handling" in the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    #[serde(rename = "ai")]
    Assistant,
    Automation,
    Staff,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assistant => "ai",
            Self::Automation => "automation",
            Self::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub tenant_id: TenantId,
    pub conversation_id: ConversationId,
    pub patient_id: PatientId,
    pub direction: Direction,
    pub channel: Channel,
    /// `None` for a media-only message or a WhatsApp template sent by id.
    pub body: Option<MessageText>,
    pub media: Vec<Media>,
    /// What the patient said in a voice note, once it has been transcribed; masked like
    /// `body`. `None` for text messages and audio nothing could transcribe.
    #[serde(default)]
    pub transcript: Option<MessageText>,
    /// The template it was rendered from (a `TemplateKey` name or a provider template id).
    pub template: Option<String>,
    /// `twilio`, `helena` or `sandbox`.
    pub provider: String,
    /// The provider's id (Twilio's MessageSid); inbound messages are deduplicated on it.
    /// `None` until an outbound message has been accepted by the provider.
    pub provider_message_id: Option<String>,
    pub status: MessageStatus,
    /// The provider's error code (Twilio's `ErrorCode`, e.g. `63016`), set with a failure.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Message {
    /// Applies a status reported by the provider at `at`. Ignored (returns `false`) when
    /// `advance` says the report is stale or a duplicate. A failure records its error;
    /// a later receipt clears it, since the error no longer describes the message.
    pub fn apply_status(
        &mut self,
        incoming: MessageStatus,
        error_code: Option<String>,
        error_message: Option<String>,
        at: Timestamp,
    ) -> bool {
        let Some(next) = advance(self.status, incoming) else {
            return false;
        };
        self.status = next;
        if next.is_failure() {
            self.error_code = error_code;
            self.error_message = error_message;
        } else {
            self.error_code = None;
            self.error_message = None;
        }
        self.updated_at = self.updated_at.max(at);
        true
    }

    /// The form the message's text is searched in (see [`search_key`]): the body and the
    /// transcript of a voice note, one per line; `None` when it has neither.
    pub fn search_text(&self) -> Option<String> {
        let parts: Vec<&str> =
            [&self.body, &self.transcript].into_iter().flatten().map(MessageText::as_str).collect();
        (!parts.is_empty()).then(|| search_key(&parts.join("\n")))
    }

    /// Whether the patient sent a voice note or other audio and nothing else to read.
    pub fn is_voice_only(&self) -> bool {
        self.body.as_ref().is_none_or(MessageText::is_blank)
            && !self.media.is_empty()
            && self.media.iter().all(Media::is_audio)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbound() -> Message {
        let at: Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
        Message {
            id: MessageId::new(),
            tenant_id: TenantId::new(),
            conversation_id: ConversationId::new(),
            patient_id: PatientId::new(),
            direction: Direction::Outbound,
            channel: Channel::Whatsapp,
            body: Some(MessageText::new("Olá Maria, sua consulta é amanhã")),
            media: vec![],
            transcript: None,
            template: None,
            provider: "twilio".into(),
            provider_message_id: Some("SM123".into()),
            status: MessageStatus::Queued,
            error_code: None,
            error_message: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn text_is_masked_but_serialized_verbatim() {
        let m = outbound();
        let shown = format!("{m:?} {}", m.body.as_ref().unwrap());
        assert!(!shown.contains("Maria") && !shown.contains("consulta"), "{shown}");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["body"], "Olá Maria, sua consulta é amanhã");
        assert_eq!(json["status"], "queued");
        assert_eq!(serde_json::from_value::<Message>(json).unwrap(), m);
    }

    #[test]
    fn transcript_is_masked_serialized_and_searched() {
        let mut m = outbound();
        m.body = None;
        m.transcript = Some(MessageText::new("Quero marcar uma LIMPEZA amanhã"));
        let shown = format!("{m:?}");
        assert!(!shown.contains("LIMPEZA") && !shown.contains("marcar"), "{shown}");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["transcript"], "Quero marcar uma LIMPEZA amanhã");
        assert_eq!(serde_json::from_value::<Message>(json).unwrap(), m);
        assert_eq!(m.search_text().as_deref(), Some("quero marcar uma limpeza amanha"));
        m.body = Some(MessageText::new("Áudio"));
        assert_eq!(m.search_text().as_deref(), Some("audio\nquero marcar uma limpeza amanha"));
        m.transcript = None;
        assert_eq!(m.search_text().as_deref(), Some("audio"));
        m.body = None;
        assert_eq!(m.search_text(), None);
        // Messages serialized before transcripts existed still read.
        let mut old = serde_json::to_value(outbound()).unwrap();
        old.as_object_mut().unwrap().remove("transcript");
        assert_eq!(serde_json::from_value::<Message>(old).unwrap().transcript, None);
    }

    #[test]
    fn status_updates_follow_advance_and_carry_errors() {
        let mut m = outbound();
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(m.apply_status(
            MessageStatus::Undelivered,
            Some("63016".into()),
            None,
            t("2026-03-01T10:01:00Z")
        ));
        assert_eq!(m.error_code.as_deref(), Some("63016"));
        assert!(!m.apply_status(MessageStatus::Sent, None, None, t("2026-03-01T10:02:00Z")));
        assert_eq!(m.status, MessageStatus::Undelivered);
        assert_eq!(m.updated_at, t("2026-03-01T10:01:00Z"));
        assert!(m.apply_status(MessageStatus::Read, None, None, t("2026-03-01T10:03:00Z")));
        assert_eq!((m.status, m.error_code.as_deref()), (MessageStatus::Read, None));
    }

    #[test]
    fn voice_notes_are_recognised() {
        let mut m = outbound();
        m.body = None;
        m.media = vec![Media { url: "https://x/y".into(), content_type: "audio/ogg".into() }];
        assert!(m.is_voice_only());
        m.body = Some(MessageText::new("  "));
        assert!(m.is_voice_only());
        m.body = Some(MessageText::new("segue o áudio"));
        assert!(!m.is_voice_only());
        m.body = None;
        m.media.push(Media { url: "https://x/z".into(), content_type: "image/jpeg".into() });
        assert!(!m.is_voice_only());
    }
}

/// The form message text is searched in: lower case, accents removed, compatibility
/// characters folded, so "convênio", "CONVENIO" and "Convênio" all find each other.
pub fn search_key(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod search_key_tests {
    #[test]
    fn folds_case_and_accents() {
        assert_eq!(super::search_key("Vocês atendem CONVÊNIO?"), "voces atendem convenio?");
    }
}
