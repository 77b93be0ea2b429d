//! Shared set-up: a mock server, a manual clock and a client pointed at both.

use frontdesk_domain::ManualClock;
use frontdesk_providers::ninsaude::{NinsaudeClient, NinsaudeConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// The password deliberately needs form encoding, so a hand-built body would fail.
pub const PASSWORD: &str = "s3cr&t=1 ok";

pub struct Harness {
    pub server: MockServer,
    pub clock: ManualClock,
    pub client: NinsaudeClient,
}

pub async fn harness() -> Harness {
    let server = MockServer::start().await;
    let clock = ManualClock::new("2026-03-02T12:00:00Z".parse().expect("valid timestamp"));
    let client = client_for(&format!("{}/v1", server.uri()), &clock, Duration::from_secs(5));
    Harness { server, clock, client }
}

pub fn config(base_url: &str) -> NinsaudeConfig {
    NinsaudeConfig::new("clinica-teste", "integracao", SecretString::from(PASSWORD))
        .with_base_url(base_url)
        .with_private_network(true)
}

pub fn client_for(base_url: &str, clock: &ManualClock, timeout: Duration) -> NinsaudeClient {
    NinsaudeClient::with_clock(config(base_url).with_timeout(timeout), Arc::new(clock.clone()))
        .expect("client builds")
}

/// A mock for `METHOD /v1{api_path}`.
pub fn api(verb: &str, api_path: &str) -> MockBuilder {
    Mock::given(method(verb)).and(path(format!("/v1{api_path}")))
}

/// Matches a form-encoded body with exactly these fields, in any order.
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

fn form(pairs: &[(&str, &str)]) -> FormIs {
    FormIs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

pub fn password_form() -> FormIs {
    form(&[
        ("grant_type", "password"),
        ("account", "clinica-teste"),
        ("username", "integracao"),
        ("password", PASSWORD),
        ("accountUnit", "1"),
    ])
}

pub fn refresh_form(refresh_token: &str) -> FormIs {
    form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
}

pub fn token_body(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "refresh_token": refresh, "expires_in": 900, "token_type": "bearer"
    }))
}

/// The password grant answering `access`/`refresh`, expected `times` times.
pub async fn password_grant(server: &MockServer, access: &str, refresh: &str, times: u64) {
    api("POST", "/oauth2/token")
        .and(password_form())
        .respond_with(token_body(access, refresh))
        .expect(times)
        .mount(server)
        .await;
}

pub fn bearer(token: &str) -> wiremock::matchers::HeaderExactMatcher {
    wiremock::matchers::header("authorization", format!("bearer {token}"))
}

pub fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"result": result, "error": []}))
}

pub fn professionals() -> Value {
    json!([{"id": 1, "nome": "Dra. Ana Souza", "email": "ana@clinica.test", "ativo": 1},
           {"id": "2", "nome": "Dr. Bruno Lima", "ativo": "0"}])
}
