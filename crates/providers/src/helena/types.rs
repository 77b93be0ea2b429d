//! Provider-neutral shapes of Helena's webhook events and sends. Values holding a phone,
//! a name, an e-mail or message text are masked in `Debug`.

use jiff::Timestamp;
use std::collections::BTreeMap;
use std::fmt;

/// A message's status as Helena names it (`PROVIDERS.md` section 3). Unknown values are
/// kept, not refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HelenaMessageStatus {
    Processing,
    Saved,
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
    Deleted,
    WaitReply,
    Other(String),
}

impl HelenaMessageStatus {
    pub fn from_wire(value: &str) -> Self {
        match value.trim() {
            "PROCESSING" => Self::Processing,
            "SAVED" => Self::Saved,
            "QUEUED" => Self::Queued,
            "SENT" => Self::Sent,
            "DELIVERED" => Self::Delivered,
            "READ" => Self::Read,
            "FAILED" => Self::Failed,
            "DELETED" => Self::Deleted,
            "WAIT_REPLY" => Self::WaitReply,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Processing => "PROCESSING",
            Self::Saved => "SAVED",
            Self::Queued => "QUEUED",
            Self::Sent => "SENT",
            Self::Delivered => "DELIVERED",
            Self::Read => "READ",
            Self::Failed => "FAILED",
            Self::Deleted => "DELETED",
            Self::WaitReply => "WAIT_REPLY",
            Self::Other(other) => other,
        }
    }
}

/// Who wrote a message: the contact (`FROM_HUB`) or an agent or bot (`TO_HUB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelenaDirection {
    FromContact,
    ToContact,
    Other(String),
}

impl HelenaDirection {
    pub(crate) fn from_wire(value: &str) -> Self {
        match value.trim() {
            "FROM_HUB" => Self::FromContact,
            "TO_HUB" => Self::ToContact,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// An attachment named in `details.file`.
#[derive(Clone, PartialEq, Eq)]
pub struct HelenaFile {
    pub url: Option<String>,
    pub content_type: Option<String>,
    pub name: Option<String>,
}

impl fmt::Debug for HelenaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaFile")
            .field("url", &self.url.as_ref().map(|_| "[redacted]"))
            .field("content_type", &self.content_type)
            .field("name", &self.name.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// `MESSAGE_RECEIVED`: a message in a Helena session, normally from the contact.
#[derive(Clone, PartialEq, Eq)]
pub struct HelenaInboundMessage {
    /// Helena's message id; the deduplication key.
    pub message_id: String,
    pub session_id: Option<String>,
    pub contact_id: Option<String>,
    /// The sender's phone when Helena includes it (`details.from`; not always present,
    /// in which case the session leads to the contact).
    pub from: Option<String>,
    pub text: Option<String>,
    /// `TEXT`, `IMAGE`, `AUDIO`, `DOCUMENT`...
    pub message_type: Option<String>,
    pub direction: HelenaDirection,
    pub sent_at: Option<Timestamp>,
    pub file: Option<HelenaFile>,
    /// The `refId` given when the message was sent through the API, if any.
    pub ref_id: Option<String>,
}

impl fmt::Debug for HelenaInboundMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaInboundMessage")
            .field("message_id", &self.message_id)
            .field("session_id", &self.session_id)
            .field("contact_id", &self.contact_id)
            .field("from", &self.from.as_ref().map(|_| "[redacted]"))
            .field("text", &self.text.as_ref().map(|t| format!("[{} chars]", t.chars().count())))
            .field("message_type", &self.message_type)
            .field("direction", &self.direction)
            .field("sent_at", &self.sent_at)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

/// `MESSAGE_UPDATED`: a message's new status.
#[derive(Clone, PartialEq, Eq)]
pub struct HelenaStatusUpdate {
    pub message_id: String,
    pub status: HelenaMessageStatus,
    pub session_id: Option<String>,
    /// The `senderId` this client sent with the message, which ties the update to a send.
    pub sender_id: Option<String>,
    pub ref_id: Option<String>,
    /// A short description of `details.errors`, with number-like runs masked.
    pub error: Option<String>,
}

impl fmt::Debug for HelenaStatusUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaStatusUpdate")
            .field("message_id", &self.message_id)
            .field("status", &self.status)
            .field("session_id", &self.session_id)
            .field("sender_id", &self.sender_id)
            .field("ref_id", &self.ref_id)
            .field("error", &self.error.is_some())
            .finish()
    }
}

/// Which event announced a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelenaContactKind {
    ContactNew,
    SessionNew,
    PanelCardNew,
}

/// `CONTACT_NEW`, `SESSION_NEW` or `PANEL_CARD_NEW`: someone new to identify (a patient,
/// and a lead for the funnel). Every field is optional because these payloads are only
/// partly documented; the ids present depend on the kind.
#[derive(Clone, PartialEq, Eq)]
pub struct HelenaContactEvent {
    pub kind: HelenaContactKind,
    pub contact_id: Option<String>,
    pub session_id: Option<String>,
    pub card_id: Option<String>,
    pub name: Option<String>,
    /// The phone with Helena's `|` separator removed (`+55|11999998888` → `+5511999998888`).
    pub phone: Option<String>,
    pub email: Option<String>,
    pub channel_id: Option<String>,
    /// Campaign attribution (`utm.source`, `utm.medium`, `utm.campaign`) when Helena has it.
    pub utm: BTreeMap<String, String>,
}

impl fmt::Debug for HelenaContactEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaContactEvent")
            .field("kind", &self.kind)
            .field("contact_id", &self.contact_id)
            .field("session_id", &self.session_id)
            .field("card_id", &self.card_id)
            .field("name", &self.name.as_ref().map(|_| "[redacted]"))
            .field("phone", &self.phone.as_ref().map(|_| "[redacted]"))
            .field("email", &self.email.as_ref().map(|_| "[redacted]"))
            .field("channel_id", &self.channel_id)
            .field("utm", &self.utm)
            .finish()
    }
}

/// One webhook delivery, read from its `eventType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelenaEvent {
    MessageReceived(HelenaInboundMessage),
    MessageUpdated(HelenaStatusUpdate),
    Contact(HelenaContactEvent),
    /// Any other event type (Helena has many, and adds more). Acknowledge it, do not fail.
    Unknown {
        event_type: String,
    },
}

/// A free-text message (`POST /chat/v1/send/text`). WhatsApp only accepts it inside an
/// open conversation; a conversation is started with a template.
#[derive(Clone, PartialEq, Eq)]
pub struct HelenaText {
    /// The recipient, e.g. `+5511999998888`.
    pub to: String,
    /// The channel number; `None` uses the configured default (or Helena's choice).
    pub from: Option<String>,
    pub text: String,
    pub session_id: Option<String>,
    pub ref_id: Option<String>,
    pub callback_url: Option<String>,
    /// An id of the caller's choosing, echoed back in status updates; pass the job's
    /// idempotency key so updates can be tied to the send.
    pub sender_id: Option<String>,
}

impl fmt::Debug for HelenaText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaText")
            .field("to", &"[redacted]")
            .field("text", &format_args!("[{} chars]", self.text.chars().count()))
            .field("session_id", &self.session_id)
            .field("sender_id", &self.sender_id)
            .finish_non_exhaustive()
    }
}

/// An approved template (`POST /chat/v1/send/template`), the only way to start a
/// WhatsApp conversation.
#[derive(Clone, PartialEq, Eq)]
pub struct HelenaTemplate {
    pub to: String,
    pub from: Option<String>,
    pub template_id: String,
    /// Template parameters by position (`{"1": "Maria"}`).
    pub parameters: BTreeMap<String, String>,
    pub sender_id: Option<String>,
}

impl fmt::Debug for HelenaTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaTemplate")
            .field("to", &"[redacted]")
            .field("template_id", &self.template_id)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("sender_id", &self.sender_id)
            .finish_non_exhaustive()
    }
}

/// Helena's answer to a send: the message id (the provider message id to store), the
/// session it went to and the first status (normally `PROCESSING`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelenaSent {
    pub id: String,
    pub session_id: Option<String>,
    pub status: HelenaMessageStatus,
}
