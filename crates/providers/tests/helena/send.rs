//! Outbound text and template sends: exact JSON bodies, Bearer auth, failure classes.

use frontdesk_providers::helena::{
    HelenaApi, HelenaClient, HelenaConfig, HelenaError, HelenaMessageStatus, HelenaTemplate, HelenaText,
};
use secrecy::SecretString;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const TOKEN: &str = "pn_0123456789abcdef";

fn client(server: &MockServer) -> HelenaClient {
    let config = HelenaConfig::new(SecretString::from(TOKEN))
        .with_base_url(server.uri())
        .with_default_from("+5511988887777")
        .with_timeout(Duration::from_secs(5))
        // The mock listens on 127.0.0.1.
        .with_private_network(true);
    HelenaClient::new(config).expect("client builds")
}

fn endpoint(api_path: &str) -> MockBuilder {
    Mock::given(method("POST"))
        .and(path(api_path))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
}

fn accepted(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": id, "sessionId": "8917bc7b-ab53-4e1c-940d-1fbd309bdabd", "senderId": "job-7",
        "status": "PROCESSING", "statusUrl": format!("https://api.helena.run/chat/v1/message/{id}/status")
    }))
}

fn text() -> HelenaText {
    HelenaText {
        to: "+5511999998888".into(),
        from: None,
        text: "Olá Maria! Sua consulta está confirmada para amanhã às 14:00.".into(),
        session_id: None,
        ref_id: None,
        callback_url: None,
        sender_id: Some("job-7".into()),
    }
}

#[tokio::test]
async fn send_text_posts_the_exact_json_with_bearer_auth() {
    let server = MockServer::start().await;
    endpoint("/chat/v1/send/text")
        .and(body_json(json!({
            "to": "+5511999998888",
            "from": "+5511988887777",
            "text": "Olá Maria! Sua consulta está confirmada para amanhã às 14:00.",
            "senderId": "job-7"
        })))
        .respond_with(accepted("facbd59c-5415-4c1c-a46c-26c4d4576863"))
        .expect(1)
        .mount(&server)
        .await;

    let sent = client(&server).send_text(&text()).await.expect("sent");

    assert_eq!(sent.id, "facbd59c-5415-4c1c-a46c-26c4d4576863");
    assert_eq!(sent.session_id.as_deref(), Some("8917bc7b-ab53-4e1c-940d-1fbd309bdabd"));
    assert_eq!(sent.status, HelenaMessageStatus::Processing);
}

#[tokio::test]
async fn send_text_includes_the_optional_fields_given() {
    let server = MockServer::start().await;
    endpoint("/chat/v1/send/text")
        .and(body_json(json!({
            "to": "+5511999998888", "from": "+5511977776666", "text": "Oi",
            "sessionId": "s-1", "refId": "r-1", "callbackUrl": "https://clinic.example/cb", "senderId": "job-8"
        })))
        .respond_with(accepted("m-2"))
        .expect(1)
        .mount(&server)
        .await;
    let message = HelenaText {
        from: Some("+5511977776666".into()),
        text: "Oi".into(),
        session_id: Some("s-1".into()),
        ref_id: Some("r-1".into()),
        callback_url: Some("https://clinic.example/cb".into()),
        sender_id: Some("job-8".into()),
        ..text()
    };

    assert_eq!(client(&server).send_text(&message).await.expect("sent").id, "m-2");
}

#[tokio::test]
async fn send_template_posts_the_exact_json() {
    let server = MockServer::start().await;
    endpoint("/chat/v1/send/template")
        .and(body_json(json!({
            "to": "+5511999998888",
            "from": "+5511988887777",
            "templateId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "parameters": {"1": "Maria", "2": "10/12 14:00"},
            "senderId": "job-9"
        })))
        .respond_with(accepted("m-3"))
        .expect(1)
        .mount(&server)
        .await;
    let template = HelenaTemplate {
        to: "+5511999998888".into(),
        from: None,
        template_id: "3fa85f64-5717-4562-b3fc-2c963f66afa6".into(),
        parameters: BTreeMap::from([("1".into(), "Maria".into()), ("2".into(), "10/12 14:00".into())]),
        sender_id: Some("job-9".into()),
    };

    assert_eq!(client(&server).send_template(&template).await.expect("sent").id, "m-3");
}

fn helena_error(status: u16, key: &str, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "id": {"value": "6f1d2c0a-1111-2222-3333-c44bf0cc0000", "shortValue": "c44bf0cc"},
        "httpStatusCode": status, "error": true, "date": "2025-07-27T23:46:00Z",
        "key": key, "text": text, "isUnsolvableError": false
    }))
}

/// Whether an error is the variant a status should map to.
type IsExpected = fn(&HelenaError) -> bool;

#[tokio::test]
async fn failures_are_classified() {
    let server = MockServer::start().await;
    let client = client(&server);
    let cases: [(u16, &str, IsExpected, bool); 4] = [
        (401, "ERROR_UNAUTHORIZED", |e| matches!(e, HelenaError::Auth { status: 401 }), false),
        (429, "ERROR_TOO_MANY_REQUESTS", |e| matches!(e, HelenaError::RateLimited), true),
        (503, "ERROR_UNAVAILABLE", |e| matches!(e, HelenaError::Upstream { status: 503 }), true),
        (
            400,
            "ERROR_INVALID_PHONE",
            |e| matches!(e, HelenaError::Rejected { status: 400, key: Some(k) } if k == "ERROR_INVALID_PHONE"),
            false,
        ),
    ];
    for (status, key, is_expected, retryable) in cases {
        server.reset().await;
        endpoint("/chat/v1/send/text")
            .respond_with(helena_error(status, key, "Telefone +5511999998888 de Maria inválido"))
            .expect(1)
            .mount(&server)
            .await;
        let err = client.send_text(&text()).await.expect_err("failure");
        assert!(is_expected(&err), "{status}: {err:?}");
        assert_eq!(err.is_retryable(), retryable, "{status}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("99999") && !shown.contains("Maria"), "{shown}");
    }
}

#[tokio::test]
async fn a_success_without_an_id_is_an_invalid_response() {
    let server = MockServer::start().await;
    endpoint("/chat/v1/send/text")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "PROCESSING"})))
        .mount(&server)
        .await;

    let err = client(&server).send_text(&text()).await.expect_err("no id");
    assert!(matches!(err, HelenaError::InvalidResponse(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unusable_input_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let empty = HelenaText { text: "  ".into(), ..text() };
    assert!(matches!(client.send_text(&empty).await, Err(HelenaError::InvalidRequest(_))));
    assert!(matches!(
        HelenaClient::new(HelenaConfig::new(SecretString::from(""))),
        Err(HelenaError::InvalidRequest(_))
    ));
    assert!(matches!(
        HelenaClient::new(HelenaConfig::new(SecretString::from(TOKEN)).with_base_url("::")),
        Err(HelenaError::InvalidRequest(_))
    ));
    assert!(!format!("{client:?}").contains(TOKEN));
}
