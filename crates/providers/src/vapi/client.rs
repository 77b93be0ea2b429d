//! The HTTP client behind [`VapiApi`]: `POST {base}/call` (`PROVIDERS.md` section 2.1).

use async_trait::async_trait;
use reqwest::header::ACCEPT;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

use super::VapiApi;
use super::config::VapiConfig;
use super::error::VapiError;
use super::types::{CreateCall, CreatedCall};
use crate::redact::scrub;

/// Places calls through one VAPI organisation. Cheap to share behind an `Arc`.
pub struct VapiClient {
    http: reqwest::Client,
    call_url: String,
    api_key: SecretString,
}

impl VapiClient {
    pub fn new(config: VapiConfig) -> Result<Self, VapiError> {
        if config.api_key.expose_secret().trim().is_empty() {
            return Err(VapiError::InvalidRequest("api_key is empty"));
        }
        let base = config.base_url.trim_end_matches('/');
        // Fail at start-up on a typo rather than on the first patient's call.
        crate::egress::check_url(base, config.allow_private_network)
            .map_err(|_| VapiError::InvalidRequest("base_url must be a valid https URL of a public host"))?;
        let http = crate::egress::client(config.allow_private_network)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|_| VapiError::InvalidRequest("the HTTP client could not be built"))?;
        Ok(Self { http, call_url: format!("{base}/call"), api_key: config.api_key })
    }
}

impl fmt::Debug for VapiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapiClient").field("call_url", &self.call_url).finish_non_exhaustive()
    }
}

#[async_trait]
impl VapiApi for VapiClient {
    #[tracing::instrument(skip_all)]
    async fn create_call(&self, call: &CreateCall) -> Result<CreatedCall, VapiError> {
        let body = request_body(call)?;
        let response = self
            .http
            .post(&self.call_url)
            .bearer_auth(self.api_key.expose_secret())
            .header(ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .map_err(VapiError::unreachable)?;
        read_response(response).await
    }
}

/// The create-call body, key for key as in `PROVIDERS.md` 2.1.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CallBody<'a> {
    assistant_id: &'a str,
    phone_number_id: &'a str,
    customer: CustomerBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assistant_overrides: Option<OverridesBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomerBody<'a> {
    number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OverridesBody<'a> {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    variable_values: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    metadata: &'a Map<String, Value>,
}

/// Validates and shapes a create. Validation happens here, before any request, so a call
/// VAPI would refuse costs no API call.
pub(crate) fn request_body(call: &CreateCall) -> Result<CallBody<'_>, VapiError> {
    let non_empty = |s: &'static str, v: &str| {
        if v.trim().is_empty() { Err(VapiError::InvalidRequest(s)) } else { Ok(()) }
    };
    non_empty("assistant_id is empty", &call.assistant_id)?;
    non_empty("phone_number_id is empty", &call.phone_number_id)?;
    non_empty("the customer number is empty", &call.customer_number)?;
    let overrides = (!call.variable_values.is_empty() || !call.metadata.is_empty())
        .then_some(OverridesBody { variable_values: &call.variable_values, metadata: &call.metadata });
    Ok(CallBody {
        assistant_id: call.assistant_id.trim(),
        phone_number_id: call.phone_number_id.trim(),
        customer: CustomerBody {
            number: call.customer_number.trim(),
            name: present(&call.customer_name),
            external_id: present(&call.external_id),
        },
        assistant_overrides: overrides,
        name: present(&call.name),
    })
}

/// An optional text, trimmed, with blank treated as absent.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The fields of the 201 `Call` this client uses; the rest is ignored.
#[derive(Deserialize)]
struct Created {
    id: Option<String>,
    status: Option<String>,
}

async fn read_response(response: reqwest::Response) -> Result<CreatedCall, VapiError> {
    let status = response.status();
    let code = status.as_u16();
    let body = response.bytes().await.map_err(VapiError::unreachable)?;
    if status.is_success() {
        let created: Created = serde_json::from_slice(&body)
            .map_err(|_| VapiError::InvalidResponse(format!("HTTP {code} body is not a Call object")))?;
        // A batch create answers `CallBatchResponse`, which this client never asks for.
        let Some(id) = created.id.filter(|id| !id.trim().is_empty()) else {
            return Err(VapiError::InvalidResponse(format!("HTTP {code} body has no call id")));
        };
        tracing::debug!(status = created.status.as_deref(), "vapi created a call");
        return Ok(CreatedCall { id, status: created.status });
    }
    tracing::warn!(status = code, "vapi refused a call");
    Err(match code {
        429 => VapiError::RateLimited,
        500..=599 => VapiError::Upstream { status: code },
        _ => VapiError::Rejected {
            status: code,
            message: error_message(&body).unwrap_or_else(|| format!("HTTP {code}")),
        },
    })
}

/// VAPI's error text: NestJS-style `{"message": "..." | ["...", ...], "error": "Bad Request",
/// "statusCode": 400}`, with number-like runs masked.
fn error_message(body: &[u8]) -> Option<String> {
    let Ok(Value::Object(json)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    let text = match json.get("message") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
        _ => json.get("error").and_then(Value::as_str).unwrap_or_default().to_owned(),
    };
    (!text.trim().is_empty()).then(|| scrub(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_reads_string_and_list() {
        let one = br#"{"message":"Couldn't get customer number +5511999998888","error":"Bad Request","statusCode":400}"#;
        assert_eq!(error_message(one).as_deref(), Some("Couldn't get customer number [redacted]"));
        let list =
            br#"{"message":["assistantId must be a UUID","customer.number invalid"],"statusCode":400}"#;
        assert_eq!(
            error_message(list).as_deref(),
            Some("assistantId must be a UUID; customer.number invalid")
        );
        assert_eq!(error_message(b"<html>"), None);
    }
}
