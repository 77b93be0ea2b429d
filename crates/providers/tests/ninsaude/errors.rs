//! How failures are classified, and that they carry no personal data.

use crate::support::*;
use frontdesk_providers::ninsaude::{NewNinsaudePatient, NinsaudeApi, NinsaudeClient, NinsaudeError};
use serde_json::json;
use std::time::Duration;
use wiremock::ResponseTemplate;

#[tokio::test]
async fn server_error_is_upstream_and_retryable() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/cadastro_profissional/listar")
        .respond_with(ResponseTemplate::new(503))
        .mount(&h.server)
        .await;

    let err = h.client.list_professionals().await.expect_err("503");
    assert!(matches!(err, NinsaudeError::Upstream { status: 503 }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn unprocessable_is_rejected_not_retryable_and_does_not_echo_the_patient() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("POST", "/cadastro_paciente")
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "result": null, "error": ["Paciente Maria Silva (11999998888, maria@example.com) já existe"]
        })))
        .expect(1)
        .mount(&h.server)
        .await;

    let patient = NewNinsaudePatient {
        name: "Maria Silva".into(),
        phone: "11999998888".into(),
        email: Some("maria@example.com".into()),
        birth_date: None,
    };
    let err = h.client.create_patient(&patient).await.expect_err("422");

    assert!(matches!(err, NinsaudeError::Rejected { status: 422, .. }), "{err:?}");
    assert!(!err.is_retryable());
    let shown = format!("{err} {err:?}");
    for personal in ["Maria", "99999", "maria@"] {
        assert!(!shown.contains(personal), "{shown}");
    }
}

#[tokio::test]
async fn a_non_empty_error_array_in_a_200_is_an_error() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/cadastro_profissional/listar")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": [], "error": ["falhou"]})))
        .mount(&h.server)
        .await;

    let err = h.client.list_professionals().await.expect_err("error array");
    assert!(matches!(err, NinsaudeError::Rejected { status: 200, .. }), "{err:?}");
}

#[tokio::test]
async fn a_success_that_is_not_json_is_an_invalid_response() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/cadastro_profissional/listar")
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>manutenção</html>"))
        .mount(&h.server)
        .await;

    let err = h.client.list_professionals().await.expect_err("html");
    assert!(matches!(err, NinsaudeError::InvalidResponse(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let clock = frontdesk_domain::ManualClock::new(jiff::Timestamp::UNIX_EPOCH);
    let client = client_for(&format!("http://127.0.0.1:{port}/v1"), &clock, Duration::from_secs(5));

    let err = client.list_professionals().await.expect_err("nothing listening");

    assert!(matches!(err, NinsaudeError::Unreachable(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_hung_lookup_times_out_as_unreachable_without_the_phone_in_the_error() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    // The lookup URL carries the phone in its query string; the error must not.
    api("GET", "/cadastro_paciente/listar")
        .respond_with(ok(json!([])).set_delay(Duration::from_secs(3)))
        .mount(&h.server)
        .await;
    let client = client_for(&format!("{}/v1", h.server.uri()), &h.clock, Duration::from_millis(500));

    let started = std::time::Instant::now();
    let err = client.find_patient_by_phone("11999998888").await.expect_err("timeout");

    assert!(matches!(err, NinsaudeError::Unreachable(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the timeout was not applied");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("11999998888"), "{shown}");
}

#[tokio::test]
async fn inputs_that_cannot_work_are_refused_before_any_request() {
    // No mocks are mounted: any request would come back 404 and surface as `Rejected`.
    let h = harness().await;

    let err = h.client.find_patient_by_phone("sem telefone").await.expect_err("no digits");
    assert!(matches!(err, NinsaudeError::InvalidRequest(_)), "{err:?}");
    let range = h.client.free_slots(
        frontdesk_providers::ninsaude::NinsaudeId(1),
        jiff::civil::date(2025, 10, 7),
        jiff::civil::date(2025, 10, 6),
    );
    assert!(matches!(range.await, Err(NinsaudeError::InvalidRequest(_))));
    assert!(matches!(NinsaudeClient::new(config("not a url")), Err(NinsaudeError::InvalidRequest(_))));
}
