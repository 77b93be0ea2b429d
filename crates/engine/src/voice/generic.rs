//! The generic voice-agent webhook, for platforms other than VAPI: one JSON shape
//! (documented in the OpenAPI spec) carrying call status, or at the end the transcript,
//! recording and extracted fields, authenticated by the tenant's `X-Webhook-Secret`.

use super::VoiceFailure;
use super::ingest::{self, CallReport, Reported, role};
use crate::Ctx;
use frontdesk_domain::messaging::MessageText;
use frontdesk_domain::voice::{Call, CallStatus, TranscriptTurn};
use frontdesk_providers::vapi;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::Value;

/// The provider name calls from this webhook are stored under.
pub const GENERIC_PROVIDER: &str = "voice-agent";

#[derive(Debug, Clone)]
pub struct GenericTurn {
    pub role: String,
    pub text: String,
    pub seconds_from_start: Option<f64>,
}

/// One event from a voice platform (already deserialized by the HTTP layer).
#[derive(Debug, Clone, Default)]
pub struct GenericCallReport {
    /// `call.started`, `call.status` or `call.ended`.
    pub event: String,
    pub call_id: String,
    pub inbound: bool,
    pub customer_number: Option<String>,
    /// For `call.status`: `ringing`, `in_progress`, `forwarding`, `ended`.
    pub status: Option<String>,
    pub ended_reason: Option<String>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_seconds: Option<f64>,
    pub cost: Option<f64>,
    pub summary: Option<String>,
    pub transcript: Vec<GenericTurn>,
    pub recording_url: Option<String>,
    pub extracted: Value,
}

/// Checks `X-Webhook-Secret` against the tenant's `voice.webhook_secret` (constant time).
pub async fn check_generic_secret(
    ctx: &Ctx,
    slug: &str,
    secret: Option<&str>,
) -> Result<std::sync::Arc<crate::tenant_directory::TenantEntry>, VoiceFailure> {
    let entry = ctx.tenants.by_slug(&ctx.store, slug).await?.ok_or(VoiceFailure::UnknownTenant)?;
    let expected = entry
        .settings
        .voice
        .webhook_secret
        .as_ref()
        .ok_or(VoiceFailure::NotConfigured("the voice webhook"))?;
    if !vapi::verify_secret(&SecretString::from(expected.clone()), secret) {
        return Err(VoiceFailure::Unauthorized("wrong or missing X-Webhook-Secret".into()));
    }
    Ok(entry)
}

pub async fn generic_webhook(
    ctx: &Ctx,
    slug: &str,
    secret: Option<&str>,
    report: GenericCallReport,
    raw: &Value,
) -> Result<Call, VoiceFailure> {
    let entry = check_generic_secret(ctx, slug, secret).await?;
    if report.call_id.trim().is_empty() {
        return Err(VoiceFailure::Invalid("call_id is required".into()));
    }
    let r = Reported {
        tenant: &entry.tenant,
        settings: &entry.settings,
        provider: GENERIC_PROVIDER,
        placed_as: None,
    };
    match report.event.as_str() {
        "call.ended" => {
            let turns = report
                .transcript
                .iter()
                .filter(|t| !t.text.is_empty())
                .map(|t| TranscriptTurn {
                    role: role(&t.role).to_owned(),
                    text: MessageText::new(t.text.clone()),
                    seconds_from_start: t.seconds_from_start,
                })
                .collect();
            let report = CallReport {
                provider_call_id: report.call_id,
                inbound: report.inbound,
                customer_number: report.customer_number,
                ended_reason: report.ended_reason,
                started_at: report.started_at,
                ended_at: report.ended_at,
                duration_seconds: report.duration_seconds,
                cost: report.cost,
                cost_breakdown: Value::Null,
                summary: report.summary,
                turns,
                recording_url: report.recording_url,
                stereo_recording_url: None,
                structured_data: report.extracted,
            };
            ingest::end_of_call(ctx, &r, report, raw).await
        }
        "call.started" => {
            let call =
                ingest::call_for(ctx, &r, &report.call_id, report.customer_number.as_deref(), report.inbound)
                    .await?;
            ingest::keep_payload(ctx, &r, Some(call.id), "call.started", raw).await?;
            Ok(call)
        }
        "call.status" => {
            let status = report.status.as_deref().and_then(CallStatus::from_vapi).ok_or_else(|| {
                VoiceFailure::Invalid("status must be ringing, in_progress, forwarding or ended".into())
            })?;
            ingest::status_update(ctx, &r, &report.call_id, status, report.ended_reason, raw).await
        }
        other => Err(VoiceFailure::Invalid(format!(
            "event must be call.started, call.status or call.ended, not {:?}",
            other.chars().take(40).collect::<String>()
        ))),
    }
}
