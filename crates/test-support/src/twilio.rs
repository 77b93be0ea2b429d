//! A mock Twilio Messages API for the clinic's WhatsApp.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A Twilio account's Messages API that accepts every send with a fresh message sid, as
/// Twilio does (the clinic's sends must be told apart by their sid).
pub async fn mock_twilio(account_sid: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{account_sid}/Messages.json")))
        .respond_with(|_: &Request| {
            let sid = format!("SM{}", uuid::Uuid::now_v7().simple());
            ResponseTemplate::new(201).set_body_json(json!({"sid": sid, "status": "queued"}))
        })
        .mount(&server)
        .await;
    server
}

/// The `messaging` settings that send the clinic's WhatsApp through `server`.
pub fn twilio_messaging(server: &MockServer, account_sid: &str, auth_token: &str) -> Value {
    json!({"whatsapp_provider": "twilio", "twilio": {"account_sid": account_sid, "auth_token": auth_token,
        "base_url": server.uri(), "whatsapp_from": "+14155238886"}})
}
