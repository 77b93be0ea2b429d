//! Outbound sends: the exact form, auth and headers, and how failures are classified.

use crate::support::*;
use frontdesk_providers::twilio::{
    Channel, MessageContent, MessageStatus, OutboundSms, TwilioApi, TwilioClient, TwilioError, TwilioSender,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use wiremock::matchers::header;
use wiremock::{MockServer, ResponseTemplate};

#[tokio::test]
async fn sms_sends_the_exact_form_with_basic_auth_and_idempotency_token() {
    let server = MockServer::start().await;
    messages_endpoint()
        .and(header("accept", "application/json"))
        .and(header("i-twilio-idempotency-token", "job-42-attempt"))
        .and(form(&[
            ("To", PATIENT),
            ("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"),
            ("Body", "Sua consulta é amanhã às 14:00. Responda SIM para confirmar."),
            ("StatusCallback", "https://clinic.example/webhooks/twilio/t1/status"),
        ]))
        .respond_with(created("SM0123456789abcdef0123456789abcdef"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, TwilioSender::MessagingService("MG0123456789abcdef0123456789abcdef".into()));

    let sent = client
        .send(&sms("Sua consulta é amanhã às 14:00. Responda SIM para confirmar."))
        .await
        .expect("sent");

    assert_eq!(sent.sid, "SM0123456789abcdef0123456789abcdef");
    assert_eq!(sent.status, MessageStatus::Queued);
}

#[tokio::test]
async fn whatsapp_text_with_media_prefixes_both_addresses_and_repeats_media_url() {
    let server = MockServer::start().await;
    messages_endpoint()
        .and(form(&[
            ("To", "whatsapp:+5511999998888"),
            ("From", "whatsapp:+14155238886"),
            ("Body", "Segue o preparo do exame"),
            ("MediaUrl", "https://clinic.example/files/preparo.pdf"),
            ("MediaUrl", "https://clinic.example/files/mapa.png"),
        ]))
        .respond_with(created("MM0123456789abcdef0123456789abcdef"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, TwilioSender::Number(CLINIC.into()));
    let message = OutboundSms {
        channel: Channel::Whatsapp,
        content: MessageContent::Text {
            body: "Segue o preparo do exame".into(),
            media_urls: vec![
                "https://clinic.example/files/preparo.pdf".into(),
                "https://clinic.example/files/mapa.png".into(),
            ],
        },
        status_callback: None,
        ..sms("")
    };

    let sent = client.send(&message).await.expect("sent");
    assert_eq!(sent.sid, "MM0123456789abcdef0123456789abcdef");
}

#[tokio::test]
async fn whatsapp_template_sends_content_sid_and_variables_and_no_body() {
    let server = MockServer::start().await;
    messages_endpoint()
        .and(form(&[
            ("To", "whatsapp:+5511999998888"),
            ("From", "whatsapp:+5511988887777"),
            ("ContentSid", "HX0123456789abcdef0123456789abcdef"),
            ("ContentVariables", r#"{"1":"Maria","2":"10/12 14:00"}"#),
            ("StatusCallback", "https://clinic.example/webhooks/twilio/t1/status"),
        ]))
        .respond_with(created("SMtemplate"))
        .expect(1)
        .mount(&server)
        .await;
    // The message's own sender wins over the configured Messaging Service.
    let client = client(&server, TwilioSender::MessagingService("MG1".into()));
    let variables =
        BTreeMap::from([("1".to_owned(), "Maria".to_owned()), ("2".to_owned(), "10/12 14:00".to_owned())]);
    let message = OutboundSms {
        channel: Channel::Whatsapp,
        from: Some("+5511988887777".into()),
        content: MessageContent::Template {
            content_sid: "HX0123456789abcdef0123456789abcdef".into(),
            variables,
        },
        ..sms("")
    };

    client.send(&message).await.expect("sent");
}

#[tokio::test]
async fn invalid_to_is_a_permanent_error_with_twilio_code_and_no_phone() {
    let server = MockServer::start().await;
    messages_endpoint()
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21211,
            "message": "The 'To' number +5511999998888 is not a valid phone number.",
            "more_info": "https://www.twilio.com/docs/errors/21211",
            "status": 400
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, TwilioSender::Number(CLINIC.into()));

    let err = client.send(&sms("Olá")).await.expect_err("400");

    assert!(matches!(err, TwilioError::Rejected { status: 400, code: Some(21211), .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(err.code(), Some(21211));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("99999"), "{shown}");
    assert!(shown.contains("is not a valid phone number"), "{shown}");
}

#[tokio::test]
async fn server_error_is_retryable() {
    let server = MockServer::start().await;
    messages_endpoint()
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"code": 20500, "message": "Internal Server Error", "status": 500})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server, TwilioSender::Number(CLINIC.into())).send(&sms("Olá")).await.expect_err("500");

    assert!(matches!(err, TwilioError::Upstream { status: 500, code: Some(20500) }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn too_many_requests_is_retryable() {
    let server = MockServer::start().await;
    messages_endpoint()
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"code": 20429, "message": "Too Many Requests", "status": 429})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server, TwilioSender::Number(CLINIC.into())).send(&sms("Olá")).await.expect_err("429");

    assert!(matches!(err, TwilioError::RateLimited { code: Some(20429) }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_hung_request_times_out_as_retryable_unreachable() {
    let server = MockServer::start().await;
    messages_endpoint().respond_with(created("SM1").set_delay(Duration::from_secs(3))).mount(&server).await;
    let client = TwilioClient::new(
        config(&server.uri(), TwilioSender::Number(CLINIC.into())).with_timeout(Duration::from_millis(300)),
    )
    .expect("client");

    let err = client.send(&sms("Olá")).await.expect_err("timeout");

    assert!(matches!(err, TwilioError::Unreachable(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_success_without_a_sid_is_an_invalid_response_not_retried() {
    let server = MockServer::start().await;
    messages_endpoint()
        .respond_with(ResponseTemplate::new(201).set_body_string("<html>ok</html>"))
        .mount(&server)
        .await;

    let err = client(&server, TwilioSender::Number(CLINIC.into())).send(&sms("Olá")).await.expect_err("html");

    assert!(matches!(err, TwilioError::InvalidResponse(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unusable_configuration_and_messages_are_refused_before_any_request() {
    // No mock is mounted: a request would come back 404 and surface as `Rejected`.
    let server = MockServer::start().await;
    let client = client(&server, TwilioSender::Number(CLINIC.into()));
    let no_token = OutboundSms { idempotency_token: " ".into(), ..sms("Olá") };
    assert!(matches!(client.send(&no_token).await, Err(TwilioError::InvalidRequest(_))));

    let bad_url = config("not a url", TwilioSender::Number(CLINIC.into()));
    assert!(matches!(TwilioClient::new(bad_url), Err(TwilioError::InvalidRequest(_))));
    let mut bad_sid = config(&server.uri(), TwilioSender::Number(CLINIC.into()));
    bad_sid.account_sid = "AC1/../../other".into();
    assert!(matches!(TwilioClient::new(bad_sid), Err(TwilioError::InvalidRequest(_))));
    let shown = format!("{client:?}");
    assert!(!shown.contains(AUTH_TOKEN), "{shown}");
}
