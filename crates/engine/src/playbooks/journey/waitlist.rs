//! The waitlist in the conversation: a yes or a no to an open offer, and joining the list
//! when the patient asks ("lista de espera").

use super::{JourneyError, JourneyState, Step, Turn, describe, service_for};
use crate::scheduling::Confirmation;
use crate::waitlist::{AcceptOutcome, JoinRequest, accept, decline, join, latest_offer_for};
use frontdesk_domain::messaging::TemplateKey;
use frontdesk_domain::nlu::{Intent, Understanding};
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::waitlist::OfferStatus;
use jiff::SignedDuration;
use serde_json::json;

/// How long after an offer closed a "sim" is still read as the answer to it.
const LATE_ANSWER: SignedDuration = SignedDuration::from_hours(12);

/// Answers a waitlist offer when the message is a yes or a no to it: an open one is
/// accepted or declined; a yes that comes after it closed is told so. `None` when there is
/// no recent offer, the message is neither, or the dialogue is in the middle of something a
/// yes or no belongs to (a list of times, a cancellation).
pub(super) async fn answer_offer(
    turn: &Turn<'_>,
    state: &mut JourneyState,
    u: &Understanding,
) -> Result<Option<()>, JourneyError> {
    let yes = matches!(u.intent, Intent::Confirm | Intent::BookingRequest);
    let no = u.intent == Intent::Decline;
    if !(yes || no) || !matches!(state.step, Step::Idle | Step::AwaitingService) {
        return Ok(None);
    }
    let Some(offer) = latest_offer_for(turn.ctx, turn.tenant.id, turn.patient.id).await? else {
        return Ok(None);
    };
    let now = turn.ctx.clock.now();
    if offer.status != OfferStatus::Pending {
        if !yes || now.duration_since(offer.updated_at) > LATE_ANSWER {
            return Ok(None);
        }
        // Taken: the waitlist has told them; expired or declined: say so.
        if offer.status != OfferStatus::Taken && offer.status != OfferStatus::Accepted {
            expired(turn).await?;
        }
        return Ok(Some(()));
    }
    state.step = Step::Idle;
    if no {
        decline(turn.ctx, turn.tenant.id, offer.id).await?;
        turn.reply_text(match turn.locale() {
            Locale::PtBr => {
                "Tudo bem! Você continua na lista de espera e avisamos do próximo horário.".into()
            }
            Locale::En => {
                "No problem! You are still on the waitlist; we will tell you about the next time.".into()
            }
        })
        .await?;
        return Ok(Some(()));
    }
    match accept(turn.ctx, turn.tenant.id, offer.id, Confirmation::InConversation).await? {
        AcceptOutcome::Booked(a) => {
            let mut vars = describe(turn, &a).await?;
            crate::links::add_appointment_links(turn.ctx, &turn.tenant, a.id, &mut vars);
            turn.reply(TemplateKey::AppointmentConfirmation, vars).await?;
        }
        // The waitlist tells the patient (once, whoever notices first).
        AcceptOutcome::Taken => {}
        AcceptOutcome::Expired => expired(turn).await?,
    }
    Ok(Some(()))
}

async fn expired(turn: &Turn<'_>) -> Result<(), JourneyError> {
    turn.reply_text(match turn.locale() {
        Locale::PtBr => {
            "Essa oferta já expirou. Você continua na lista de espera e avisamos do próximo horário.".into()
        }
        Locale::En => {
            "That offer has expired. You are still on the waitlist; we will tell you about the next time."
                .into()
        }
    })
    .await
}

/// Puts the patient on the waitlist for the service they asked about (or name in this
/// message); without one, asks which.
pub(super) async fn join_list(
    turn: &Turn<'_>,
    state: &mut JourneyState,
    text: &str,
) -> Result<(), JourneyError> {
    let service = match state.wish.service_id {
        Some(s) => Some(s),
        None => service_for(turn, state, Some(text)).await?,
    };
    let services = turn.ctx.store.list_services(turn.tenant.id).await?;
    let service = service.or_else(|| (services.len() == 1).then(|| services[0].id));
    let Some(service_id) = service else {
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        turn.reply_text(match turn.locale() {
            Locale::PtBr => format!(
                "Para qual serviço? Escreva, por exemplo, \"lista de espera para {}\".",
                names.first().copied().unwrap_or("consulta")
            ),
            Locale::En => format!(
                "For which service? Write, for example, \"waitlist for {}\".",
                names.first().copied().unwrap_or("a consultation")
            ),
        })
        .await?;
        return Ok(());
    };
    let request = JoinRequest {
        tenant_id: turn.tenant.id,
        patient_id: turn.patient.id,
        service_id,
        practitioner_id: None,
        location_id: state.wish.location_id,
        windows: Vec::new(),
        not_after: None,
        source: "dialogue",
    };
    join(turn.ctx, request).await?;
    state.step = Step::Idle;
    let name = services.iter().find(|s| s.id == service_id).map(|s| s.name.clone()).unwrap_or_default();
    turn.reply(TemplateKey::WaitlistJoined, json!({"service": name})).await
}
