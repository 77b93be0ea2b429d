//! Provider-neutral shapes of what Twilio sends and is asked to send. The form field names
//! stay in `wire` and `client`; callers only see these.
//!
//! Everything here that holds a phone number, a name or message text masks it in `Debug`,
//! because `{:?}` is how such values usually reach a log line.

use std::collections::BTreeMap;
use std::fmt;

/// The channel a Twilio message travels on, told apart by the `whatsapp:` address prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Whatsapp,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Sms => "sms",
        }
    }
}

/// One attachment of an inbound message. The URL needs the account's Basic auth to fetch
/// when Twilio's "HTTP Basic Authentication for media" is on.
#[derive(Clone, PartialEq, Eq)]
pub struct Media {
    pub url: String,
    pub content_type: String,
}

impl fmt::Debug for Media {
    // The URL opens a patient's photo or document; the content type is harmless.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Media").field("url", &"[redacted]").field("content_type", &self.content_type).finish()
    }
}

/// A message a patient sent, from Twilio's inbound webhook (`PROVIDERS.md` section 1.1).
#[derive(Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// Twilio's id for the message; the deduplication key.
    pub message_sid: String,
    pub account_sid: String,
    pub messaging_service_sid: Option<String>,
    /// The sender as Twilio wrote it, e.g. `whatsapp:+5511999998888` or `+5511999998888`.
    pub from: String,
    /// The clinic's number or WhatsApp sender, as Twilio wrote it.
    pub to: String,
    /// The text; empty for a media-only message.
    pub body: String,
    pub num_media: u32,
    pub media: Vec<Media>,
    /// The WhatsApp profile name the patient chose (WhatsApp only).
    pub profile_name: Option<String>,
    /// The WhatsApp id: the sender's number as digits without `+` (WhatsApp only).
    pub wa_id: Option<String>,
    /// The payload of a quick-reply button the patient tapped (WhatsApp only).
    pub button_payload: Option<String>,
    /// The label of that button.
    pub button_text: Option<String>,
    /// Twilio's `MessageType` (`text`, `image`, `button`, ...), when sent.
    pub message_type: Option<String>,
    /// `STOP`, `START` or `HELP` when Twilio's Advanced Opt-Out handled the message (SMS).
    pub opt_out_type: Option<String>,
    pub channel: Channel,
}

impl fmt::Debug for InboundMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboundMessage")
            .field("message_sid", &self.message_sid)
            .field("account_sid", &self.account_sid)
            .field("channel", &self.channel)
            .field("from", &"[redacted]")
            .field("to", &"[redacted]")
            .field("body", &format_args!("[{} chars]", self.body.chars().count()))
            .field("num_media", &self.num_media)
            .field("media", &self.media)
            .field("profile_name", &self.profile_name.as_ref().map(|_| "[redacted]"))
            .field("wa_id", &self.wa_id.as_ref().map(|_| "[redacted]"))
            .field("button_payload", &self.button_payload.as_ref().map(|_| "[redacted]"))
            .field("message_type", &self.message_type)
            .field("opt_out_type", &self.opt_out_type)
            .finish_non_exhaustive()
    }
}

/// A message's status as Twilio names it (`MessageInstance.Status` in twilio-python).
/// Twilio adds values without notice, so an unknown one is kept rather than refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    Queued,
    Sending,
    Sent,
    Failed,
    Delivered,
    Undelivered,
    Receiving,
    Received,
    Accepted,
    Scheduled,
    Read,
    PartiallyDelivered,
    Canceled,
    Other(String),
}

impl MessageStatus {
    /// Reads Twilio's lowercase name; anything else becomes [`MessageStatus::Other`].
    pub fn from_wire(value: &str) -> Self {
        match value.trim() {
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "sent" => Self::Sent,
            "failed" => Self::Failed,
            "delivered" => Self::Delivered,
            "undelivered" => Self::Undelivered,
            "receiving" => Self::Receiving,
            "received" => Self::Received,
            "accepted" => Self::Accepted,
            "scheduled" => Self::Scheduled,
            "read" => Self::Read,
            "partially_delivered" => Self::PartiallyDelivered,
            "canceled" => Self::Canceled,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Receiving => "receiving",
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Scheduled => "scheduled",
            Self::Read => "read",
            Self::PartiallyDelivered => "partially_delivered",
            Self::Canceled => "canceled",
            Self::Other(other) => other,
        }
    }
}

/// A delivery update from a status callback (`PROVIDERS.md` section 1.2). Callbacks can
/// arrive out of order; moving a message's status only forward is the caller's job.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    pub message_sid: String,
    pub account_sid: Option<String>,
    pub status: MessageStatus,
    /// Twilio's error code, sent with `failed` and `undelivered` (e.g. 63016, 30008).
    pub error_code: Option<u32>,
    /// Twilio's description of the error, when sent. Kept out of `Debug`: some of Twilio's
    /// error texts quote the recipient's number.
    pub error_message: Option<String>,
}

impl fmt::Debug for StatusUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusUpdate")
            .field("message_sid", &self.message_sid)
            .field("account_sid", &self.account_sid)
            .field("status", &self.status)
            .field("error_code", &self.error_code)
            .field("error_message", &self.error_message.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// What to send: free text (optionally with media) or an approved template. On WhatsApp
/// outside the 24-hour window only a template is accepted (error 63016), and Twilio wants
/// `Body` and `MediaUrl` left out then, which the two variants make impossible to mix.
#[derive(Clone, PartialEq, Eq)]
pub enum MessageContent {
    Text {
        body: String,
        media_urls: Vec<String>,
    },
    /// `ContentSid` (`HX...`) and the template variables, sent as the JSON string Twilio
    /// calls `ContentVariables`, e.g. `{"1":"Maria","2":"10/12 14:00"}`.
    Template {
        content_sid: String,
        variables: BTreeMap<String, String>,
    },
}

impl fmt::Debug for MessageContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text { body, media_urls } => f
                .debug_struct("Text")
                .field("body", &format_args!("[{} chars]", body.chars().count()))
                .field("media_urls", &media_urls.len())
                .finish(),
            Self::Template { content_sid, variables } => f
                .debug_struct("Template")
                .field("content_sid", content_sid)
                .field("variables", &variables.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// One outbound SMS or WhatsApp message through the Messages API.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundSms {
    pub channel: Channel,
    /// The recipient in E.164 (`+5511999998888`); the `whatsapp:` prefix is added for
    /// WhatsApp and may also be given already.
    pub to: String,
    /// The sending number in E.164; `None` uses the configured sender (a number or a
    /// Messaging Service).
    pub from: Option<String>,
    pub content: MessageContent,
    /// Where Twilio posts delivery updates for this message.
    pub status_callback: Option<String>,
    /// Sent as `I-Twilio-Idempotency-Token`, so a retried job does not message the
    /// patient twice. Use one stable key per logical message.
    pub idempotency_token: String,
}

impl fmt::Debug for OutboundSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundSms")
            .field("channel", &self.channel)
            .field("to", &"[redacted]")
            .field("from", &self.from.as_ref().map(|_| "[redacted]"))
            .field("content", &self.content)
            .field("status_callback", &self.status_callback.is_some())
            .field("idempotency_token", &self.idempotency_token)
            .finish()
    }
}

/// Twilio's answer to a send: the message's id and its first status (normally `queued`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub sid: String,
    pub status: MessageStatus,
}
