//! Provider webhooks. No API key: each is authenticated by its provider's signature or
//! the tenant's secret token, and rate limited per path.

use crate::extract::ApiBytes;
use crate::{ApiError, AppState};
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_engine::messaging::webhooks::{self, WebhookError};
use serde::Deserialize;
use utoipa::ToSchema;

/// The fields of Twilio's form-encoded callbacks that Frontdesk reads (Twilio sends more;
/// they are ignored). Documentation only: the handler parses and verifies the raw body,
/// since the signature covers every field as sent.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default)]
#[allow(dead_code, non_snake_case)]
pub struct TwilioCallback {
    MessageSid: String,
    AccountSid: String,
    From: String,
    To: String,
    Body: String,
    NumMedia: String,
    MediaUrl0: String,
    MediaContentType0: String,
    MessageStatus: String,
    ErrorCode: String,
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        let message = e.to_string();
        match e {
            WebhookError::UnknownTenant => ApiError::not_found("tenant"),
            WebhookError::NotConfigured(_) => ApiError::new(StatusCode::NOT_FOUND, "not_configured", message),
            WebhookError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "invalid_signature", message),
            WebhookError::Invalid(_) => ApiError::bad_request("invalid_payload", message),
            WebhookError::Store(s) => s.into(),
        }
    }
}

/// The URL the provider called, as the outside world sees it (signatures cover it).
fn public_url(state: &AppState, uri: &OriginalUri) -> String {
    let path = uri.0.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    format!("{}{}", state.config.public_url.trim_end_matches('/'), path)
}

fn signature(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-twilio-signature").and_then(|v| v.to_str().ok())
}

/// Twilio inbound message: stored (once) before the empty TwiML answer.
#[utoipa::path(post, path = "/webhooks/twilio/{tenant}/messages", tag = "webhooks", params(("tenant" = String, Path)),
    request_body(content = TwilioCallback, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Empty TwiML"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn twilio_message(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    uri: OriginalUri,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    let url = public_url(&state, &uri);
    webhooks::twilio_message(&state.ctx, &tenant, &url, &body, signature(&headers)).await?;
    Ok(([(header::CONTENT_TYPE, "text/xml")], "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")
        .into_response())
}

/// Twilio status callback.
#[utoipa::path(post, path = "/webhooks/twilio/{tenant}/status", tag = "webhooks", params(("tenant" = String, Path)),
    request_body(content = TwilioCallback, content_type = "application/x-www-form-urlencoded"),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn twilio_status(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    uri: OriginalUri,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<StatusCode, ApiError> {
    let url = public_url(&state, &uri);
    webhooks::twilio_status_callback(&state.ctx, &tenant, &url, &body, signature(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// Helena CRM events; the token comes as `?token=` or `X-Helena-Token`.
#[utoipa::path(post, path = "/webhooks/helena/{tenant}", tag = "webhooks", params(("tenant" = String, Path)),
    request_body(content = Object), responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn helena(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<StatusCode, ApiError> {
    let token = q.token.as_deref().or_else(|| headers.get("x-helena-token").and_then(|v| v.to_str().ok()));
    webhooks::helena_event(&state.ctx, &tenant, token, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
