//! Events and commands that carry PII format without it: a stray `{:?}` in a log line
//! must not put a patient's number, name or words in the logs.

use frontdesk_domain::messaging::Channel;
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_engine::leads::LeadIntake;
use frontdesk_engine::messaging::{Content, InboundMessageEvent, SendRequest};
use frontdesk_engine::voice::ingest::CallReport;

const PHONE: &str = "+5511987654321";
const TEXT: &str = "quero marcar uma consulta de dermatologia";

fn assert_clean(out: &str) {
    for secret in [PHONE, "987654321", TEXT, "dermatologia", "Maria", "maria@example.com"] {
        assert!(!out.contains(secret), "{secret:?} leaked into {out}");
    }
}

#[test]
fn inbound_event_debug_hides_sender_text_and_name() {
    let event = InboundMessageEvent {
        provider: "twilio".into(),
        provider_message_id: "SM123".into(),
        channel: Channel::Whatsapp,
        from: format!("whatsapp:{PHONE}"),
        body: TEXT.into(),
        media: Vec::new(),
        profile_name: Some("Maria Silva".into()),
        extra: serde_json::json!({"WaId": "5511987654321"}),
    };
    let out = format!("{event:?} {event:#?}");
    assert_clean(&out);
    assert!(out.contains("SM123"), "ids stay visible: {out}");
}

#[test]
fn send_request_debug_hides_text_and_variables() {
    let text = SendRequest {
        tenant_id: TenantId::new(),
        patient_id: PatientId::new(),
        channel: Channel::Sms,
        content: Content::Text(TEXT.into()),
        automated: false,
        by: frontdesk_domain::messaging::Sender::Assistant,
        campaign: None,
    };
    let template = SendRequest {
        content: Content::Template {
            key: frontdesk_domain::messaging::TemplateKey::AskToType,
            variables: serde_json::json!({"patient_first_name": "Maria", "phone": PHONE}),
        },
        ..text.clone()
    };
    assert_clean(&format!("{text:?} {template:?}"));
}

#[test]
fn lead_intake_and_call_report_debug_hide_contact_details() {
    let intake = LeadIntake {
        name: Some("Maria Silva".into()),
        phone: PHONE.into(),
        email: Some("maria@example.com".into()),
        first_message: Some(TEXT.into()),
        utm_source: Some("google".into()),
        ..Default::default()
    };
    let out = format!("{intake:?}");
    assert_clean(&out);
    assert!(out.contains("google"), "campaign data stays visible: {out}");
    let report = CallReport {
        provider_call_id: "call-1".into(),
        customer_number: Some(PHONE.into()),
        summary: Some(TEXT.into()),
        ..Default::default()
    };
    assert_clean(&format!("{report:?}"));
}
