//! OpenAI-compatible endpoints, as served by OpenAI itself and by local servers (a Whisper
//! server for voice notes, a local model for intent classification):
//! `POST {base}/audio/transcriptions` (multipart) and `POST {base}/chat/completions` with a
//! JSON-schema response format. The key is optional, since local servers often need none.

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::time::Duration;

use crate::redact::scrub;

#[derive(Clone)]
pub struct OpenAiConfig {
    /// Up to and including the version segment, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: Option<SecretString>,
    /// `whisper-1`, `gpt-4o-mini`, or whatever the local server calls its model.
    pub model: String,
    pub timeout: Duration,
    /// Lets the base URL name a private or loopback address (local mocks, tests). A
    /// deployment setting, never a tenant's: see `crate::egress`.
    pub allow_private_network: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenAiError {
    #[error("the model server could not be reached or timed out")]
    Unreachable(#[source] reqwest::Error),
    #[error("the model server is rate limiting")]
    RateLimited,
    #[error("the model server failed (HTTP {status})")]
    Upstream { status: u16 },
    #[error("the model server refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("the model server sent an unexpected response: {0}")]
    InvalidResponse(&'static str),
    #[error("invalid model server configuration: {0}")]
    InvalidConfig(&'static str),
}

/// Speech to text for voice notes.
#[async_trait]
pub trait Transcriber: Send + Sync {
    /// `language` is an ISO-639-1 hint (`pt`, `en`).
    async fn transcribe(
        &self,
        audio: Vec<u8>,
        file_name: &str,
        content_type: &str,
        language: Option<&str>,
    ) -> Result<String, OpenAiError>;
}

/// A chat completion constrained to a JSON schema.
#[async_trait]
pub trait JsonCompleter: Send + Sync {
    async fn complete_json(
        &self,
        system: &str,
        user: &str,
        schema_name: &str,
        schema: &Value,
    ) -> Result<Value, OpenAiError>;
}

/// A chat completion that may call tools (OpenAI's function calling): returns the
/// assistant's message, holding either `content` or `tool_calls`.
#[async_trait]
pub trait ToolChat: Send + Sync {
    /// `messages` in the chat format (system, user, assistant with `tool_calls`, tool
    /// results); `tools` as `{"type": "function", "function": {name, description, parameters}}`.
    async fn chat_with_tools(&self, messages: &[Value], tools: &[Value]) -> Result<Value, OpenAiError>;
}

pub struct OpenAiClient {
    http: reqwest::Client,
    base: String,
    auth: Option<HeaderValue>,
    model: String,
}

impl OpenAiClient {
    pub fn new(config: OpenAiConfig) -> Result<Self, OpenAiError> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        crate::egress::check_url(&base, config.allow_private_network)
            .map_err(|_| OpenAiError::InvalidConfig("base_url must be a valid https URL of a public host"))?;
        let auth = match config.api_key.as_ref().map(|k| k.expose_secret().trim().to_owned()) {
            Some(key) if !key.is_empty() => {
                let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
                    .map_err(|_| OpenAiError::InvalidConfig("the API key is not a valid header value"))?;
                value.set_sensitive(true);
                Some(value)
            }
            _ => None,
        };
        let http = crate::egress::client(config.allow_private_network)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|_| OpenAiError::InvalidConfig("the HTTP client could not be built"))?;
        Ok(Self { http, base, auth, model: config.model })
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, OpenAiError> {
        let request = match &self.auth {
            Some(auth) => request.header(AUTHORIZATION, auth.clone()),
            None => request,
        };
        let response = request.send().await.map_err(|e| OpenAiError::Unreachable(e.without_url()))?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        match status {
            200..=299 => Ok(body),
            429 => Err(OpenAiError::RateLimited),
            500..=599 => Err(OpenAiError::Upstream { status }),
            _ => {
                let message = body["error"]["message"].as_str().unwrap_or("no message");
                Err(OpenAiError::Rejected {
                    status,
                    message: scrub(&message.chars().take(300).collect::<String>()),
                })
            }
        }
    }
}

#[async_trait]
impl Transcriber for OpenAiClient {
    async fn transcribe(
        &self,
        audio: Vec<u8>,
        file_name: &str,
        content_type: &str,
        language: Option<&str>,
    ) -> Result<String, OpenAiError> {
        let part = reqwest::multipart::Part::bytes(audio)
            .file_name(file_name.to_owned())
            .mime_str(content_type)
            .map_err(|_| OpenAiError::InvalidConfig("the audio content type is not a MIME type"))?;
        let mut form = reqwest::multipart::Form::new()
            .part("file", part)
            .text("model", self.model.clone())
            .text("response_format", "json");
        if let Some(language) = language {
            form = form.text("language", language.to_owned());
        }
        let body =
            self.send(self.http.post(format!("{}/audio/transcriptions", self.base)).multipart(form)).await?;
        body["text"]
            .as_str()
            .map(str::to_owned)
            .ok_or(OpenAiError::InvalidResponse("no text in the transcription"))
    }
}

#[async_trait]
impl JsonCompleter for OpenAiClient {
    async fn complete_json(
        &self,
        system: &str,
        user: &str,
        schema_name: &str,
        schema: &Value,
    ) -> Result<Value, OpenAiError> {
        let request = json!({
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "response_format": {"type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": true}},
        });
        let body =
            self.send(self.http.post(format!("{}/chat/completions", self.base)).json(&request)).await?;
        let content = body["choices"][0]["message"]["content"]
            .as_str()
            .ok_or(OpenAiError::InvalidResponse("no message content in the completion"))?;
        serde_json::from_str(content).map_err(|_| OpenAiError::InvalidResponse("the completion is not JSON"))
    }
}

#[async_trait]
impl ToolChat for OpenAiClient {
    async fn chat_with_tools(&self, messages: &[Value], tools: &[Value]) -> Result<Value, OpenAiError> {
        let request = json!({"model": self.model, "temperature": 0, "messages": messages, "tools": tools});
        let body =
            self.send(self.http.post(format!("{}/chat/completions", self.base)).json(&request)).await?;
        let message = body["choices"][0]["message"].clone();
        if !message.is_object() {
            return Err(OpenAiError::InvalidResponse("no message in the completion"));
        }
        Ok(message)
    }
}
