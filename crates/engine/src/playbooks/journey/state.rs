//! What the booking dialogue remembers between messages, persisted as JSON with the
//! conversation (it survives restarts and pauses, until it expires).

use frontdesk_domain::nlu::language::LanguageMemory;
use frontdesk_domain::scheduling::DayPeriod;
use frontdesk_domain::{AppointmentId, LocationId, ServiceId};
use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offered {
    /// The booking token of `voice::tools` (`practitioner.service.location.start`).
    pub slot_id: String,
    pub local_start: DateTime,
    pub label: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    #[default]
    Idle,
    /// Asked which service; the next message names it.
    AwaitingService,
    /// Slots were offered for a new booking.
    ChoosingSlot { offered: Vec<Offered> },
    /// Slots were offered to move an existing appointment.
    ChoosingNewTime { appointment_id: AppointmentId, offered: Vec<Offered> },
    /// A slot was chosen by a patient the clinic knows only by number: their name first.
    AwaitingName { chosen: Offered },
    /// The patient asked to cancel; asked whether they are sure (a yes cancels, a no keeps).
    ConfirmingCancel { appointment_id: AppointmentId },
}

/// What the patient asked for so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Wish {
    pub service_id: Option<ServiceId>,
    /// A named weekday arrives resolved to its next date.
    pub date: Option<Date>,
    pub time: Option<Time>,
    pub period: Option<DayPeriod>,
    /// A unit the patient named ("na Paulista"); preferred, not required, by the search.
    #[serde(default)]
    pub location_id: Option<LocationId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JourneyState {
    #[serde(flatten)]
    pub step: Step,
    #[serde(default)]
    pub wish: Wish,
    /// Messages not understood in a row; the second hands the conversation to staff.
    #[serde(default)]
    pub misunderstood: u32,
    /// What the clinic's n8n workflow extracted so far (chief complaint, symptoms...).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extracted: serde_json::Map<String, serde_json::Value>,
    /// The n8n workflow said it has all it needs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub intake_complete: bool,
    /// The department n8n's triage chose, as the clinic's services spell it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The last messages answered and how (see `answered`): a rerun of a message's job
    /// delivers its committed turn instead of deciding a new one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answered: Vec<super::AnsweredTurn>,
    /// The patient's language so far (see `frontdesk_domain::nlu::language`): a short
    /// message in another language waits here for a second before the conversation switches.
    #[serde(default, skip_serializing_if = "is_default")]
    pub language: LanguageMemory,
}

fn is_default(m: &LanguageMemory) -> bool {
    *m == LanguageMemory::default()
}

impl JourneyState {
    pub fn offered(&self) -> &[Offered] {
        match &self.step {
            Step::ChoosingSlot { offered } | Step::ChoosingNewTime { offered, .. } => offered,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_domain::tenant::Locale;

    #[test]
    fn a_pending_language_switch_survives_a_save_and_older_states_read_without_one() {
        let mut state = JourneyState::default();
        state.language.pending = Some(Locale::En);
        let saved = serde_json::to_value(&state).unwrap();
        let read: JourneyState = serde_json::from_value(saved).unwrap();
        assert_eq!(read.language.pending, Some(Locale::En));
        // A dialogue saved before languages were followed.
        let old: JourneyState = serde_json::from_value(serde_json::json!({"step": "idle"})).unwrap();
        assert_eq!(old.language, LanguageMemory::default());
        // Nothing pending is not written at all.
        let plain = serde_json::to_value(JourneyState::default()).unwrap();
        assert!(plain.get("language").is_none(), "{plain}");
    }
}
