//! Which messages Frontdesk writes: one key per message, the variables each needs and
//! sample values to test-render a clinic's edited text with. Apart from the rendering
//! (`templates`) and the built-in texts (`template_defaults`), which both use it.

use crate::tenant::Locale;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKey {
    /// Before an appointment; asks for 1 (confirm), 2 (reschedule) or 3 (cancel).
    AppointmentReminder,
    /// After a booking or a "1" to a reminder.
    AppointmentConfirmation,
    /// A numbered list of free times for the patient to choose from.
    BookingOffer,
    /// The one reply to an opt-out keyword.
    OptOutConfirmation,
    /// The reply to an opt-in keyword.
    OptInConfirmation,
    /// A voice note arrived and nothing can transcribe it.
    AskToType,
    /// After a call nobody answered: the same offer, in writing.
    MissedCall,
    /// The first message to a new lead (speed-to-lead).
    LeadWelcome,
    /// A later nudge to a lead who has not answered.
    LeadFollowUp,
    /// After a missed appointment: an offer to book again.
    Reactivation,
    /// The dialogue needs to know which service the patient wants.
    AskService,
    /// After a cancellation by message.
    AppointmentCancelled,
    /// A person from the clinic takes over the conversation.
    HandOff,
    /// The dialogue did not understand and asks again.
    DidNotUnderstand,
    /// A system the answer depends on (the clinic's calendar...) is down: the dialogue
    /// says it will come back, and does once the system returns.
    BackShortly,
    /// A red-flag symptom: call the emergency services now; staff have been told.
    EmergencyAdvice,
    /// A question only a professional may answer (a diagnosis, a dose, a result): staff
    /// will reply.
    NotAdvice,
    /// To the clinic's staff phone: a conversation is urgent (never what the patient wrote).
    StaffAlert,
    /// Two days before an appointment likely to be missed: please confirm (1/2/3).
    AppointmentConfirmRequest,
    /// A freed slot offered to a waitlisted patient: reply SIM/YES before it expires.
    WaitlistOffer,
    /// To a waitlisted patient who answered an offer someone else took first.
    WaitlistTaken,
    /// The patient is on the waitlist and will be told when a time frees.
    WaitlistJoined,
    /// A personal link to the clinic's booking page (sent from the inbox or a campaign):
    /// the patient picks a time without typing their details.
    BookingLink,
}

wire_names!(TemplateKey {
    AppointmentReminder => "appointment_reminder",
    AppointmentConfirmation => "appointment_confirmation",
    BookingOffer => "booking_offer",
    OptOutConfirmation => "opt_out_confirmation",
    OptInConfirmation => "opt_in_confirmation",
    AskToType => "ask_to_type",
    MissedCall => "missed_call",
    LeadWelcome => "lead_welcome",
    LeadFollowUp => "lead_follow_up",
    Reactivation => "reactivation",
    AskService => "ask_service",
    AppointmentCancelled => "appointment_cancelled",
    HandOff => "hand_off",
    DidNotUnderstand => "did_not_understand",
    BackShortly => "back_shortly",
    EmergencyAdvice => "emergency_advice",
    NotAdvice => "not_advice",
    StaffAlert => "staff_alert",
    AppointmentConfirmRequest => "appointment_confirm_request",
    WaitlistOffer => "waitlist_offer",
    WaitlistTaken => "waitlist_taken",
    WaitlistJoined => "waitlist_joined",
    BookingLink => "booking_link",
});

impl TemplateKey {
    /// The variables the built-in texts require; callers must supply them.
    /// `location` (reminder, confirmation) and `patient_first_name` (ask-to-type) are
    /// optional extras.
    pub fn required_variables(&self) -> &'static [&'static str] {
        match self {
            Self::AppointmentReminder | Self::AppointmentConfirmation | Self::AppointmentConfirmRequest => {
                &["patient_first_name", "date", "time", "practitioner"]
            }
            Self::BookingOffer => &["patient_first_name", "slots"],
            Self::OptOutConfirmation | Self::OptInConfirmation | Self::AskToType => &[],
            Self::MissedCall | Self::LeadWelcome | Self::LeadFollowUp | Self::Reactivation => {
                &["clinic_name"]
            }
            Self::AskService => &["services"],
            Self::AppointmentCancelled => &["date", "time"],
            Self::HandOff | Self::DidNotUnderstand | Self::BackShortly | Self::NotAdvice => &[],
            Self::EmergencyAdvice => &["emergency_numbers"],
            Self::StaffAlert => &["clinic_name", "conversation_url"],
            Self::WaitlistOffer => &["date", "time", "practitioner", "minutes"],
            Self::WaitlistTaken => &["date", "time"],
            Self::WaitlistJoined => &["service"],
            Self::BookingLink => &["clinic_name", "booking_url"],
        }
    }

    /// Realistic values for every variable a template of this kind may use. Tenant
    /// overrides are test-rendered with them when settings are saved, so a typo in a
    /// variable name is caught then rather than at the 07:00 reminder run.
    pub fn sample_variables(&self, locale: Locale) -> Value {
        let (date, time, slots) = match locale {
            Locale::PtBr => ("terça, 14/10", "09:30", ["ter 14/10 às 09:30", "qua 15/10 às 14:00"]),
            Locale::En => ("Tuesday, Oct 14", "9:30 AM", ["Tue Oct 14, 9:30 AM", "Wed Oct 15, 2:00 PM"]),
        };
        json!({
            "patient_first_name": "Maria",
            "date": date,
            "time": time,
            "practitioner": "Dra. Ana Souza",
            "location": "Clínica Sorriso - Pinheiros",
            "clinic_name": "Clínica Sorriso",
            "slots": slots,
            "service": "Limpeza",
            "services": ["Limpeza", "Clareamento"],
            "emergency_numbers": match locale {
                Locale::PtBr => "SAMU 192 / Bombeiros 193",
                Locale::En => "911",
            },
            "minutes": 30,
            "booking_url": "https://frontdesk.example/book/sorriso?patient=0192f0c4-7d1e-7cc0-8a7e-3b5f6a1d2e91&invite=1780315200.5f0c1e2d3a4b5c6d7e8f901a2b3c4d5e",
            "conversation_url": "https://frontdesk.example/app/inbox/0192f0c4-7d1e-7cc0-8a7e-3b5f6a1d2e90",
            "crisis_line": match locale {
                Locale::PtBr => "CVV 188",
                Locale::En => "988",
            },
        })
    }
}
