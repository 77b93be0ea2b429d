//! Callbacks the clinic promised: asked for on WhatsApp ("me liga amanhã às 15h"), during a
//! call (the `schedule_callback` tool) or promised by the phone when a caller wanted a
//! person after hours. Each is an outbound AI call stored now, queued, with the job that
//! places it at the promised moment: staff see it in the calls list (status `queued`,
//! `callback_at`), and the placing job checks consent and calling hours again when due.

use super::calls::{call_job, calling_time, may_call};
use super::{PLACE_CALL_JOB, VoiceFailure};
use crate::Ctx;
use crate::scheduling::load_cached;
use frontdesk_domain::nlu::understand;
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::voice::{Call, CallbackTime, callback_phrase, callback_time};
use frontdesk_domain::{CallId, PatientId};
use frontdesk_store::StoreError;
use jiff::Timestamp;

/// `reason` of a callback the patient asked for.
pub const CALLBACK_REASON: &str = "callback_requested";
/// `reason` of a callback promised to a caller who asked for a person after hours.
pub const AFTER_HOURS_REASON: &str = "after_hours_transfer";

/// Schedules an outbound AI call to `patient` at `at` (or when calling hours next allow).
/// At most one per patient and moment: asking twice for the same time finds the call
/// planned the first time. Refused for a patient who opted out of calls.
pub async fn plan_callback(
    ctx: &Ctx,
    tenant: &Tenant,
    patient: PatientId,
    at: Timestamp,
    reason: &str,
) -> Result<Call, VoiceFailure> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    if !may_call(ctx, tenant.id, patient).await? {
        return Err(VoiceFailure::OptedOut);
    }
    let id =
        CallId::from(crate::faults::derived_id(tenant.id, &format!("callback:{patient}:{}", at.as_second())));
    if let Some(planned) = store.get_call(tenant.id, id).await? {
        return Ok(planned);
    }
    let settings = store.tenant_settings(tenant.id).await?;
    let mut call =
        Call::outbound(tenant.id, patient, settings.voice.provider.as_str(), Some(reason.into()), now);
    call.id = id;
    call.callback_at = Some(at);
    let run_at = calling_time(&settings, &tenant.timezone.time_zone(), at.max(now));
    match store.insert_call(&call, &[call_job(&call, PLACE_CALL_JOB, "place", run_at)], now).await {
        Ok(()) => Ok(call),
        Err(StoreError::Conflict(_)) => {
            store.get_call(tenant.id, id).await?.ok_or(VoiceFailure::NotFound("call"))
        }
        Err(e) => Err(e.into()),
    }
}

/// A callback planned from what the patient said, and how to tell them.
#[derive(Debug, Clone)]
pub struct PlannedCallback {
    pub call: Call,
    pub when: CallbackTime,
    /// "amanhã (sex, 05/06) às 15:00", in the patient's language.
    pub phrase: String,
}

/// Reads when the patient wants the call ("amanhã às 15h", "tomorrow at 3") in the
/// clinic's time zone, moves it into opening hours, and plans it. `None` when the clinic
/// has no opening hours to call within.
pub async fn callback_from_words(
    ctx: &Ctx,
    tenant: &Tenant,
    patient: PatientId,
    locale: frontdesk_domain::tenant::Locale,
    words: &str,
) -> Result<Option<PlannedCallback>, VoiceFailure> {
    let cal = load_cached(ctx, tenant.id).await.map_err(|e| match e {
        crate::scheduling::SchedulingFailure::Store(s) => VoiceFailure::Store(s),
        other => VoiceFailure::Invalid(other.to_string()),
    })?;
    let tz = tenant.timezone.time_zone();
    let now = tz.to_datetime(ctx.clock.now());
    let asked = understand(words, &[], now.date()).entities;
    let Some(when) = callback_time(&cal.hours, &cal.exceptions, &tz, now, &asked) else { return Ok(None) };
    let at = frontdesk_domain::scheduling::wall_clock_instant(&tz, when.at)
        .ok_or_else(|| VoiceFailure::Invalid("the time does not exist in the clinic's zone".into()))?;
    let call = plan_callback(ctx, tenant, patient, at, CALLBACK_REASON).await?;
    Ok(Some(PlannedCallback { call, when, phrase: callback_phrase(locale, now.date(), when.at) }))
}
