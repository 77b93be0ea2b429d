//! The turn's language: the patient's stored one, followed into another when their messages
//! clearly switch (see `frontdesk_domain::nlu::language` for the detection and hysteresis).
//! The result is stored on the patient with the turn, so confirmations, reminders
//! and every later template go out in it too.

use super::JourneyError;
use super::state::JourneyState;
use crate::Ctx;
use frontdesk_domain::nlu::language::detect;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;

/// The patient as this turn speaks to them: their locale after `text`, the memory in `state`
/// updated.
pub(super) fn follow(state: &mut JourneyState, patient: &Patient, text: &str) -> Patient {
    let locale = state.language.follow(patient.locale, detect(text));
    Patient { locale, ..patient.clone() }
}

/// Stores a switched language on the patient (read fresh: a name taken in the same turn is
/// kept).
pub(super) async fn store(ctx: &Ctx, patient: &Patient, locale: Locale) -> Result<(), JourneyError> {
    let Some(mut fresh) = ctx.store.get_patient(patient.tenant_id, patient.id).await? else {
        return Ok(());
    };
    if fresh.locale == locale {
        return Ok(());
    }
    fresh.locale = locale;
    ctx.store.update_patient(&fresh).await?;
    tracing::info!(patient = %patient.id, locale = locale.as_str(), "conversation language switched");
    Ok(())
}
