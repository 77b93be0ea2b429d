//! The first reply to a campaign's message that asks what it is about ("quem é?", "não
//! entendi", "who is this?"): a short clarification of who writes and why, with the
//! patient's booking link, instead of "não entendi" or a hand-off. The campaign stays
//! active (see the campaign playbook's reading of replies).

use super::{JourneyError, Turn};
use frontdesk_domain::tenant::Locale;

/// Whether `text` is a confused first reply to a campaign; if so, the clarification is
/// planned and `true` returned.
pub(super) async fn clarify(turn: &Turn<'_>, text: &str) -> Result<bool, JourneyError> {
    if !frontdesk_domain::nlu::confusion::is_confused(text) {
        return Ok(false);
    }
    let store = &turn.ctx.store;
    let enrollments = store.active_enrollments_of(turn.tenant.id, turn.patient.id).await?;
    let Some(sent) = enrollments.iter().filter_map(|e| e.last_sent_at).max() else { return Ok(false) };
    // Only the first message since the campaign wrote: later ones are a conversation.
    let since = store.recent_inbound(turn.tenant.id, turn.conversation.id, sent, 2).await?;
    if since.len() > 1 {
        return Ok(false);
    }
    let link = crate::links::booking_url(turn.ctx, &turn.tenant, turn.patient.id);
    turn.reply_text(clarification(
        turn.locale(),
        &turn.tenant.name,
        turn.known_first_name(),
        link.as_deref(),
    ))
    .await?;
    Ok(true)
}

fn clarification(locale: Locale, clinic: &str, name: Option<&str>, link: Option<&str>) -> String {
    match locale {
        Locale::PtBr => {
            let hello = name.map_or_else(|| "Oi!".to_owned(), |n| format!("Oi, {n}!"));
            let how = link.map_or_else(
                || "é só responder \"quero marcar\" que eu mostro os horários".to_owned(),
                |l| format!("é só responder \"quero marcar\" que eu mostro os horários, ou escolher pelo link: {l}"),
            );
            format!(
                "{hello} Aqui é da {clinic}. Escrevemos porque já faz um tempo desde a sua última consulta \
                 e queríamos saber se você gostaria de marcar um retorno. Se quiser, {how}. \
                 Se preferir não receber mais mensagens, responda PARAR."
            )
        }
        Locale::En => {
            let hello = name.map_or_else(|| "Hi!".to_owned(), |n| format!("Hi {n}!"));
            let how = link.map_or_else(
                || "just reply \"book\" and I'll show you the times".to_owned(),
                |l| format!("just reply \"book\" and I'll show you the times, or pick one here: {l}"),
            );
            format!(
                "{hello} This is {clinic}. We wrote because it has been a while since your last visit \
                 and wanted to know if you'd like to book a follow-up. If so, {how}. \
                 If you'd rather not hear from us, reply STOP."
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clarification_says_who_writes_why_and_how_to_book_or_stop() {
        let pt = clarification(Locale::PtBr, "Clínica Sorriso", Some("Caio"), Some("https://x/book/s"));
        assert!(pt.starts_with("Oi, Caio! Aqui é da Clínica Sorriso."), "{pt}");
        assert!(pt.contains("https://x/book/s") && pt.contains("PARAR"), "{pt}");
        let en = clarification(Locale::En, "Smile", None, None);
        assert!(en.starts_with("Hi! This is Smile.") && en.contains("reply STOP"), "{en}");
    }
}
