//! "Me liga amanhã às 15h" / "call me back tomorrow at 3" on WhatsApp: an AI call planned
//! at that time in the clinic's zone (or at its next opening, said so), confirmed with the
//! local day and time.

use super::{JourneyError, JourneyState, Turn};
use crate::voice::{VoiceFailure, callbacks::callback_from_words};
use frontdesk_domain::tenant::Locale;

pub(super) async fn call_back(
    turn: &Turn<'_>,
    state: JourneyState,
    text: &str,
) -> Result<JourneyState, JourneyError> {
    let locale = turn.locale();
    let planned = match callback_from_words(turn.ctx, &turn.tenant, turn.patient.id, locale, text).await {
        Ok(p) => p,
        Err(VoiceFailure::Store(e)) => return Err(e.into()),
        // Asked not to be called before: a person sorts out what the patient wants now.
        Err(VoiceFailure::OptedOut) => {
            turn.hands_off.store(true, std::sync::atomic::Ordering::Relaxed);
            turn.reply_text(match locale {
                Locale::PtBr => "Você tinha pedido para não receber ligações. Alguém da nossa equipe vai \
                                 falar com você por aqui."
                    .into(),
                Locale::En => "You asked us not to call you before. Someone from our team will talk to \
                               you here."
                    .into(),
            })
            .await?;
            return Ok(state);
        }
        Err(_) => None,
    };
    let Some(planned) = planned else {
        // No opening hours to call within: a person follows up.
        turn.hands_off.store(true, std::sync::atomic::Ordering::Relaxed);
        turn.reply(frontdesk_domain::messaging::TemplateKey::HandOff, serde_json::json!({})).await?;
        return Ok(state);
    };
    let phrase = &planned.phrase;
    turn.reply_text(match (locale, planned.when.moved) {
        (Locale::PtBr, false) => format!("Combinado! Vamos te ligar {phrase}."),
        (Locale::En, false) => format!("Sure! We'll call you {phrase}."),
        (Locale::PtBr, true) => {
            format!("Nesse horário a clínica está fechada. Vamos te ligar {phrase}, quando abrimos.")
        }
        (Locale::En, true) => format!("The clinic is closed then. We'll call you {phrase}, when we open."),
    })
    .await?;
    Ok(state)
}
