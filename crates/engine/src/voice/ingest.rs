//! What a voice platform reports about a call, in Frontdesk's terms, and how it lands:
//! the call found by its provider id (or recorded, for an inbound call seen first here),
//! its status moved forward, its report stored once with transcript and outcome, and the
//! next step planned from that outcome in the same transaction.

use super::VoiceFailure;
use super::follow_up;
use crate::Ctx;
use frontdesk_domain::contact::PhoneE164;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::messaging::MessageText;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::voice::{Call, CallDirection, CallStatus, EndedCall, TranscriptTurn, classify};
use frontdesk_domain::{AppointmentId, CallId};
use frontdesk_store::{CallPayload, NewInboundEvent, StoreError};
use jiff::Timestamp;
use serde_json::Value;

/// The tenant a report belongs to, with its settings.
pub struct Reported<'a> {
    pub tenant: &'a Tenant,
    pub settings: &'a TenantSettings,
    /// `vapi`, `sandbox`, or the generic platform's name.
    pub provider: &'a str,
    /// The call record Frontdesk made when it placed this call (from the call's metadata).
    pub placed_as: Option<frontdesk_domain::CallId>,
}

/// A call ended, as any platform reports it. `Debug` hides the number and what was said.
#[derive(Clone, Default)]
pub struct CallReport {
    pub provider_call_id: String,
    /// Inbound when the platform says so; only used for a call not seen before.
    pub inbound: bool,
    pub customer_number: Option<String>,
    pub ended_reason: Option<String>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_seconds: Option<f64>,
    pub cost: Option<f64>,
    pub cost_breakdown: Value,
    pub summary: Option<String>,
    pub turns: Vec<TranscriptTurn>,
    pub recording_url: Option<String>,
    pub stereo_recording_url: Option<String>,
    pub structured_data: Value,
}

impl std::fmt::Debug for CallReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pii::Redacted;
        f.debug_struct("CallReport")
            .field("provider_call_id", &self.provider_call_id)
            .field("inbound", &self.inbound)
            .field("customer_number", &Redacted(&self.customer_number))
            .field("ended_reason", &self.ended_reason)
            .field("started_at", &self.started_at)
            .field("ended_at", &self.ended_at)
            .field("duration_seconds", &self.duration_seconds)
            .field("summary", &Redacted(&self.summary))
            .field("turns", &self.turns.len())
            .field("structured_data", &Redacted(&self.structured_data))
            .finish_non_exhaustive()
    }
}

/// Provider roles in Frontdesk's words.
pub fn role(provider_role: &str) -> &'static str {
    match provider_role {
        "bot" | "assistant" | "agent" | "ai" => "assistant",
        "user" | "customer" | "patient" | "caller" => "patient",
        "tool_calls" | "tool_call_result" | "tool" | "function" => "tool",
        _ => "system",
    }
}

/// The call with this provider id; a call not seen before (an inbound call, or one placed
/// elsewhere) is recorded, linked to the patient with the caller's number if any.
pub async fn call_for(
    ctx: &Ctx,
    r: &Reported<'_>,
    provider_call_id: &str,
    customer_number: Option<&str>,
    inbound: bool,
) -> Result<Call, VoiceFailure> {
    if let Some(call) = ctx.store.call_by_provider_id(r.tenant.id, r.provider, provider_call_id).await? {
        return Ok(call);
    }
    let now = ctx.clock.now();
    // A call Frontdesk placed, reported before the placing job saved the provider's id:
    // the webhook adopts the placed record rather than making a second one.
    if let Some(id) = r.placed_as
        && let Some(mut call) = ctx.store.get_call(r.tenant.id, id).await?
        && call.provider_call_id.is_none()
    {
        call.provider = r.provider.to_owned();
        call.provider_call_id = Some(provider_call_id.to_owned());
        call.updated_at = now;
        match ctx.store.save_call(&call, &[], now).await {
            Ok(()) => return Ok(call),
            // The placing job saved it meanwhile: it is found by the provider's id below.
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(call) = ctx.store.call_by_provider_id(r.tenant.id, r.provider, provider_call_id).await? {
            return Ok(call);
        }
    }
    let patient = match customer_number.and_then(|n| PhoneE164::parse(n, &r.settings.default_region).ok()) {
        Some(phone) => ctx.store.patient_by_phone(r.tenant.id, &phone).await?,
        None => None,
    };
    let direction = if inbound { CallDirection::Inbound } else { CallDirection::Outbound };
    let (patient_id, lead_id) = match (patient, inbound, customer_number) {
        (Some(p), _, _) => (Some(p.id), None),
        // A number the clinic does not know calls in: a lead (already talking, so no
        // outreach playbook).
        (None, true, Some(number)) => {
            let intake = crate::leads::LeadIntake {
                source: Some(frontdesk_domain::leads::LeadSource::Phone),
                phone: number.to_owned(),
                submitted_at: Some(now),
                in_conversation: true,
                ..Default::default()
            };
            match crate::leads::create_lead(ctx, r.tenant.id, intake).await {
                Ok(created) => (Some(created.lead.patient_id), Some(created.lead.id)),
                Err(crate::leads::LeadFailure::Store(e)) => return Err(e.into()),
                // A withheld or malformed number: the call is recorded without a patient.
                Err(_) => (None, None),
            }
        }
        _ => (None, None),
    };
    let mut call = Call::reported(r.tenant.id, patient_id, direction, r.provider, provider_call_id, now);
    call.lead_id = lead_id;
    match ctx.store.insert_call(&call, &[], now).await {
        Ok(()) => Ok(call),
        // Another message about the same call recorded it a moment ago.
        Err(StoreError::Conflict(_)) => ctx
            .store
            .call_by_provider_id(r.tenant.id, r.provider, provider_call_id)
            .await?
            .ok_or(VoiceFailure::NotFound("call")),
        Err(e) => Err(e.into()),
    }
}

/// Keeps a raw payload: on its call when known, otherwise as an inbound event.
pub async fn keep_payload(
    ctx: &Ctx,
    r: &Reported<'_>,
    call: Option<CallId>,
    kind: &str,
    payload: &Value,
) -> Result<(), VoiceFailure> {
    let now = ctx.clock.now();
    match call {
        Some(call_id) => {
            let p =
                CallPayload { call_id, kind: kind.to_owned(), payload: payload.clone(), received_at: now };
            ctx.store.record_call_payload(r.tenant.id, &p).await?;
        }
        None => {
            let event = NewInboundEvent {
                tenant_id: r.tenant.id,
                provider: r.provider.to_owned(),
                external_id: format!("{kind}:{}", uuid::Uuid::now_v7()),
                kind: kind.to_owned(),
                payload: payload.clone(),
            };
            ctx.store.record_event(&event, &[], now).await?;
        }
    }
    Ok(())
}

/// A status transition. Stale or repeated reports change nothing.
pub async fn status_update(
    ctx: &Ctx,
    r: &Reported<'_>,
    provider_call_id: &str,
    status: CallStatus,
    ended_reason: Option<String>,
    raw: &Value,
) -> Result<Call, VoiceFailure> {
    let mut call = call_for(ctx, r, provider_call_id, None, false).await?;
    let now = ctx.clock.now();
    if call.apply_status(status, now) {
        if status == CallStatus::Ended {
            call.ended_reason = ended_reason.or(call.ended_reason);
            call.ended_at.get_or_insert(now);
        }
        // A call picked up is live news; keyed by the call, so repeated reports add nothing.
        let jobs = if status == CallStatus::InProgress {
            let fact = Fact::new(
                call.tenant_id,
                FactKind::CallStarted,
                format_args!("call:{}", call.id),
                serde_json::json!({"call_id": call.id, "patient_id": call.patient_id, "lead_id": call.lead_id,
                    "status": call.status}),
                now,
            );
            crate::facts::jobs_for(&fact, now)
        } else {
            Vec::new()
        };
        ctx.store.save_call(&call, &jobs, now).await?;
    }
    keep_payload(ctx, r, Some(call.id), "status-update", raw).await?;
    Ok(call)
}

/// Links the appointment a tool booked to its call, so the outcome is `booked`.
pub async fn note_booking(
    ctx: &Ctx,
    r: &Reported<'_>,
    provider_call_id: &str,
    customer_number: Option<&str>,
    appointment: AppointmentId,
) -> Result<(), VoiceFailure> {
    let mut call = call_for(ctx, r, provider_call_id, customer_number, true).await?;
    if call.appointment_id != Some(appointment) {
        call.appointment_id = Some(appointment);
        call.updated_at = ctx.clock.now();
        ctx.store.save_call(&call, &[], ctx.clock.now()).await?;
    }
    Ok(())
}

/// The end-of-call report: stored once per call (a repeat updates the record and its
/// transcript but plans nothing again), classified, and followed up.
pub async fn end_of_call(
    ctx: &Ctx,
    r: &Reported<'_>,
    report: CallReport,
    raw: &Value,
) -> Result<Call, VoiceFailure> {
    let now = ctx.clock.now();
    let mut call =
        call_for(ctx, r, &report.provider_call_id, report.customer_number.as_deref(), report.inbound).await?;
    let first_report = call.outcome.is_none();
    call.apply_status(CallStatus::Ended, now);
    call.ended_reason = report.ended_reason.clone().or(call.ended_reason);
    call.started_at = report.started_at.or(call.started_at);
    call.ended_at = report.ended_at.or(call.ended_at).or(Some(now));
    call.duration_seconds = report.duration_seconds.or_else(|| {
        let (s, e) = (call.started_at?, call.ended_at?);
        Some(e.duration_since(s).as_secs_f64().max(0.0))
    });
    call.cost = report.cost.or(call.cost);
    if !report.cost_breakdown.is_null() {
        call.cost_breakdown = report.cost_breakdown.clone();
    }
    call.summary = report.summary.clone().map(MessageText::new).or(call.summary);
    call.recording_url = report.recording_url.clone().or(call.recording_url);
    call.stereo_recording_url = report.stereo_recording_url.clone().or(call.stereo_recording_url);
    if !report.structured_data.is_null() {
        call.structured_data = report.structured_data.clone();
    }
    call.updated_at = now;
    let mut jobs = Vec::new();
    if first_report {
        let c = classify(&EndedCall {
            ended_reason: call.ended_reason.as_deref(),
            structured_data: Some(&call.structured_data),
            booked: call.appointment_id.is_some(),
            duration_seconds: call.duration_seconds,
        });
        call.outcome = Some(c.outcome);
        call.callback_at = c.callback_at;
        let (next, why) = follow_up::plan(r.settings, &r.tenant.timezone.time_zone(), &call, now);
        call.outcome_reason = Some(format!("{}; {why}", c.reason));
        jobs = next;
        // The call ended with an outcome: a fact for whichever playbook listens, saved
        // with the call.
        let fact = Fact::new(
            call.tenant_id,
            FactKind::CallEnded,
            format_args!("call:{}", call.id),
            serde_json::json!({"call_id": call.id, "patient_id": call.patient_id, "lead_id": call.lead_id,
                "outcome": call.outcome, "appointment_id": call.appointment_id,
                "duration_seconds": call.duration_seconds, "cost": call.cost}),
            now,
        );
        jobs.extend(crate::facts::jobs_for(&fact, now));
    }
    ctx.store.save_call(&call, &jobs, now).await?;
    ctx.store.replace_transcript(r.tenant.id, call.id, &report.turns).await?;
    // A safety net for the `opt_out` tool: "stop texting me" said on the call counts even
    // when the assistant did not act on it.
    crate::messaging::contact_prefs::from_transcript(ctx, &call, &report.turns).await?;
    keep_payload(ctx, r, Some(call.id), "end-of-call-report", raw).await?;
    Ok(call)
}
