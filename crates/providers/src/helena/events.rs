//! Helena's webhook envelope `{"eventType", "date", "content"}` (`PROVIDERS.md` section 3).
//!
//! Only the message envelope is documented with an example; contact, session and card
//! payloads are known in part. So fields are read leniently from a `serde_json::Value`
//! (ids as strings or numbers, anything absent is `None`), and only what identifies the
//! event is required. Errors name the field, never its value.

use serde_json::{Map, Value};

use super::types::{
    HelenaContactEvent, HelenaContactKind, HelenaDirection, HelenaEvent, HelenaFile, HelenaInboundMessage,
    HelenaMessageStatus, HelenaStatusUpdate,
};
use crate::redact::scrub;

/// A webhook body that cannot be read as the event it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelenaParseError {
    #[error("the Helena webhook body is not JSON")]
    NotJson,
    #[error("the Helena webhook body is not a JSON object")]
    NotAnObject,
    #[error("the Helena field {0} is missing")]
    Missing(&'static str),
    #[error("the Helena field {field} {reason}")]
    Invalid { field: &'static str, reason: &'static str },
}

/// Reads one webhook delivery.
pub fn parse_event(body: &[u8]) -> Result<HelenaEvent, HelenaParseError> {
    let json: Value = serde_json::from_slice(body).map_err(|_| HelenaParseError::NotJson)?;
    parse_event_value(&json)
}

/// Like [`parse_event`], for a body already parsed as JSON.
pub fn parse_event_value(json: &Value) -> Result<HelenaEvent, HelenaParseError> {
    let envelope = json.as_object().ok_or(HelenaParseError::NotAnObject)?;
    let event_type = match envelope.get("eventType") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.trim(),
        Some(Value::String(_)) => {
            return Err(HelenaParseError::Invalid { field: "eventType", reason: "is empty" });
        }
        Some(_) => return Err(HelenaParseError::Invalid { field: "eventType", reason: "is not a string" }),
        None => return Err(HelenaParseError::Missing("eventType")),
    };
    let kind = match event_type {
        "MESSAGE_RECEIVED" => return message_received(content(envelope)?).map(HelenaEvent::MessageReceived),
        "MESSAGE_UPDATED" => return message_updated(content(envelope)?).map(HelenaEvent::MessageUpdated),
        "CONTACT_NEW" => HelenaContactKind::ContactNew,
        "SESSION_NEW" => HelenaContactKind::SessionNew,
        "PANEL_CARD_NEW" => HelenaContactKind::PanelCardNew,
        other => return Ok(HelenaEvent::Unknown { event_type: other.to_owned() }),
    };
    contact_event(kind, content(envelope)?).map(HelenaEvent::Contact)
}

fn content(envelope: &Map<String, Value>) -> Result<&Map<String, Value>, HelenaParseError> {
    match envelope.get("content") {
        Some(Value::Object(content)) => Ok(content),
        Some(Value::Null) | None => Err(HelenaParseError::Missing("content")),
        Some(_) => Err(HelenaParseError::Invalid { field: "content", reason: "is not an object" }),
    }
}

fn message_received(content: &Map<String, Value>) -> Result<HelenaInboundMessage, HelenaParseError> {
    let details = object(content, "details");
    Ok(HelenaInboundMessage {
        message_id: required_id(content, "id", "content.id")?,
        session_id: text(content, "sessionId"),
        contact_id: text(content, "contactId"),
        from: details.and_then(|d| text(d, "from")).or_else(|| text(content, "from")).map(|p| phone(&p)),
        // The text is the patient's: kept as sent, not trimmed.
        text: content.get("text").and_then(Value::as_str).map(str::to_owned),
        message_type: text(content, "type"),
        direction: HelenaDirection::from_wire(&text(content, "direction").unwrap_or_default()),
        sent_at: text(content, "timestamp")
            .or_else(|| text(content, "createdAt"))
            .and_then(|t| t.parse().ok()),
        file: details.and_then(|d| object(d, "file")).map(|file| HelenaFile {
            url: text(file, "publicUrl").or_else(|| text(file, "url")),
            content_type: text(file, "mimeType").or_else(|| text(file, "contentType")),
            name: text(file, "name"),
        }),
        ref_id: text(content, "refId"),
    })
}

fn message_updated(content: &Map<String, Value>) -> Result<HelenaStatusUpdate, HelenaParseError> {
    let status = match content.get("status") {
        Some(Value::String(s)) if !s.trim().is_empty() => HelenaMessageStatus::from_wire(s),
        Some(Value::Null) | None => return Err(HelenaParseError::Missing("content.status")),
        Some(_) => {
            return Err(HelenaParseError::Invalid { field: "content.status", reason: "is not a string" });
        }
    };
    Ok(HelenaStatusUpdate {
        message_id: required_id(content, "id", "content.id")?,
        status,
        session_id: text(content, "sessionId"),
        sender_id: text(content, "senderId"),
        ref_id: text(content, "refId"),
        error: object(content, "details").and_then(|d| d.get("errors")).and_then(error_summary),
    })
}

fn contact_event(
    kind: HelenaContactKind,
    content: &Map<String, Value>,
) -> Result<HelenaContactEvent, HelenaParseError> {
    let id = required_id(content, "id", "content.id")?;
    // Where the person is described depends on the event: the contact itself, the
    // session's `contactDetails`, or the card's first entry in `contacts`.
    let person = match kind {
        HelenaContactKind::ContactNew => Some(content),
        HelenaContactKind::SessionNew => object(content, "contactDetails"),
        HelenaContactKind::PanelCardNew => content
            .get("contacts")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(Value::as_object),
    };
    let contact_id = match kind {
        HelenaContactKind::ContactNew => Some(id.clone()),
        HelenaContactKind::SessionNew => text(content, "contactId"),
        HelenaContactKind::PanelCardNew => {
            content.get("contactIds").and_then(Value::as_array).and_then(|ids| ids.iter().find_map(id_text))
        }
    }
    .or_else(|| person.and_then(|p| text(p, "id")));
    let session_id = match kind {
        HelenaContactKind::SessionNew => Some(id.clone()),
        _ => text(content, "sessionId"),
    };
    let utm = object(content, "utm")
        .or_else(|| person.and_then(|p| object(p, "utm")))
        .map(|utm| {
            ["source", "medium", "campaign"]
                .into_iter()
                .filter_map(|key| text(utm, key).map(|v| (key.to_owned(), v)))
                .collect()
        })
        .unwrap_or_default();
    Ok(HelenaContactEvent {
        kind,
        contact_id,
        session_id,
        card_id: (kind == HelenaContactKind::PanelCardNew).then_some(id),
        name: person.and_then(|p| text(p, "name")),
        phone: person
            .and_then(|p| text(p, "phonenumber").or_else(|| text(p, "phoneNumber")))
            .map(|p| phone(&p)),
        email: person.and_then(|p| text(p, "email")),
        channel_id: text(content, "channelId"),
        utm,
    })
}

/// Helena writes phones as `+55|11999998888`; the separator and spaces are dropped.
pub fn phone(raw: &str) -> String {
    raw.chars().filter(|c| *c != '|' && !c.is_whitespace()).collect()
}

fn object<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    map.get(key).and_then(Value::as_object)
}

/// A non-blank string, or a number written out (ids are sometimes numeric).
fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(id_text)
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn required_id(map: &Map<String, Value>, key: &str, field: &'static str) -> Result<String, HelenaParseError> {
    match map.get(key) {
        Some(Value::Null) | None => Err(HelenaParseError::Missing(field)),
        Some(value) => id_text(value).ok_or(HelenaParseError::Invalid { field, reason: "is not an id" }),
    }
}

/// One line about `details.errors`, whatever its shape: the first entry's message, text,
/// description or code, with number-like runs masked.
fn error_summary(errors: &Value) -> Option<String> {
    let first = match errors {
        Value::Array(items) => items.first()?,
        Value::Null => return None,
        other => other,
    };
    let line = match first {
        Value::String(s) => s.clone(),
        Value::Object(map) => ["message", "text", "description", "title", "code", "key"]
            .into_iter()
            .find_map(|key| text(map, key))
            .unwrap_or_else(|| "error".to_owned()),
        Value::Number(n) => n.to_string(),
        _ => "error".to_owned(),
    };
    Some(scrub(&line))
}
