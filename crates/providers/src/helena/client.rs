//! The HTTP client behind [`HelenaApi`]: `POST /chat/v1/send/text` and
//! `POST /chat/v1/send/template` with Bearer auth.

use async_trait::async_trait;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use super::HelenaApi;
use super::config::HelenaConfig;
use super::error::HelenaError;
use super::types::{HelenaMessageStatus, HelenaSent, HelenaTemplate, HelenaText};

/// Sends through one Helena account. Cheap to share behind an `Arc`.
pub struct HelenaClient {
    http: reqwest::Client,
    base: String,
    auth: HeaderValue,
    default_from: Option<String>,
}

impl HelenaClient {
    pub fn new(config: HelenaConfig) -> Result<Self, HelenaError> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        crate::egress::check_url(&base, config.allow_private_network).map_err(|_| {
            HelenaError::InvalidRequest("base_url must be a valid https URL of a public host")
        })?;
        let token = config.token.expose_secret().trim();
        if token.is_empty() {
            return Err(HelenaError::InvalidRequest("the API token is empty"));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| HelenaError::InvalidRequest("the API token is not a valid header value"))?;
        // Keeps the token out of reqwest's and hyper's debug output.
        auth.set_sensitive(true);
        let http = crate::egress::client(config.allow_private_network)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|_| HelenaError::InvalidRequest("the HTTP client could not be built"))?;
        let default_from = config.default_from.filter(|f| !f.trim().is_empty());
        Ok(Self { http, base, auth, default_from })
    }

    fn from<'a>(&'a self, from: Option<&'a str>) -> Option<&'a str> {
        from.filter(|f| !f.trim().is_empty()).or(self.default_from.as_deref())
    }

    async fn post<B: Serialize + Sync>(
        &self,
        op: &'static str,
        path: &str,
        body: &B,
    ) -> Result<HelenaSent, HelenaError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(HelenaError::unreachable)?;
        read_response(op, response).await
    }
}

impl fmt::Debug for HelenaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaClient").field("base", &self.base).finish_non_exhaustive()
    }
}

/// `/chat/v1/send/text` body; absent options are left out rather than sent as `null`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TextBody<'a> {
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ref_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TemplateBody<'a> {
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    template_id: &'a str,
    parameters: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_id: Option<&'a str>,
}

#[async_trait]
impl HelenaApi for HelenaClient {
    #[tracing::instrument(skip_all)]
    async fn send_text(&self, message: &HelenaText) -> Result<HelenaSent, HelenaError> {
        if message.to.trim().is_empty() {
            return Err(HelenaError::InvalidRequest("the recipient is empty"));
        }
        if message.text.trim().is_empty() {
            return Err(HelenaError::InvalidRequest("the text is empty"));
        }
        let body = TextBody {
            to: message.to.trim(),
            from: self.from(message.from.as_deref()),
            text: &message.text,
            session_id: message.session_id.as_deref(),
            ref_id: message.ref_id.as_deref(),
            callback_url: message.callback_url.as_deref(),
            sender_id: message.sender_id.as_deref(),
        };
        self.post("send_text", "/chat/v1/send/text", &body).await
    }

    #[tracing::instrument(skip_all)]
    async fn send_template(&self, message: &HelenaTemplate) -> Result<HelenaSent, HelenaError> {
        if message.to.trim().is_empty() {
            return Err(HelenaError::InvalidRequest("the recipient is empty"));
        }
        if message.template_id.trim().is_empty() {
            return Err(HelenaError::InvalidRequest("the template id is empty"));
        }
        let body = TemplateBody {
            to: message.to.trim(),
            from: self.from(message.from.as_deref()),
            template_id: message.template_id.trim(),
            parameters: &message.parameters,
            sender_id: message.sender_id.as_deref(),
        };
        self.post("send_template", "/chat/v1/send/template", &body).await
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Accepted {
    id: Option<String>,
    session_id: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    key: Option<String>,
}

async fn read_response(op: &'static str, response: reqwest::Response) -> Result<HelenaSent, HelenaError> {
    let status = response.status();
    let code = status.as_u16();
    let body = response.bytes().await.map_err(HelenaError::unreachable)?;
    if status.is_success() {
        let accepted: Accepted = serde_json::from_slice(&body).map_err(|_| {
            HelenaError::InvalidResponse(format!("{op}: HTTP {code} body is not the expected JSON"))
        })?;
        let Some(id) = accepted.id.filter(|id| !id.trim().is_empty()) else {
            return Err(HelenaError::InvalidResponse(format!("{op}: HTTP {code} body has no message id")));
        };
        let status = HelenaMessageStatus::from_wire(accepted.status.as_deref().unwrap_or("PROCESSING"));
        tracing::debug!(op, status = status.as_str(), "helena accepted a message");
        return Ok(HelenaSent { id, session_id: accepted.session_id, status });
    }
    // Only a key that looks like one (`ERROR_UNAUTHORIZED`) is kept: it is the machine code,
    // and anything else in that place could be text about the contact.
    let key = serde_json::from_slice::<ErrorEnvelope>(&body).ok().and_then(|e| e.key).filter(|k| {
        !k.is_empty()
            && k.len() <= 64
            && k.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    });
    tracing::warn!(op, status = code, key = key.as_deref(), "helena refused a request");
    Err(match code {
        401 | 403 => HelenaError::Auth { status: code },
        429 => HelenaError::RateLimited,
        500..=599 => HelenaError::Upstream { status: code },
        _ => HelenaError::Rejected { status: code, key },
    })
}
