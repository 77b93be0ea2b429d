//! A caller asked the AI for a person (VAPI's `transfer-destination-request`). During the
//! clinic's opening hours (anyone working at any unit, from the scheduling calendar) and
//! with `voice.transfer_number` set, the call goes to the clinic's number; otherwise the
//! caller hears that the clinic is closed and when it will call back, and that callback is
//! planned. Either way the patient's WhatsApp conversation is handed to staff, so a person
//! follows up where the team already works.

use super::VoiceFailure;
use super::callbacks::{AFTER_HOURS_REASON, plan_callback};
use super::ingest::{self, Reported};
use crate::Ctx;
use crate::scheduling::load_cached;
use frontdesk_domain::messaging::{Channel, Conversation};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{next_opening, open_at, wall_clock_instant};
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::voice::callback_phrase;
use frontdesk_providers::vapi;
use jiff::SignedDuration;
use serde_json::Value;

/// Open, but nobody to transfer to: a person calls back after this long, not while the
/// caller is still on the line.
const CALL_BACK_SOON: SignedDuration = SignedDuration::from_mins(30);

/// Puts staff on the patient's WhatsApp conversation (once per `cause`), as the dialogue
/// does when it hands off: the inbox shows it needs a person.
pub(super) async fn hand_to_staff(ctx: &Ctx, patient: &Patient, cause: &str) -> Result<(), VoiceFailure> {
    let now = ctx.clock.now();
    let conversation = ctx
        .store
        .conversation_for(&Conversation::new(patient.tenant_id, patient.id, Channel::Whatsapp, now))
        .await?;
    if !conversation.needs_staff {
        crate::messaging::hand_to_staff(ctx, &conversation, Some(cause.to_owned()), false).await?;
    }
    Ok(())
}

/// Answers one transfer request.
pub(super) async fn transfer_request(
    ctx: &Ctx,
    r: &Reported<'_>,
    call_id: &str,
    customer_number: Option<&str>,
    raw: &Value,
) -> Result<Value, VoiceFailure> {
    let call = ingest::call_for(ctx, r, call_id, customer_number, true).await?;
    ingest::keep_payload(ctx, r, Some(call.id), "transfer-destination-request", raw).await?;
    let patient = match call.patient_id {
        Some(id) => ctx.store.get_patient(r.tenant.id, id).await?,
        None => None,
    };
    let locale = patient.as_ref().map_or(r.tenant.locale, |p| p.locale);
    if let Some(p) = &patient {
        hand_to_staff(ctx, p, &format!("call:{}", call.id)).await?;
    }
    // The caller is waiting on the line: when the calendar cannot be read (the clinic's
    // external system is down), a transfer is still tried if there is a number, and
    // otherwise the team follows up without a promised time.
    let (hours, exceptions) = match load_cached(ctx, r.tenant.id).await {
        Ok(cal) => (cal.hours.clone(), cal.exceptions.clone()),
        Err(crate::scheduling::SchedulingFailure::Store(s)) => return Err(s.into()),
        Err(_) => (Vec::new(), Vec::new()),
    };
    let calendar_read = !hours.is_empty();
    let tz = r.tenant.timezone.time_zone();
    let now = ctx.clock.now();
    let local_now = tz.to_datetime(now);
    let open = if calendar_read { open_at(&hours, &exceptions, &tz, local_now) } else { true };
    if open && let Some(number) = &r.settings.voice.transfer_number {
        let say = match locale {
            Locale::PtBr => "Transferindo você para a nossa equipe, um momento.",
            Locale::En => "Transferring you to our team, one moment.",
        };
        return Ok(vapi::transfer_response(number, say));
    }
    let from = if open { tz.to_datetime(now + CALL_BACK_SOON) } else { local_now };
    let when = next_opening(&hours, &exceptions, &tz, from);
    let planned = match (&patient, when.and_then(|w| wall_clock_instant(&tz, w).map(|at| (w, at)))) {
        (Some(p), Some((local, at))) => {
            match plan_callback(ctx, r.tenant, p.id, at, AFTER_HOURS_REASON).await {
                Ok(_) => Some(local),
                // Asked not to be called: no callback, only the hand-off to staff.
                Err(VoiceFailure::OptedOut) => None,
                Err(e) => return Err(e),
            }
        }
        _ => None,
    };
    let closed = !open && calendar_read;
    let spoken = match (locale, planned, closed) {
        (Locale::PtBr, Some(at), true) => format!(
            "No momento estamos fechados. Vamos te ligar de volta {}.",
            callback_phrase(locale, local_now.date(), at)
        ),
        (Locale::En, Some(at), true) => {
            format!(
                "We're closed right now. We'll call you back {}.",
                callback_phrase(locale, local_now.date(), at)
            )
        }
        (Locale::PtBr, Some(at), false) => format!(
            "Ninguém da equipe pode atender agora. Vamos te ligar de volta {}.",
            callback_phrase(locale, local_now.date(), at)
        ),
        (Locale::En, Some(at), false) => format!(
            "Nobody from the team can take the call right now. We'll call you back {}.",
            callback_phrase(locale, local_now.date(), at)
        ),
        (Locale::PtBr, None, _) => {
            "No momento ninguém da equipe pode atender. Nossa equipe vai retornar o seu contato.".to_owned()
        }
        (Locale::En, None, _) => {
            "Nobody from the team can take the call right now. Our team will get back to you.".to_owned()
        }
    };
    Ok(vapi::spoken_error_response(&spoken))
}
