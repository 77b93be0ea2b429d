//! Shared set-up: a mock Twilio and a client pointed at it.

use frontdesk_providers::twilio::{
    Channel, MessageContent, OutboundSms, TwilioClient, TwilioConfig, TwilioSender,
};
use secrecy::SecretString;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "auth-token-123";
/// `base64("AC0123456789abcdef0123456789abcdef:auth-token-123")`.
pub const BASIC: &str = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjphdXRoLXRva2VuLTEyMw==";
pub const PATIENT: &str = "+5511999998888";
pub const CLINIC: &str = "+14155238886";

pub fn config(base_url: &str, sender: TwilioSender) -> TwilioConfig {
    TwilioConfig::new(ACCOUNT_SID, SecretString::from(AUTH_TOKEN), sender)
        .with_base_url(base_url)
        .with_private_network(true)
}

pub fn client(server: &MockServer, sender: TwilioSender) -> TwilioClient {
    TwilioClient::new(config(&server.uri(), sender).with_timeout(Duration::from_secs(5)))
        .expect("client builds")
}

/// A mock for the Messages endpoint of the test account, with Basic auth required.
pub fn messages_endpoint() -> MockBuilder {
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/x-www-form-urlencoded"))
}

/// Matches a form-encoded body with exactly these fields (repeats included), in any order.
pub struct FormIs(Vec<(String, String)>);

impl Match for FormIs {
    fn matches(&self, request: &Request) -> bool {
        let Ok(mut fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&request.body) else {
            return false;
        };
        fields.sort();
        let mut expected = self.0.clone();
        expected.sort();
        fields == expected
    }
}

pub fn form(pairs: &[(&str, &str)]) -> FormIs {
    FormIs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

/// The 201 body of a create, as in twilio-python's fixture but with a live status.
pub fn created(sid: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(serde_json::json!({
        "account_sid": ACCOUNT_SID, "api_version": "2010-04-01", "body": "Sua consulta é amanhã",
        "date_created": "Thu, 30 Jul 2015 20:12:31 +0000", "date_sent": null,
        "date_updated": "Thu, 30 Jul 2015 20:12:33 +0000", "direction": "outbound-api",
        "error_code": null, "error_message": null, "from": CLINIC, "messaging_service_sid": null,
        "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD", "sid": sid,
        "status": "queued", "subresource_uris": {"media": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json")},
        "to": PATIENT, "uri": format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json")
    }))
}

pub fn sms(body: &str) -> OutboundSms {
    OutboundSms {
        channel: Channel::Sms,
        to: PATIENT.into(),
        from: None,
        content: MessageContent::Text { body: body.into(), media_urls: vec![] },
        status_callback: Some("https://clinic.example/webhooks/twilio/t1/status".into()),
        idempotency_token: "job-42-attempt".into(),
    }
}
