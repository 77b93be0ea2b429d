//! Outbound calls: stored first with the job that places them, placed by that job inside
//! calling hours, and refused for patients who said no or whose number is wrong.

use super::provider::{CallBrief, PlaceError, provider_for};
use super::{PLACE_CALL_JOB, SANDBOX_PLAY_JOB, VoiceFailure};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::messaging::{Channel, may_send_automated, next_allowed};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::voice::{Call, CallOutcome, CallStatus, TranscriptTurn};
use frontdesk_domain::{CallId, LeadId, PatientId, TenantId};
use frontdesk_store::{CallFilter, CallPayload, StoreError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct PlaceCallRequest {
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    /// Why the clinic calls (`hot_lead`, `confirmation`...), told to the assistant.
    pub reason: Option<String>,
    /// Overrides the tenant's outbound assistant.
    pub assistant_id: Option<String>,
    pub lead_id: Option<LeadId>,
    /// Places at most one call for this id (the job asking for it): a retried step finds
    /// the call it stored before instead of calling the patient twice. `None` always calls.
    pub once: Option<uuid::Uuid>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct CallPayloadRef {
    pub call_id: CallId,
}

/// A job about one call, at `run_at`, at most once per `purpose` and call.
pub(super) fn call_job(call: &Call, kind: &str, purpose: &str, run_at: Timestamp) -> NewJob {
    NewJob::new(call.tenant_id, kind, serde_json::json!(CallPayloadRef { call_id: call.id }), run_at)
        .with_dedupe_key(format!("{purpose}:{}", call.id))
}

/// The first moment at or after `at` that the clinic's quiet hours allow a call.
pub(super) fn calling_time(settings: &TenantSettings, tz: &jiff::tz::TimeZone, at: Timestamp) -> Timestamp {
    next_allowed(at, tz, &settings.messaging.quiet_hours)
}

/// The id of the call placed for `once` (see [`PlaceCallRequest::once`]): whoever asked
/// for it finds it again.
pub fn once_call_id(tenant: TenantId, once: uuid::Uuid) -> CallId {
    CallId(crate::faults::derived_after(tenant, once, 0, "place_call"))
}

/// Stores the call and the job that places it (at once, or when calling hours begin).
pub async fn place_call(ctx: &Ctx, req: PlaceCallRequest) -> Result<Call, VoiceFailure> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    store.get_patient(req.tenant_id, req.patient_id).await?.ok_or(VoiceFailure::NotFound("patient"))?;
    if !may_call(ctx, req.tenant_id, req.patient_id).await? {
        return Err(VoiceFailure::OptedOut);
    }
    let tenant = store.tenant_by_id(req.tenant_id).await?.ok_or(VoiceFailure::UnknownTenant)?;
    let settings = store.tenant_settings(req.tenant_id).await?;
    let mut call =
        Call::outbound(req.tenant_id, req.patient_id, settings.voice.provider.as_str(), req.reason, now);
    call.assistant_id = req.assistant_id;
    call.lead_id = req.lead_id;
    if let Some(anchor) = req.once {
        call.id = once_call_id(req.tenant_id, anchor);
        if let Some(placed) = store.get_call(req.tenant_id, call.id).await? {
            return Ok(placed);
        }
    }
    let run_at = calling_time(&settings, &tenant.timezone.time_zone(), now);
    match store.insert_call(&call, &[call_job(&call, PLACE_CALL_JOB, "place", run_at)], now).await {
        Ok(()) => Ok(call),
        // Another run of the same step stored it meanwhile.
        Err(StoreError::Conflict(_)) if req.once.is_some() => {
            store.get_call(req.tenant_id, call.id).await?.ok_or(VoiceFailure::NotFound("call"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether automated calls may go to the patient: the same consent record as messages,
/// on the `voice` channel ("não me liguem mais" on WhatsApp records it).
pub async fn may_call(ctx: &Ctx, tenant: TenantId, patient: PatientId) -> Result<bool, StoreError> {
    Ok(may_send_automated(&ctx.store.consents(tenant, patient).await?, Channel::Voice))
}

/// A call with what was said and what the provider sent.
#[derive(Debug, Clone, Serialize)]
pub struct CallDetail {
    #[serde(flatten)]
    pub call: Call,
    pub transcript: Vec<TranscriptTurn>,
    /// Raw provider payloads, oldest first (kinds and times; bodies for audit).
    pub events: Vec<CallEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallEvent {
    pub kind: String,
    pub received_at: Timestamp,
    pub payload: serde_json::Value,
}

pub async fn call_detail(ctx: &Ctx, tenant: TenantId, id: CallId) -> Result<CallDetail, VoiceFailure> {
    let call = ctx.store.get_call(tenant, id).await?.ok_or(VoiceFailure::NotFound("call"))?;
    let transcript = ctx.store.transcript(tenant, id).await?;
    let events = ctx
        .store
        .call_payloads(tenant, id)
        .await?
        .into_iter()
        .map(|p: CallPayload| CallEvent { kind: p.kind, received_at: p.received_at, payload: p.payload })
        .collect();
    Ok(CallDetail { call, transcript, events })
}

/// Why the patient must not be called again, if a call of theirs said so.
async fn do_not_call(ctx: &Ctx, call: &Call) -> Result<Option<&'static str>, JobError> {
    let Some(patient) = call.patient_id else { return Ok(None) };
    for (outcome, why) in [
        (CallOutcome::NotInterested, "the patient said they are not interested"),
        (CallOutcome::WrongNumber, "the number was flagged as a wrong number"),
    ] {
        let filter = CallFilter { patient_id: Some(patient), outcome: Some(outcome), ..Default::default() };
        let found = ctx
            .store
            .list_calls(call.tenant_id, &filter, PageRequest::new(None, Some(1)))
            .await
            .map_err(|e| JobError::retryable(e.to_string()))?;
        if !found.items.is_empty() {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

pub(super) struct PlaceCall {
    pub ctx: Ctx,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

#[async_trait]
impl JobHandler for PlaceCall {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let now = ctx.clock.now();
        let CallPayloadRef { call_id } =
            serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(e.to_string()))?;
        let Some(mut call) = ctx.store.get_call(job.tenant_id, call_id).await.map_err(retry)? else {
            return Err(JobError::permanent("the call no longer exists"));
        };
        if call.status != CallStatus::Queued {
            return Ok(()); // placed (or skipped) by an earlier run
        }
        let skip = |mut call: Call, why: String| async move {
            call.status = CallStatus::Skipped;
            call.outcome_reason = Some(why);
            call.updated_at = now;
            ctx.store.save_call(&call, &[], now).await.map_err(retry)
        };
        // Consent is read again when the call is due: the patient may have said no since
        // it was queued (a callback planned yesterday, a lead's second call).
        if let Some(patient) = call.patient_id
            && !may_call(ctx, call.tenant_id, patient).await.map_err(retry)?
        {
            return skip(call, "not placed: the patient opted out of calls".into()).await;
        }
        if let Some(why) = do_not_call(ctx, &call).await? {
            return skip(call, format!("not placed: {why}")).await;
        }
        let Some(patient_id) = call.patient_id else {
            return skip(call, "not placed: the call has no patient".into()).await;
        };
        let Some(patient) = ctx.store.get_patient(call.tenant_id, patient_id).await.map_err(retry)? else {
            return skip(call, "not placed: the patient no longer exists".into()).await;
        };
        let tenant = ctx
            .store
            .tenant_by_id(call.tenant_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("no tenant"))?;
        let settings = ctx.store.tenant_settings(call.tenant_id).await.map_err(retry)?;
        let allowed = calling_time(&settings, &tenant.timezone.time_zone(), now);
        if allowed > now {
            // Quiet hours began after the call was queued: wait for the morning.
            let job = call_job(&call, PLACE_CALL_JOB, &format!("place-{}", allowed.as_second()), allowed);
            return ctx.store.save_call(&call, &[job], now).await.map_err(retry);
        }
        let provider = match provider_for(&settings, ctx.media.allow_private_network) {
            Ok(p) => p,
            Err(PlaceError::Permanent(m) | PlaceError::Retry(m)) => {
                return fail(ctx, call, m, now).await;
            }
        };
        let brief =
            CallBrief { clinic_name: tenant.name.clone(), reason: call.reason.clone(), service: None };
        match provider.place(&call, &patient, &brief).await {
            Ok(placed) => {
                // A webhook may have adopted the record while the provider answered (and
                // moved it on, e.g. to in-progress): save onto what is stored now.
                if let Some(current) = ctx.store.get_call(call.tenant_id, call.id).await.map_err(retry)? {
                    call = current;
                }
                call.provider = provider.name().to_owned();
                call.provider_call_id = Some(placed.provider_call_id);
                if call.status == CallStatus::Queued {
                    call.apply_status(CallStatus::Scheduled, now);
                }
                let jobs = if provider.name() == "sandbox" {
                    vec![call_job(&call, SANDBOX_PLAY_JOB, "sandbox", now)]
                } else {
                    Vec::new()
                };
                ctx.store.save_call(&call, &jobs, now).await.map_err(retry)
            }
            Err(PlaceError::Retry(m)) if job.attempts < job.max_attempts => Err(JobError::retryable(m)),
            Err(PlaceError::Retry(m) | PlaceError::Permanent(m)) => fail(ctx, call, m, now).await,
        }
    }
}

/// Records a call the provider would not place; it is over and not retried.
async fn fail(ctx: &Ctx, mut call: Call, error: String, now: Timestamp) -> Result<(), JobError> {
    call.status = CallStatus::Failed;
    call.outcome = Some(CallOutcome::Failed);
    call.outcome_reason = Some("the provider did not place the call".into());
    call.error = Some(error);
    call.updated_at = now;
    ctx.store.save_call(&call, &[], now).await.map_err(retry)
}
