//! Login, token caching, renewal and the 401 retry.

use crate::support::*;
use frontdesk_providers::ninsaude::{NinsaudeApi, NinsaudeError, NinsaudeId, NinsaudeProfessional};
use jiff::SignedDuration;
use serde_json::json;
use wiremock::ResponseTemplate;
use wiremock::matchers::{header, query_param};

#[tokio::test]
async fn password_grant_sends_exact_form_and_calls_use_lowercase_bearer() {
    let h = harness().await;
    api("POST", "/oauth2/token")
        .and(password_form())
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header("cache-control", "no-cache"))
        .respond_with(token_body("tok-1", "ref-1"))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .and(query_param("limit", "50"))
        .and(bearer("tok-1"))
        .respond_with(ok(professionals()))
        .expect(1)
        .mount(&h.server)
        .await;

    let listed = h.client.list_professionals().await.expect("professionals");

    assert_eq!(
        listed,
        vec![
            NinsaudeProfessional { id: NinsaudeId(1), name: "Dra. Ana Souza".into(), active: true },
            NinsaudeProfessional { id: NinsaudeId(2), name: "Dr. Bruno Lima".into(), active: false },
        ]
    );
}

#[tokio::test]
async fn access_token_is_cached_across_calls_and_concurrent_callers() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/cadastro_profissional/listar")
        .and(bearer("tok-1"))
        .respond_with(ok(professionals()))
        .expect(5)
        .mount(&h.server)
        .await;

    // Three callers racing on an empty cache must share one login.
    let (a, b, c) = tokio::join!(
        h.client.list_professionals(),
        h.client.list_professionals(),
        h.client.list_professionals()
    );
    for result in [a, b, c] {
        assert_eq!(result.expect("professionals").len(), 2);
    }
    h.client.list_professionals().await.expect("fourth call");
    h.client.list_professionals().await.expect("fifth call");
}

#[tokio::test]
async fn token_near_expiry_is_renewed_with_the_refresh_grant() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("POST", "/oauth2/token")
        .and(refresh_form("ref-1"))
        .and(header("x-grant-type", "refresh_token"))
        .respond_with(token_body("tok-2", "ref-2"))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .and(bearer("tok-1"))
        .respond_with(ok(professionals()))
        .expect(2)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .and(bearer("tok-2"))
        .respond_with(ok(professionals()))
        .expect(1)
        .mount(&h.server)
        .await;

    h.client.list_professionals().await.expect("first call logs in");
    h.clock.advance(SignedDuration::from_mins(13));
    h.client.list_professionals().await.expect("13 minutes later the token is still good");
    // 14.5 minutes in: inside the safety margin before the 15-minute expiry.
    h.clock.advance(SignedDuration::from_secs(90));
    h.client.list_professionals().await.expect("renewed call");
}

#[tokio::test]
async fn refused_refresh_token_falls_back_to_the_password_grant() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 2).await;
    api("POST", "/oauth2/token")
        .and(refresh_form("ref-1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .and(bearer("tok-1"))
        .respond_with(ok(professionals()))
        .expect(2)
        .mount(&h.server)
        .await;

    h.client.list_professionals().await.expect("first call");
    h.clock.advance(SignedDuration::from_mins(16));
    h.client.list_professionals().await.expect("call after a fresh password login");
}

#[tokio::test]
async fn unauthorized_call_renews_the_token_and_retries_once() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("POST", "/oauth2/token")
        .and(refresh_form("ref-1"))
        .respond_with(token_body("tok-2", "ref-2"))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .and(bearer("tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .and(bearer("tok-2"))
        .respond_with(ok(professionals()))
        .expect(2)
        .mount(&h.server)
        .await;

    assert_eq!(h.client.list_professionals().await.expect("retried call").len(), 2);
    // The renewed token is cached: the next call goes straight through with it.
    h.client.list_professionals().await.expect("next call");
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_without_further_retries() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("POST", "/oauth2/token")
        .and(refresh_form("ref-1"))
        .respond_with(token_body("tok-2", "ref-2"))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar")
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&h.server)
        .await;

    let err = h.client.list_professionals().await.expect_err("still unauthorized");
    assert!(matches!(err, NinsaudeError::Auth { status: 401 }), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error_and_no_api_call_is_made() {
    let h = harness().await;
    api("POST", "/oauth2/token")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_grant"})))
        .expect(1)
        .mount(&h.server)
        .await;
    api("GET", "/cadastro_profissional/listar").respond_with(ok(json!([]))).expect(0).mount(&h.server).await;

    let err = h.client.list_professionals().await.expect_err("login refused");
    assert!(matches!(err, NinsaudeError::Auth { status: 401 }), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn client_debug_shows_no_password_or_token() {
    let h = harness().await;
    password_grant(&h.server, "tok-secret-1", "ref-secret-1", 1).await;
    api("GET", "/cadastro_profissional/listar").respond_with(ok(json!([]))).mount(&h.server).await;
    h.client.list_professionals().await.expect("call");

    let shown = format!("{:?}", h.client);
    for secret in [PASSWORD, "tok-secret-1", "ref-secret-1"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
