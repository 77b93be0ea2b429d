//! `POST /call`: the exact body, the Bearer key, and how failures are classified.

use frontdesk_providers::vapi::{CreateCall, VapiApi, VapiClient, VapiConfig, VapiError};
use secrecy::SecretString;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const API_KEY: &str = "vapi-private-key-123";
const PATIENT: &str = "+5511999998888";

fn client(server: &MockServer, timeout: Duration) -> VapiClient {
    let config = VapiConfig::new(SecretString::from(API_KEY))
        .with_base_url(format!("{}/", server.uri()))
        .with_private_network(true);
    VapiClient::new(config.with_timeout(timeout)).expect("client builds")
}

fn call_endpoint() -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/call"))
        .and(header("authorization", format!("Bearer {API_KEY}").as_str()))
        .and(header("content-type", "application/json"))
}

fn confirm_call() -> CreateCall {
    let mut metadata = serde_json::Map::new();
    metadata.insert("frontdeskCallId".into(), json!("call_01J9"));
    metadata.insert("tenantId".into(), json!("t1"));
    CreateCall {
        assistant_id: "asst_5f2c".into(),
        phone_number_id: "pn_8a1d".into(),
        customer_number: PATIENT.into(),
        customer_name: Some("Maria".into()),
        external_id: Some("pat_123".into()),
        variable_values: BTreeMap::from([
            ("patientName".to_owned(), "Maria".to_owned()),
            ("slot".to_owned(), "2025-10-06T09:00".to_owned()),
        ]),
        metadata,
        name: Some("confirm-appt-123".into()),
    }
}

/// A 201 `Call` as VAPI returns it, trimmed to the common keys.
fn created(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({
        "id": id, "orgId": "org_1", "type": "outboundPhoneCall", "status": "queued",
        "createdAt": "2025-10-05T12:00:00.000Z", "updatedAt": "2025-10-05T12:00:00.000Z",
        "assistantId": "asst_5f2c", "phoneNumberId": "pn_8a1d",
        "customer": {"number": PATIENT, "name": "Maria", "externalId": "pat_123"}
    }))
}

#[tokio::test]
async fn create_call_sends_the_documented_body_and_returns_the_id() {
    let server = MockServer::start().await;
    call_endpoint()
        .and(body_json(json!({
            "assistantId": "asst_5f2c",
            "phoneNumberId": "pn_8a1d",
            "customer": {"number": PATIENT, "name": "Maria", "externalId": "pat_123"},
            "assistantOverrides": {
                "variableValues": {"patientName": "Maria", "slot": "2025-10-06T09:00"},
                "metadata": {"frontdeskCallId": "call_01J9", "tenantId": "t1"}
            },
            "name": "confirm-appt-123"
        })))
        .respond_with(created("7a1c2e1f-0000-4000-8000-000000000001"))
        .expect(1)
        .mount(&server)
        .await;
    let created =
        client(&server, Duration::from_secs(5)).create_call(&confirm_call()).await.expect("created");
    assert_eq!(created.id, "7a1c2e1f-0000-4000-8000-000000000001");
    assert_eq!(created.status.as_deref(), Some("queued"));
}

#[tokio::test]
async fn optional_parts_are_left_out() {
    let server = MockServer::start().await;
    call_endpoint()
        .and(body_json(json!({
            "assistantId": "asst_5f2c", "phoneNumberId": "pn_8a1d", "customer": {"number": PATIENT}
        })))
        .respond_with(created("c2"))
        .expect(1)
        .mount(&server)
        .await;
    let bare = CreateCall {
        customer_name: None,
        external_id: Some("  ".into()),
        variable_values: BTreeMap::new(),
        metadata: serde_json::Map::new(),
        name: None,
        ..confirm_call()
    };
    assert_eq!(client(&server, Duration::from_secs(5)).create_call(&bare).await.expect("created").id, "c2");
}

#[tokio::test]
async fn server_errors_and_throttling_are_retryable() {
    let server = MockServer::start().await;
    call_endpoint()
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message": "Internal server error"})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    call_endpoint().respond_with(ResponseTemplate::new(429)).expect(1).mount(&server).await;
    let client = client(&server, Duration::from_secs(5));
    let err = client.create_call(&confirm_call()).await.expect_err("500");
    assert!(matches!(err, VapiError::Upstream { status: 500 }), "{err:?}");
    assert!(err.is_retryable());
    let err = client.create_call(&confirm_call()).await.expect_err("429");
    assert!(matches!(err, VapiError::RateLimited) && err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_timeout_is_retryable() {
    let server = MockServer::start().await;
    call_endpoint().respond_with(created("late").set_delay(Duration::from_secs(2))).mount(&server).await;
    let err =
        client(&server, Duration::from_millis(200)).create_call(&confirm_call()).await.expect_err("slow");
    assert!(matches!(err, VapiError::Unreachable(_)) && err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_refusal_is_permanent_and_does_not_quote_the_phone() {
    let server = MockServer::start().await;
    call_endpoint()
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "message": ["customer.number +5511999998888 is not a valid E.164 number"],
            "error": "Bad Request", "statusCode": 400
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, Duration::from_secs(5)).create_call(&confirm_call()).await.expect_err("400");
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(400));
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("not a valid E.164 number"), "{shown}");
    assert!(!shown.contains("99999") && !shown.contains("5511"), "{shown}");
}

#[tokio::test]
async fn a_success_without_an_id_is_not_retried() {
    let server = MockServer::start().await;
    call_endpoint()
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    let err = client(&server, Duration::from_secs(5)).create_call(&confirm_call()).await.expect_err("no id");
    assert!(matches!(err, VapiError::InvalidResponse(_)) && !err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn bad_requests_fail_before_any_http_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(created("never")).expect(0).mount(&server).await;
    let client = client(&server, Duration::from_secs(5));
    let no_number = CreateCall { customer_number: " ".into(), ..confirm_call() };
    let no_assistant = CreateCall { assistant_id: String::new(), ..confirm_call() };
    for call in [no_number, no_assistant] {
        assert!(matches!(client.create_call(&call).await, Err(VapiError::InvalidRequest(_))));
    }
    let empty_key = VapiConfig::new(SecretString::from(""));
    assert!(matches!(VapiClient::new(empty_key), Err(VapiError::InvalidRequest(_))));
    let bad_url = VapiConfig::new(SecretString::from(API_KEY)).with_base_url("not a url");
    assert!(matches!(VapiClient::new(bad_url), Err(VapiError::InvalidRequest(_))));
    // The mock is on 127.0.0.1: without the deployment's permission, the client refuses it.
    let inside = VapiConfig::new(SecretString::from(API_KEY)).with_base_url(server.uri());
    assert!(matches!(VapiClient::new(inside), Err(VapiError::InvalidRequest(_))));
}

#[test]
fn debug_hides_the_patient() {
    let shown = format!("{:?}", confirm_call());
    assert!(!shown.contains("99999") && !shown.contains("Maria"), "{shown}");
    assert!(shown.contains("patientName") && shown.contains("asst_5f2c"), "{shown}");
}
