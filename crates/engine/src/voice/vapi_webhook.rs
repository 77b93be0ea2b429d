//! VAPI's server URL: authenticate (the `X-Vapi-Secret` header or the HMAC credential, per
//! tenant), parse, and hand each message type to the provider-neutral ingest. Nothing is
//! stored for a request that fails authentication.

use super::VoiceFailure;
use super::ingest::{self, CallReport, Reported, role};
use super::tools::{BOOK_APPOINTMENT, RESCHEDULE_APPOINTMENT, ToolCaller, run_tool};
use crate::Ctx;
use frontdesk_domain::contact::PhoneE164;
use frontdesk_domain::messaging::MessageText;
use frontdesk_domain::voice::{CallStatus, TranscriptTurn, VapiHmacSettings};
use frontdesk_providers::vapi::{
    self, HmacAlgorithm, HmacPlan, ServerMessage, SignatureEncoding, SignedRequest, ToolResult,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn hmac_plan(h: &VapiHmacSettings) -> HmacPlan {
    HmacPlan {
        algorithm: match h.algorithm.as_str() {
            "sha512" => HmacAlgorithm::Sha512,
            "sha1" => HmacAlgorithm::Sha1,
            _ => HmacAlgorithm::Sha256,
        },
        signature_header: h.signature_header.clone(),
        timestamp_header: h.timestamp_header.clone(),
        payload_format: h.payload_format.clone(),
        include_timestamp: h.include_timestamp,
        signature_encoding: match h.signature_encoding.as_str() {
            "base64" => SignatureEncoding::Base64,
            _ => SignatureEncoding::Hex,
        },
        signature_prefix: h.signature_prefix.clone(),
        secret_is_base64: h.secret_is_base64,
        max_skew: h.max_skew_seconds.map(std::time::Duration::from_secs),
    }
}

/// Handles one server URL request and returns the JSON to answer with. `header` reads a
/// request header by (case-insensitive) name; `url` is the public URL VAPI posted to.
pub async fn vapi_webhook(
    ctx: &Ctx,
    slug: &str,
    url: &str,
    header: &(dyn Fn(&str) -> Option<String> + Sync),
    body: &[u8],
) -> Result<Value, VoiceFailure> {
    let entry = ctx.tenants.by_slug(&ctx.store, slug).await?.ok_or(VoiceFailure::UnknownTenant)?;
    let vapi_settings = entry.settings.voice.vapi.as_ref().ok_or(VoiceFailure::NotConfigured("VAPI"))?;
    match (&vapi_settings.hmac, &vapi_settings.server_secret) {
        (Some(h), _) => {
            let plan = hmac_plan(h);
            let signature = header(&plan.signature_header);
            let timestamp = header(&plan.timestamp_header);
            let svix_id = header("svix-id");
            let request = SignedRequest {
                method: "POST",
                url,
                body,
                signature: signature.as_deref(),
                timestamp: timestamp.as_deref(),
                svix_id: svix_id.as_deref(),
            };
            vapi::verify_hmac(&plan, &SecretString::from(h.secret.clone()), &request, ctx.clock.now())
                .map_err(|e| VoiceFailure::Unauthorized(e.to_string()))?;
        }
        (None, Some(secret)) => {
            if !vapi::verify_secret(
                &SecretString::from(secret.clone()),
                header(vapi::SECRET_HEADER).as_deref(),
            ) {
                return Err(VoiceFailure::Unauthorized("wrong or missing X-Vapi-Secret".into()));
            }
        }
        (None, None) => return Err(VoiceFailure::NotConfigured("VAPI webhook authentication")),
    }
    let message = vapi::parse_server_message(body).map_err(|e| VoiceFailure::Invalid(e.to_string()))?;
    let raw: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let r = Reported {
        tenant: &entry.tenant,
        settings: &entry.settings,
        provider: "vapi",
        placed_as: placed_as(&raw),
    };
    handle(ctx, &r, message, &raw).await
}

/// The call record a call Frontdesk placed belongs to, from the metadata the placing job
/// gave VAPI: a message that arrives before the job saved VAPI's call id still finds it.
fn placed_as(raw: &Value) -> Option<frontdesk_domain::CallId> {
    let call = &raw["message"]["call"];
    [&call["assistantOverrides"]["metadata"]["frontdeskCallId"], &call["metadata"]["frontdeskCallId"]]
        .into_iter()
        .find_map(|v| v.as_str().and_then(|s| s.parse::<uuid::Uuid>().ok()))
        .map(frontdesk_domain::CallId::from)
}

/// One parsed message, from VAPI or from the sandbox acting as VAPI.
pub(super) async fn handle(
    ctx: &Ctx,
    r: &Reported<'_>,
    message: ServerMessage,
    raw: &Value,
) -> Result<Value, VoiceFailure> {
    match message {
        ServerMessage::ToolCalls { call_id, customer_number, calls } => {
            let call = ingest::call_for(ctx, r, &call_id, customer_number.as_deref(), true).await?;
            ingest::keep_payload(ctx, r, Some(call.id), "tool-calls", raw).await?;
            let caller = ToolCaller {
                tenant: r.tenant,
                default_region: &r.settings.default_region,
                caller_number: customer_number.as_deref(),
                source: r.provider,
                locale: super::tools::caller_locale(
                    ctx,
                    r.tenant,
                    &r.settings.default_region,
                    customer_number.as_deref(),
                )
                .await,
            };
            let mut results = Vec::with_capacity(calls.len());
            for tool in calls {
                let outcome = run_tool(ctx, &caller, Some(&tool.id), &tool.name, &tool.arguments).await?;
                if let Ok(v) = &outcome
                    && (tool.name == BOOK_APPOINTMENT || tool.name == RESCHEDULE_APPOINTMENT)
                    && let Some(id) = v["appointment"]["appointment_id"].as_str().and_then(|s| s.parse().ok())
                {
                    ingest::note_booking(ctx, r, &call_id, customer_number.as_deref(), id).await?;
                }
                results.push(ToolResult {
                    tool_call_id: tool.id,
                    name: tool.name,
                    result: outcome.as_ref().ok().map(Value::to_string),
                    error: outcome.as_ref().err().map(|e| e.to_json().to_string()),
                });
            }
            Ok(vapi::tool_results_response(&results))
        }
        ServerMessage::StatusUpdate { call_id, status, ended_reason } => {
            match CallStatus::from_vapi(&status) {
                Some(s) => {
                    ingest::status_update(ctx, r, &call_id, s, ended_reason, raw).await?;
                }
                None => {
                    let call = ctx.store.call_by_provider_id(r.tenant.id, r.provider, &call_id).await?;
                    ingest::keep_payload(ctx, r, call.map(|c| c.id), "status-update", raw).await?;
                }
            }
            Ok(json!({}))
        }
        ServerMessage::EndOfCallReport(report) => {
            let report = *report;
            let turns = report
                .messages
                .iter()
                .filter(|m| !m.message.is_empty())
                .map(|m| TranscriptTurn {
                    role: role(&m.role).to_owned(),
                    text: MessageText::new(m.message.clone()),
                    seconds_from_start: m.seconds_from_start,
                })
                .collect();
            let report = CallReport {
                provider_call_id: report.call_id,
                inbound: true,
                customer_number: report.customer_number,
                ended_reason: report.ended_reason,
                started_at: report.started_at,
                ended_at: report.ended_at,
                duration_seconds: report.duration_seconds,
                cost: report.cost,
                cost_breakdown: report.cost_breakdown,
                summary: report.summary,
                turns,
                recording_url: report.recording_url,
                stereo_recording_url: report.stereo_recording_url,
                structured_data: report.structured_data,
            };
            ingest::end_of_call(ctx, r, report, raw).await?;
            Ok(json!({}))
        }
        ServerMessage::AssistantRequest { call_id, customer_number } => {
            // Who the caller is, looked up before the call is recorded: recording an unknown
            // caller registers them as a lead, with no name worth greeting them by.
            let known = match customer_number
                .as_deref()
                .and_then(|n| PhoneE164::parse(n, &r.settings.default_region).ok())
            {
                Some(phone) => ctx.store.patient_by_phone(r.tenant.id, &phone).await?,
                None => None,
            };
            let call = ingest::call_for(ctx, r, &call_id, customer_number.as_deref(), true).await?;
            ingest::keep_payload(ctx, r, Some(call.id), "assistant-request", raw).await?;
            let Some(assistant) = r.settings.voice.vapi.as_ref().and_then(|v| v.inbound_assistant_id.clone())
            else {
                return Ok(json!({"error": match r.tenant.locale {
                    frontdesk_domain::tenant::Locale::PtBr => "No momento não conseguimos atender. Por favor, ligue mais tarde.",
                    frontdesk_domain::tenant::Locale::En => "We cannot take your call right now. Please call again later.",
                }}));
            };
            let mut variables = BTreeMap::new();
            variables.insert("clinicName".to_owned(), r.tenant.name.clone());
            if let Some(p) = known {
                variables.insert("patientFirstName".to_owned(), p.name.first_name().to_owned());
                variables.insert("patientId".to_owned(), p.id.to_string());
            }
            Ok(vapi::assistant_response(&assistant, &variables))
        }
        ServerMessage::TransferDestinationRequest { call_id, customer_number } => {
            super::transfer::transfer_request(ctx, r, &call_id, customer_number.as_deref(), raw).await
        }
        ServerMessage::Hang { call_id } => {
            let call = ctx.store.call_by_provider_id(r.tenant.id, r.provider, &call_id).await?;
            ingest::keep_payload(ctx, r, call.map(|c| c.id), "hang", raw).await?;
            Ok(json!({}))
        }
        ServerMessage::Unknown { message_type } => {
            let kind: String = message_type.chars().take(60).collect();
            ingest::keep_payload(ctx, r, None, &kind, raw).await?;
            Ok(json!({}))
        }
    }
}
