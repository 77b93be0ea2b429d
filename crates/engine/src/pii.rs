//! Redacting `Debug` for events and commands that carry phone numbers, names, emails or
//! message text: a stray `{:?}` in a log line must not put a patient in the logs. The
//! shapes stay visible (which fields are set, how long a text is), the values do not.

use std::fmt;

/// Shows that a value is there, never what it is.
pub struct Redacted<'a, T: ?Sized>(pub &'a T);

impl fmt::Debug for Redacted<'_, str> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {} chars>", self.0.chars().count())
    }
}

impl fmt::Debug for Redacted<'_, String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted(self.0.as_str()).fmt(f)
    }
}

impl fmt::Debug for Redacted<'_, Option<String>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "Some({:?})", Redacted(s.as_str())),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for Redacted<'_, serde_json::Value> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            serde_json::Value::Null => f.write_str("null"),
            serde_json::Value::Object(m) => write!(f, "<redacted object of {} keys>", m.len()),
            _ => f.write_str("<redacted>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::leads::LeadIntake;
    use crate::messaging::{Content, InboundMessageEvent, SendRequest};
    use crate::voice::ingest::CallReport;
    use frontdesk_domain::messaging::Channel;
    use frontdesk_domain::{PatientId, TenantId};

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
}
