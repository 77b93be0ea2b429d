//! Webhook deliveries as Helena posts them, one per event type handled, plus the rest.

use frontdesk_providers::helena::{
    HelenaContactKind, HelenaDirection, HelenaEvent, HelenaMessageStatus, HelenaParseError, parse_event,
};
use serde_json::{Value, json};

fn parse(value: Value) -> Result<HelenaEvent, HelenaParseError> {
    parse_event(value.to_string().as_bytes())
}

/// The captured `MESSAGE_RECEIVED` payload of PROVIDERS.md, with a sender phone added.
fn message_received() -> Value {
    json!({
        "eventType": "MESSAGE_RECEIVED",
        "date": "2025-07-27T23:46:00.1260435Z",
        "changeMetadata": null,
        "content": {
            "id": "facbd59c-5415-4c1c-a46c-26c4d4576863", "senderId": null,
            "createdAt": "2025-07-27T23:46:00.1040498Z", "updatedAt": "2025-07-27T23:46:00.1040498Z",
            "editedAt": null, "type": "TEXT", "active": true,
            "sessionId": "8917bc7b-ab53-4e1c-940d-1fbd309bdabd", "templateId": null, "userId": null,
            "timestamp": "2025-07-27T23:45:56Z", "text": "Quero marcar uma consulta",
            "direction": "FROM_HUB", "status": "DELIVERED", "origin": "GATEWAY", "readContactAt": null,
            "fileId": null, "refId": null, "waitingOptIn": false,
            "details": {"from": "+55|11999998888", "file": null, "location": null, "contact": null,
                        "errors": null, "transcription": null}
        }
    })
}

#[test]
fn message_received_is_an_inbound_message() {
    let HelenaEvent::MessageReceived(message) = parse(message_received()).expect("parses") else {
        panic!("not a message");
    };
    assert_eq!(message.message_id, "facbd59c-5415-4c1c-a46c-26c4d4576863");
    assert_eq!(message.session_id.as_deref(), Some("8917bc7b-ab53-4e1c-940d-1fbd309bdabd"));
    assert_eq!(message.text.as_deref(), Some("Quero marcar uma consulta"));
    assert_eq!(message.from.as_deref(), Some("+5511999998888"));
    assert_eq!(message.direction, HelenaDirection::FromContact);
    assert_eq!(message.message_type.as_deref(), Some("TEXT"));
    assert_eq!(message.sent_at, Some("2025-07-27T23:45:56Z".parse().expect("timestamp")));
    assert_eq!(message.file, None);
    let shown = format!("{message:?}");
    assert!(!shown.contains("consulta") && !shown.contains("99999"), "{shown}");
}

#[test]
fn message_received_with_a_file_and_no_sender() {
    let mut payload = message_received();
    payload["content"]["type"] = json!("IMAGE");
    payload["content"]["text"] = Value::Null;
    payload["content"]["details"] = json!({"file": {"publicUrl": "https://files.helena.run/a.jpg",
        "mimeType": "image/jpeg", "name": "exame.jpg"}});
    let HelenaEvent::MessageReceived(message) = parse(payload).expect("parses") else {
        panic!("not a message")
    };
    let file = message.file.expect("file");
    assert_eq!(file.url.as_deref(), Some("https://files.helena.run/a.jpg"));
    assert_eq!(file.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(message.text, None);
    assert_eq!(message.from, None);
}

#[test]
fn message_updated_is_a_status() {
    let payload = json!({
        "eventType": "MESSAGE_UPDATED", "date": "2025-07-27T23:47:10Z",
        "content": {"id": "m-3", "sessionId": "s-1", "senderId": "job-9", "refId": null,
                    "direction": "TO_HUB", "status": "READ", "details": {"errors": null}}
    });
    let HelenaEvent::MessageUpdated(update) = parse(payload).expect("parses") else { panic!("not a status") };
    assert_eq!(update.message_id, "m-3");
    assert_eq!(update.status, HelenaMessageStatus::Read);
    assert_eq!(update.sender_id.as_deref(), Some("job-9"));
    assert_eq!(update.error, None);
}

#[test]
fn failed_message_carries_a_masked_error() {
    let payload = json!({
        "eventType": "MESSAGE_UPDATED",
        "content": {"id": "m-4", "status": "FAILED",
                    "details": {"errors": [{"code": "131026", "message": "Number +5511999998888 is not on WhatsApp"}]}}
    });
    let HelenaEvent::MessageUpdated(update) = parse(payload).expect("parses") else { panic!("not a status") };
    assert_eq!(update.status, HelenaMessageStatus::Failed);
    assert_eq!(update.error.as_deref(), Some("Number [redacted] is not on WhatsApp"));
}

#[test]
fn contact_new_is_a_contact_event() {
    let payload = json!({
        "eventType": "CONTACT_NEW", "date": "2023-08-23T16:42:35.4359934Z",
        "content": {
            "id": "ed2b52f8-cf13-449b-b3d5-ae27051f4663", "createdAt": "2022-10-28T21:24:26.158391Z",
            "companyId": "626fb5de-0cc2-4209-b456-47b454ee6e14", "name": "Maria Souza",
            "phonenumber": "+55|11999998888", "phonenumberFormatted": "(11) 99999-8888",
            "email": "maria@example.com", "instagram": null, "annotation": "", "tagsId": [], "tags": [],
            "status": "ACTIVE", "origin": "CREATED_FROM_HUB",
            "utm": {"source": "instagram", "medium": "ads", "campaign": "clareamento"},
            "customFieldValues": {}, "metadata": null
        }
    });
    let HelenaEvent::Contact(contact) = parse(payload).expect("parses") else { panic!("not a contact") };
    assert_eq!(contact.kind, HelenaContactKind::ContactNew);
    assert_eq!(contact.contact_id.as_deref(), Some("ed2b52f8-cf13-449b-b3d5-ae27051f4663"));
    assert_eq!(contact.name.as_deref(), Some("Maria Souza"));
    assert_eq!(contact.phone.as_deref(), Some("+5511999998888"));
    assert_eq!(contact.email.as_deref(), Some("maria@example.com"));
    assert_eq!(contact.utm.get("campaign").map(String::as_str), Some("clareamento"));
    let shown = format!("{contact:?}");
    assert!(!shown.contains("Maria") && !shown.contains("99999") && !shown.contains("maria@"), "{shown}");
}

#[test]
fn session_new_is_a_contact_event_from_contact_details() {
    let payload = json!({
        "eventType": "SESSION_NEW", "date": "2026-06-01T10:00:00.000Z",
        "content": {
            "id": "session-1", "startAt": "2026-06-01T10:00:00.000Z", "endAt": null, "status": "STARTED",
            "contactId": "contact-1", "channelId": "channel-1", "userId": null,
            "contactDetails": {"id": "contact-1", "name": "João", "phonenumber": "+55|21988887777", "tagsId": []}
        }
    });
    let HelenaEvent::Contact(contact) = parse(payload).expect("parses") else { panic!("not a contact") };
    assert_eq!(contact.kind, HelenaContactKind::SessionNew);
    assert_eq!(contact.session_id.as_deref(), Some("session-1"));
    assert_eq!(contact.contact_id.as_deref(), Some("contact-1"));
    assert_eq!(contact.phone.as_deref(), Some("+5521988887777"));
    assert_eq!(contact.channel_id.as_deref(), Some("channel-1"));
    assert_eq!(contact.card_id, None);
}

#[test]
fn panel_card_new_is_a_contact_event_from_the_card() {
    let payload = json!({
        "eventType": "PANEL_CARD_NEW",
        "content": {
            "id": "card-1", "panelId": "panel-1", "stepId": "step-1", "title": "Implante - Ana",
            "sessionId": "session-9", "contactIds": ["contact-9"],
            "contacts": [{"id": "contact-9", "name": "Ana", "phonenumber": "+55|31977776666"}]
        }
    });
    let HelenaEvent::Contact(contact) = parse(payload).expect("parses") else { panic!("not a contact") };
    assert_eq!(contact.kind, HelenaContactKind::PanelCardNew);
    assert_eq!(contact.card_id.as_deref(), Some("card-1"));
    assert_eq!(contact.contact_id.as_deref(), Some("contact-9"));
    assert_eq!(contact.session_id.as_deref(), Some("session-9"));
    assert_eq!(contact.phone.as_deref(), Some("+5531977776666"));
}

#[test]
fn unknown_event_types_are_not_errors() {
    for event_type in ["SESSION_COMPLETE", "PAYMENT_NEW", "TEMPLATE_UPDATE", "SOMETHING_NEW"] {
        let parsed = parse(json!({"eventType": event_type, "content": null}));
        assert_eq!(parsed, Ok(HelenaEvent::Unknown { event_type: event_type.to_owned() }));
    }
}

#[test]
fn malformed_deliveries_name_the_problem() {
    assert_eq!(parse_event(b"not json"), Err(HelenaParseError::NotJson));
    assert_eq!(parse(json!([1, 2])), Err(HelenaParseError::NotAnObject));
    assert_eq!(parse(json!({"content": {}})), Err(HelenaParseError::Missing("eventType")));
    assert!(matches!(
        parse(json!({"eventType": 7})),
        Err(HelenaParseError::Invalid { field: "eventType", .. })
    ));
    assert_eq!(parse(json!({"eventType": "MESSAGE_RECEIVED"})), Err(HelenaParseError::Missing("content")));
    assert_eq!(
        parse(json!({"eventType": "MESSAGE_RECEIVED", "content": {"text": "+5511999998888"}})),
        Err(HelenaParseError::Missing("content.id"))
    );
    assert_eq!(
        parse(json!({"eventType": "MESSAGE_UPDATED", "content": {"id": "m"}})),
        Err(HelenaParseError::Missing("content.status"))
    );
    assert!(matches!(
        parse(json!({"eventType": "CONTACT_NEW", "content": {"id": {"nested": true}}})),
        Err(HelenaParseError::Invalid { field: "content.id", .. })
    ));
}
