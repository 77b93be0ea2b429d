//! Gmail as the clinic's inbox: Pub/Sub push notifications say the mailbox changed (a
//! history id); the history API lists what was added since the last one Frontdesk read;
//! each message is fetched raw and read like any other e-mail. A stale history id (404)
//! falls back to listing the inbox's latest messages. `users.watch` must be renewed before
//! it expires (at most 7 days).
//!
//! A push is authentic when its URL carries the clinic's secret token, or when its
//! `Authorization: Bearer` JWT is signed by Google (RS256, a key from Google's published
//! certificates) for the configured audience and push service account.

use base64::Engine;
pub use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum GmailError {
    #[error("the push notification is not valid: {0}")]
    InvalidPush(&'static str),
    #[error("the push token is not valid: {0}")]
    BadToken(String),
    /// The stored history id is too old: list the inbox instead.
    #[error("the history id is no longer available")]
    StaleHistory,
    #[error("Gmail could not be reached")]
    Unreachable(#[source] reqwest::Error),
    #[error("Gmail answered HTTP {0}")]
    Status(u16),
    #[error("Gmail sent an unexpected response: {0}")]
    InvalidResponse(String),
}

impl GmailError {
    /// Outages and throttling may pass; a refused token or request will not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Status(s) => *s == 429 || *s >= 500,
            _ => false,
        }
    }
}

/// What a push says: the mailbox and its history id now. `message_id` is Pub/Sub's, to
/// deduplicate redeliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushNotification {
    pub message_id: String,
    pub email_address: String,
    pub history_id: u64,
}

#[derive(Deserialize)]
struct PushEnvelope {
    message: PushMessage,
}

#[derive(Deserialize)]
struct PushMessage {
    data: String,
    /// Pub/Sub sends both spellings (the same value).
    #[serde(rename = "messageId")]
    message_id: Option<String>,
    #[serde(rename = "message_id")]
    message_id_snake: Option<String>,
}

#[derive(Deserialize)]
struct PushData {
    #[serde(rename = "emailAddress")]
    email_address: String,
    #[serde(rename = "historyId")]
    history_id: serde_json::Value,
}

/// A history id is a JSON string or number depending on who wrote it.
fn history_number(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

pub fn parse_push(body: &[u8]) -> Result<PushNotification, GmailError> {
    let envelope: PushEnvelope =
        serde_json::from_slice(body).map_err(|_| GmailError::InvalidPush("not a Pub/Sub push body"))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(envelope.message.data.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(envelope.message.data.trim()))
        .map_err(|_| GmailError::InvalidPush("message.data is not base64"))?;
    let data: PushData =
        serde_json::from_slice(&raw).map_err(|_| GmailError::InvalidPush("message.data is not Gmail's"))?;
    let history_id =
        history_number(&data.history_id).ok_or(GmailError::InvalidPush("historyId is not a number"))?;
    let message_id = envelope.message.message_id.or(envelope.message.message_id_snake).unwrap_or_default();
    if message_id.trim().is_empty() {
        return Err(GmailError::InvalidPush("message.messageId is empty"));
    }
    Ok(PushNotification { message_id, email_address: data.email_address, history_id })
}

/// What the push's JWT must say.
#[derive(Debug, Clone)]
pub struct PushAudience {
    pub audience: String,
    /// The push subscription's service account.
    pub service_account: String,
}

#[derive(Deserialize)]
struct GoogleClaims {
    email: Option<String>,
    email_verified: Option<bool>,
    exp: i64,
    iat: Option<i64>,
}

/// Checks a push's bearer token against Google's keys (`certs`), the audience, the
/// service account and its times (`now` in Unix seconds; 5 minutes of clock skew).
pub fn verify_push_jwt(
    token: &str,
    certs: &JwkSet,
    expected: &PushAudience,
    now: i64,
) -> Result<(), GmailError> {
    let bad = |why: &str| GmailError::BadToken(why.to_owned());
    let header = decode_header(token).map_err(|_| bad("not a JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(bad("not signed with RS256"));
    }
    let kid = header.kid.ok_or_else(|| bad("no key id"))?;
    let jwk = certs.find(&kid).ok_or_else(|| bad("signed with a key Google does not publish"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| bad("unusable key"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&expected.audience]);
    validation.set_issuer(&["https://accounts.google.com", "accounts.google.com"]);
    // Times are checked below against the caller's clock.
    validation.validate_exp = false;
    validation.required_spec_claims = ["aud", "iss"].iter().map(|s| (*s).to_owned()).collect();
    let claims = decode::<GoogleClaims>(token, &key, &validation).map_err(|e| bad(&e.to_string()))?.claims;
    const SKEW: i64 = 300;
    if claims.exp + SKEW < now || claims.iat.is_some_and(|iat| iat - SKEW > now) {
        return Err(bad("expired or issued in the future"));
    }
    if claims.email.as_deref() != Some(expected.service_account.as_str())
        || claims.email_verified != Some(true)
    {
        return Err(bad("not the push subscription's service account"));
    }
    Ok(())
}

#[derive(Clone)]
pub struct GmailConfig {
    pub api_base: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub refresh_token: SecretString,
}

/// One page of history: the ids of messages added, and where the mailbox stands.
#[derive(Debug, Default)]
pub struct HistoryPage {
    pub message_ids: Vec<String>,
    pub next_page_token: Option<String>,
    pub history_id: Option<u64>,
}

/// A watch: the history id it starts from and when it expires (Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    pub history_id: u64,
    pub expiration_ms: i64,
}

pub struct GmailClient {
    config: GmailConfig,
    http: reqwest::Client,
    access_token: SecretString,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistoryResponse {
    history: Vec<HistoryRecord>,
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
    #[serde(rename = "historyId")]
    history_id: serde_json::Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistoryRecord {
    #[serde(rename = "messagesAdded")]
    messages_added: Vec<MessageAdded>,
}

#[derive(Deserialize)]
struct MessageAdded {
    message: MessageRef,
}

#[derive(Deserialize)]
struct MessageRef {
    id: String,
    #[serde(rename = "labelIds", default)]
    label_ids: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListResponse {
    messages: Vec<MessageRef>,
}

#[derive(Deserialize)]
struct RawMessage {
    raw: String,
}

#[derive(Deserialize)]
struct WatchResponse {
    #[serde(rename = "historyId")]
    history_id: serde_json::Value,
    expiration: serde_json::Value,
}

fn http_client() -> Result<reqwest::Client, GmailError> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| GmailError::InvalidResponse(e.to_string()))
}

fn unreachable(e: reqwest::Error) -> GmailError {
    GmailError::Unreachable(e.without_url())
}

impl GmailClient {
    /// Exchanges the refresh token for an access token (one per sync).
    pub async fn connect(config: GmailConfig) -> Result<Self, GmailError> {
        let http = http_client()?;
        let response = http
            .post(&config.token_url)
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", config.client_id.as_str()),
                ("client_secret", config.client_secret.expose_secret()),
                ("refresh_token", config.refresh_token.expose_secret()),
            ])
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(GmailError::Status(response.status().as_u16()));
        }
        let token: TokenResponse =
            response.json().await.map_err(|e| GmailError::InvalidResponse(e.without_url().to_string()))?;
        Ok(Self { config, http, access_token: SecretString::from(token.access_token) })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/gmail/v1/users/me/{path}", self.config.api_base.trim_end_matches('/'))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, GmailError> {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(self.access_token.expose_secret())
            .query(query)
            .send()
            .await
            .map_err(unreachable)?;
        match response.status() {
            s if s.is_success() => {
                response.json().await.map_err(|e| GmailError::InvalidResponse(e.without_url().to_string()))
            }
            StatusCode::NOT_FOUND if path == "history" => Err(GmailError::StaleHistory),
            s => Err(GmailError::Status(s.as_u16())),
        }
    }

    /// Messages added to the inbox since `start`, one page.
    pub async fn history(&self, start: u64, page_token: Option<&str>) -> Result<HistoryPage, GmailError> {
        let start = start.to_string();
        let mut query = vec![
            ("startHistoryId", start.as_str()),
            ("historyTypes", "messageAdded"),
            ("labelId", "INBOX"),
            ("maxResults", "500"),
        ];
        if let Some(t) = page_token {
            query.push(("pageToken", t));
        }
        let r: HistoryResponse = self.get_json("history", &query).await?;
        let mut message_ids = Vec::new();
        for added in r.history.into_iter().flat_map(|h| h.messages_added) {
            let m = added.message;
            let inbox = m.label_ids.is_empty() || m.label_ids.iter().any(|l| l == "INBOX");
            if inbox && !message_ids.contains(&m.id) {
                message_ids.push(m.id);
            }
        }
        Ok(HistoryPage {
            message_ids,
            next_page_token: r.next_page_token,
            history_id: history_number(&r.history_id),
        })
    }

    /// The inbox's latest messages (the full sync after a stale history id).
    pub async fn recent_inbox(&self, max: u32) -> Result<Vec<String>, GmailError> {
        let max = max.to_string();
        let r: ListResponse =
            self.get_json("messages", &[("labelIds", "INBOX"), ("maxResults", max.as_str())]).await?;
        Ok(r.messages.into_iter().map(|m| m.id).collect())
    }

    /// One message as raw RFC 5322 bytes.
    pub async fn raw_message(&self, id: &str) -> Result<Vec<u8>, GmailError> {
        let path = format!("messages/{}", percent_path(id));
        let r: RawMessage = self.get_json(&path, &[("format", "raw")]).await?;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(r.raw.trim_end_matches('='))
            .map_err(|_| GmailError::InvalidResponse("raw is not base64url".into()))
    }

    /// Starts (or renews) push notifications for the inbox to `topic`.
    pub async fn watch(&self, topic: &str) -> Result<Watch, GmailError> {
        let response = self
            .http
            .post(self.url("watch"))
            .bearer_auth(self.access_token.expose_secret())
            .json(&serde_json::json!({"topicName": topic, "labelIds": ["INBOX"], "labelFilterBehavior": "include"}))
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(GmailError::Status(response.status().as_u16()));
        }
        let w: WatchResponse =
            response.json().await.map_err(|e| GmailError::InvalidResponse(e.without_url().to_string()))?;
        let expiration_ms = history_number(&w.expiration)
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| GmailError::InvalidResponse("expiration".into()))?;
        let history_id =
            history_number(&w.history_id).ok_or_else(|| GmailError::InvalidResponse("historyId".into()))?;
        Ok(Watch { history_id, expiration_ms })
    }
}

/// Google's published signing keys.
pub async fn fetch_certs(url: &str) -> Result<JwkSet, GmailError> {
    let response = http_client()?.get(url).send().await.map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(GmailError::Status(response.status().as_u16()));
    }
    response.json().await.map_err(|e| GmailError::InvalidResponse(e.without_url().to_string()))
}

/// Gmail ids are hex, but nothing else may reach the path.
fn percent_path(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_is_read_with_either_history_id_spelling() {
        // PROVIDERS.md's example: data = {"emailAddress":"user@example.com","historyId":"9876543210"}.
        let body = br#"{"message":{"data":"eyJlbWFpbEFkZHJlc3MiOiJ1c2VyQGV4YW1wbGUuY29tIiwiaGlzdG9yeUlkIjoiOTg3NjU0MzIxMCJ9","messageId":"2070443601311540","message_id":"2070443601311540","publishTime":"2021-02-26T19:13:55.749Z","attributes":{}},"subscription":"projects/p/subscriptions/s"}"#;
        let push = parse_push(body).unwrap();
        assert_eq!(push.email_address, "user@example.com");
        assert_eq!(push.history_id, 9_876_543_210);
        assert_eq!(push.message_id, "2070443601311540");
        let numeric =
            base64::engine::general_purpose::STANDARD.encode(r#"{"emailAddress":"a@b.c","historyId":42}"#);
        let body = format!(r#"{{"message":{{"data":"{numeric}","message_id":"7"}}}}"#);
        assert_eq!(parse_push(body.as_bytes()).unwrap().history_id, 42);
        assert!(matches!(parse_push(b"{}"), Err(GmailError::InvalidPush(_))));
        assert!(matches!(
            parse_push(br#"{"message":{"data":"!!","messageId":"1"}}"#),
            Err(GmailError::InvalidPush(_))
        ));
    }

    #[test]
    fn message_ids_cannot_reach_another_path() {
        assert_eq!(percent_path("18c2f0a1b2"), "18c2f0a1b2");
        assert_eq!(percent_path("../watch?x=1"), "watchx1");
    }
}
