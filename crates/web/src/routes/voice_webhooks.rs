//! Voice platforms' webhooks: VAPI's server URL and the generic voice-agent webhook. No
//! API key: VAPI is checked against the tenant's `X-Vapi-Secret` or HMAC credential, the
//! generic webhook against its `X-Webhook-Secret`; a failed check is a 401 and stores
//! nothing.

use crate::extract::ApiBytes;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use frontdesk_engine::voice::{self, GenericCallReport, GenericTurn};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

fn public_url(state: &AppState, uri: &OriginalUri) -> String {
    let path = uri.0.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    format!("{}{}", state.config.public_url.trim_end_matches('/'), path)
}

/// VAPI server URL messages (`tool-calls`, `status-update`, `end-of-call-report`,
/// `assistant-request`, `hang`, others acknowledged). `tool-calls` and
/// `assistant-request` are answered with VAPI's response shapes.
#[utoipa::path(post, path = "/webhooks/vapi/{tenant}", tag = "webhooks", params(("tenant" = String, Path)),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 200, body = Object), (status = 401, body = crate::error::ErrorBody),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn vapi(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    uri: OriginalUri,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<Value>, ApiError> {
    let url = public_url(&state, &uri);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok(Json(voice::vapi_webhook(&state.ctx, &tenant, &url, &header, &body).await?))
}

/// One turn of a call transcript.
#[derive(Deserialize, ToSchema)]
pub struct VoiceTurn {
    /// `assistant` (or `bot`, `agent`) or `patient` (or `user`, `customer`).
    pub role: String,
    pub text: String,
    pub seconds_from_start: Option<f64>,
}

/// An event from a voice platform other than VAPI.
#[derive(Deserialize, ToSchema)]
pub struct VoiceEvent {
    /// `call.started`, `call.status` or `call.ended`.
    pub event: String,
    /// The platform's call id (repeats of `call.ended` for one id are stored once).
    pub call_id: String,
    /// `inbound` or `outbound` (default `inbound`).
    pub direction: Option<String>,
    /// The patient's number.
    pub customer_number: Option<String>,
    /// For `call.status`: `ringing`, `in_progress`, `forwarding`, `ended`.
    pub status: Option<String>,
    /// Why the call ended (`customer-ended-call`, `customer-did-not-answer`, `voicemail`...).
    pub ended_reason: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<jiff::Timestamp>,
    pub duration_seconds: Option<f64>,
    /// In USD.
    pub cost: Option<f64>,
    pub summary: Option<String>,
    #[serde(default)]
    pub transcript: Vec<VoiceTurn>,
    pub recording_url: Option<String>,
    /// Fields the agent extracted; `outcome` (`callback`, `not_interested`, `wrong_number`)
    /// and `callback_at` drive the follow-up.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub extracted: Value,
}

/// Generic voice-agent webhook (`X-Webhook-Secret` = the tenant's `voice.webhook_secret`).
#[utoipa::path(post, path = "/webhooks/voice/{tenant}", tag = "webhooks", params(("tenant" = String, Path)),
    request_body = VoiceEvent,
    responses((status = 200, body = Object), (status = 401, body = crate::error::ErrorBody),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn generic(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<Value>, ApiError> {
    let secret = headers.get("x-webhook-secret").and_then(|v| v.to_str().ok());
    // A malformed event is reported only to a caller that knows the secret.
    let raw: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let parsed: Result<VoiceEvent, _> = serde_json::from_value(raw.clone());
    let event = match parsed {
        Ok(e) => e,
        Err(e) => {
            voice::check_generic_secret(&state.ctx, &tenant, secret).await?;
            return Err(ApiError::bad_request("invalid_payload", format!("invalid voice event: {e}")));
        }
    };
    let report = GenericCallReport {
        event: event.event,
        call_id: event.call_id,
        inbound: event.direction.as_deref() != Some("outbound"),
        customer_number: event.customer_number,
        status: event.status,
        ended_reason: event.ended_reason,
        started_at: event.started_at,
        ended_at: event.ended_at,
        duration_seconds: event.duration_seconds,
        cost: event.cost,
        summary: event.summary,
        transcript: event
            .transcript
            .into_iter()
            .map(|t| GenericTurn { role: t.role, text: t.text, seconds_from_start: t.seconds_from_start })
            .collect(),
        recording_url: event.recording_url,
        extracted: event.extracted,
    };
    let call = voice::generic_webhook(&state.ctx, &tenant, secret, report, &raw).await?;
    Ok(Json(json!({"call_id": call.id, "status": call.status, "outcome": call.outcome})))
}
