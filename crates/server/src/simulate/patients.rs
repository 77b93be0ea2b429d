//! Simulated patients: who fills the form, how they answer the clinic's messages, and
//! whether they come. Pure: every draw takes the patient's own random stream, so the same
//! seed gives the same patients whatever order the clinic's jobs run in.

use frontdesk_domain::leads::LeadSource;
use frontdesk_domain::noshow::{
    AppointmentFeatures, Example, Fallback, PatientHistory, ReminderState, ScoresNoShow,
};
use jiff::SignedDuration;
use rand::Rng;
use rand::rngs::StdRng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Pt,
    En,
}

/// The population's parameters: shares and chances the report's figures follow from.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    /// Share of patients writing in Brazilian Portuguese (the rest write English).
    pub portuguese: f64,
    /// Share who will answer the clinic at all.
    pub interested: f64,
    /// For an interested patient, the chance of answering any one invitation (welcome,
    /// follow-up, missed call, reactivation).
    pub answers_invitation: f64,
    /// Chance of answering a reminder or a confirmation request.
    pub answers_reminder: f64,
    /// Of the patients who answer a reminder and would likely miss the appointment, the
    /// share who cancel instead of confirming (the risk of missing scales it).
    pub cancels_when_unsure: f64,
    /// Chance of asking for other times once when slots are offered.
    pub asks_other_times: f64,
    /// Chance of dropping out of the dialogue at any question.
    pub drops_out: f64,
    /// Spread (log-odds) of patients' own reliability around the population's no-show risk.
    pub flakiness_spread: f64,
    /// Once booked, the chance of asking to join the waitlist for an earlier time.
    pub joins_waitlist: f64,
    /// Chance of answering yes to a freed slot offered from the waitlist.
    pub takes_waitlist_offer: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            portuguese: 0.85,
            interested: 0.7,
            answers_invitation: 0.55,
            answers_reminder: 0.7,
            cancels_when_unsure: 0.8,
            asks_other_times: 0.15,
            drops_out: 0.05,
            flakiness_spread: 0.8,
            joins_waitlist: 0.3,
            takes_waitlist_offer: 0.6,
        }
    }
}

/// Who a simulated patient is, drawn once when their lead is made.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub language: Language,
    pub first_name: &'static str,
    pub last_name: &'static str,
    /// Gives a name on the form (else the clinic knows only the number and asks).
    pub gives_name: bool,
    /// Index of the wanted service in the demo clinic's list.
    pub service: usize,
    /// Names the service on the form.
    pub names_service: bool,
    /// Writes a message on the form ("quero marcar"): the lead scores hot.
    pub writes_message: bool,
    pub source: LeadSource,
    pub interested: bool,
    /// Log-odds added to the population's no-show risk: this patient's own reliability.
    pub flakiness: f64,
    /// Mean minutes before answering an invitation.
    pub invitation_delay_minutes: f64,
}

const PT_FIRST: [&str; 12] = [
    "Maria", "João", "Ana", "Pedro", "Juliana", "Lucas", "Fernanda", "Rafael", "Camila", "Bruno", "Beatriz",
    "Thiago",
];
const EN_FIRST: [&str; 8] = ["Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Grace", "Henry"];
const PT_LAST: [&str; 10] =
    ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Rodrigues", "Almeida", "Ferreira"];
const EN_LAST: [&str; 8] = ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Harris"];

/// How patients name the demo clinic's four services (index as in `demo::DEPARTMENTS`).
const SERVICE_WORDS: [[&str; 2]; 4] = [
    ["clínica geral", "general practice"],
    ["cardiologia", "cardiology"],
    ["dermatologia", "dermatology"],
    ["odontologia", "dentist"],
];

const SOURCES: [(LeadSource, f64); 5] = [
    (LeadSource::PaidAds, 0.4),
    (LeadSource::Organic, 0.2),
    (LeadSource::Social, 0.2),
    (LeadSource::Referral, 0.1),
    (LeadSource::Whatsapp, 0.1),
];

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// An exponential wait with the given mean, in minutes (at least a few seconds).
fn wait(rng: &mut StdRng, mean_minutes: f64) -> SignedDuration {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let minutes = -u.ln() * mean_minutes;
    SignedDuration::from_secs((minutes * 60.0).clamp(5.0, 7.0 * 24.0 * 3600.0) as i64)
}

/// A roughly normal draw (sum of uniforms): no extra dependency for one bell curve.
fn bell(rng: &mut StdRng, spread: f64) -> f64 {
    let sum: f64 = (0..6).map(|_| rng.random::<f64>()).sum();
    (sum - 3.0) / (0.5_f64).sqrt() * spread
}

pub fn draw_profile(rng: &mut StdRng, b: &Behaviour) -> Profile {
    let language = if rng.random_bool(b.portuguese) { Language::Pt } else { Language::En };
    let (first, last) = match language {
        Language::Pt => (pick(rng, &PT_FIRST), pick(rng, &PT_LAST)),
        Language::En => (pick(rng, &EN_FIRST), pick(rng, &EN_LAST)),
    };
    let roll: f64 = rng.random();
    let mut acc = 0.0;
    let mut source = LeadSource::PaidAds;
    for (s, share) in SOURCES {
        acc += share;
        if roll < acc {
            source = s;
            break;
        }
    }
    Profile {
        language,
        first_name: first,
        last_name: last,
        gives_name: rng.random_bool(0.7),
        service: rng.random_range(0..SERVICE_WORDS.len()),
        names_service: rng.random_bool(0.5),
        writes_message: rng.random_bool(0.3),
        source,
        interested: rng.random_bool(b.interested),
        flakiness: bell(rng, b.flakiness_spread),
        invitation_delay_minutes: if rng.random_bool(0.6) { 4.0 } else { 90.0 },
    }
}

impl Profile {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn service_word(&self) -> &'static str {
        SERVICE_WORDS[self.service][self.lang_index()]
    }

    fn lang_index(&self) -> usize {
        match self.language {
            Language::Pt => 0,
            Language::En => 1,
        }
    }

    /// What the patient wrote on the form, if anything.
    pub fn form_message(&self) -> Option<String> {
        self.writes_message.then(|| match self.language {
            Language::Pt => "Quero marcar uma consulta".to_owned(),
            Language::En => "I want to book an appointment".to_owned(),
        })
    }

    fn opening(&self, rng: &mut StdRng) -> String {
        let service = self.service_word();
        let options: [String; 3] = match self.language {
            Language::Pt => [
                format!("Oi, quero marcar uma consulta de {service}"),
                format!("Olá! Gostaria de agendar {service}"),
                "bom dia, quero marcar uma consulta".to_owned(),
            ],
            Language::En => [
                format!("Hi, I'd like to book a {service} appointment"),
                format!("Hello, can I book an appointment for {service}?"),
                "Hi, I want to book an appointment".to_owned(),
            ],
        };
        options[rng.random_range(0..options.len())].clone()
    }
}

/// What the clinic's latest message asked of the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prompt {
    /// Ordered by how much it asks: when several arrive together, the patient answers the
    /// first in this order.
    AskName,
    ConfirmCancel,
    Offer,
    AskService,
    ConfirmRequest,
    /// A freed slot offered from the waitlist.
    WaitlistOffer,
    Reminder,
    DidNotUnderstand,
    Invitation,
    /// The booking is confirmed (the patient may ask for something sooner).
    Booked,
}

impl Prompt {
    /// From the message's template name, or (for the dialogue's free text) its step.
    pub fn of(template: Option<&str>, dialogue_step: Option<&str>) -> Option<Self> {
        match template {
            Some("lead_welcome" | "lead_follow_up" | "missed_call" | "reactivation") => {
                Some(Self::Invitation)
            }
            Some("ask_service") => Some(Self::AskService),
            Some("booking_offer") => Some(Self::Offer),
            Some("appointment_reminder") => Some(Self::Reminder),
            Some("appointment_confirm_request") => Some(Self::ConfirmRequest),
            Some("did_not_understand") => Some(Self::DidNotUnderstand),
            Some("waitlist_offer") => Some(Self::WaitlistOffer),
            Some("appointment_confirmation") => Some(Self::Booked),
            Some(_) => None,
            None => match dialogue_step {
                Some("awaiting_name") => Some(Self::AskName),
                Some("confirming_cancel") => Some(Self::ConfirmCancel),
                Some("choosing_slot") => Some(Self::Offer),
                _ => None,
            },
        }
    }
}

/// What the patient remembers of the conversation so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    /// Wrote to book in the current episode (until booked or given up).
    pub engaged: bool,
    pub asked_other_times: bool,
    pub gave_up: bool,
    /// Answered a reminder or request about the appointment `this` many times.
    pub answered_about_appointment: u32,
    /// Asked to join the waitlist (once is enough).
    pub on_waitlist: bool,
    pub history: PatientHistory,
}

/// A message the patient will send, after `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub after: SignedDuration,
    pub text: String,
}

impl Reply {
    fn soon(rng: &mut StdRng, text: impl Into<String>) -> Self {
        Self { after: wait(rng, 2.0), text: text.into() }
    }
}

/// How the patient answers `prompt`. `risk` is the chance they would miss the appointment
/// ahead (for reminders): a patient unlikely to come tends to cancel when asked.
pub fn react(
    profile: &Profile,
    memory: &mut Memory,
    prompt: Prompt,
    risk: f64,
    b: &Behaviour,
    rng: &mut StdRng,
) -> Option<Reply> {
    let pt = profile.language == Language::Pt;
    match prompt {
        Prompt::Invitation => {
            if memory.engaged || !rng.random_bool(b.answers_invitation) {
                return None;
            }
            if !profile.interested {
                // Some say no; most just stay silent.
                return rng.random_bool(0.2).then(|| Reply {
                    after: wait(rng, profile.invitation_delay_minutes),
                    text: if pt { "não tenho interesse, obrigado" } else { "not interested, thanks" }.into(),
                });
            }
            memory.engaged = true;
            memory.gave_up = false;
            memory.asked_other_times = false;
            let text = profile.opening(rng);
            Some(Reply { after: wait(rng, profile.invitation_delay_minutes), text })
        }
        _ if memory.gave_up => None,
        Prompt::AskService | Prompt::Offer | Prompt::AskName if rng.random_bool(b.drops_out) => {
            memory.gave_up = true;
            memory.engaged = false;
            None
        }
        Prompt::AskService => Some(Reply::soon(rng, profile.service_word())),
        Prompt::Offer => {
            if !memory.asked_other_times && rng.random_bool(b.asks_other_times) {
                memory.asked_other_times = true;
                let text = if pt { "nenhum desses, tem outro dia?" } else { "none of these, another day?" };
                return Some(Reply::soon(rng, text));
            }
            let choice = match rng.random_range(0..10) {
                0..=5 => "1",
                6..=8 => "2",
                _ => "3",
            };
            memory.engaged = false;
            Some(Reply::soon(rng, choice))
        }
        Prompt::AskName => Some(Reply::soon(rng, profile.full_name())),
        Prompt::ConfirmCancel => Some(Reply::soon(rng, if pt { "sim" } else { "yes" })),
        Prompt::DidNotUnderstand => {
            // Once confused, the patient stops writing (staff would pick it up).
            memory.gave_up = true;
            memory.engaged = false;
            None
        }
        Prompt::Booked => {
            if memory.on_waitlist || !rng.random_bool(b.joins_waitlist) {
                return None;
            }
            memory.on_waitlist = true;
            let service = profile.service_word();
            let text = if pt {
                format!("se vagar um horário antes, me coloca na lista de espera de {service}")
            } else {
                format!("please put me on the waitlist for {service} in case something sooner opens")
            };
            Some(Reply::soon(rng, text))
        }
        Prompt::WaitlistOffer => {
            rng.random_bool(b.takes_waitlist_offer).then(|| Reply::soon(rng, if pt { "sim" } else { "yes" }))
        }
        Prompt::Reminder | Prompt::ConfirmRequest => {
            if memory.answered_about_appointment > 0 || !rng.random_bool(b.answers_reminder) {
                return None;
            }
            memory.answered_about_appointment += 1;
            let cancels = rng.random_bool((risk * b.cancels_when_unsure).clamp(0.0, 1.0));
            Some(Reply { after: wait(rng, 30.0), text: if cancels { "3" } else { "1" }.into() })
        }
    }
}

/// No-show rates of the simulated population by how far ahead the appointment was booked
/// (same day, 1-3 days, 4-14 days, 15 or more): the pattern clinics report, a visit
/// booked weeks ahead being missed several times as often as one booked today.
pub const POPULATION_RATES: [(u32, f64); 4] = [(0, 0.08), (2, 0.16), (7, 0.32), (20, 0.42)];

/// The population's no-show scorer: the clinic's own fallback model (`domain::noshow`)
/// fitted on 1,000 appointments per lead-time bucket at [`POPULATION_RATES`]. The same
/// scorer then adds the patient's record and whether they confirmed.
pub fn population() -> Fallback {
    let mut examples = Vec::new();
    for (lead, rate) in POPULATION_RATES {
        let missed = (rate * 1000.0).round() as usize;
        for i in 0..1000 {
            examples.push(Example {
                features: AppointmentFeatures { lead_time_days: lead, ..Default::default() },
                day: jiff::civil::date(2026, 1, 5),
                no_show: i < missed,
            });
        }
    }
    Fallback::fit(&examples)
}

/// The chance that this patient misses this appointment.
pub fn no_show_probability(
    population: &Fallback,
    profile: &Profile,
    lead_time_days: u32,
    confirmed: bool,
    history: PatientHistory,
) -> f64 {
    let features = AppointmentFeatures {
        lead_time_days,
        history,
        reminder: if confirmed { ReminderState::Confirmed } else { ReminderState::Sent },
        ..Default::default()
    };
    let p = population.score(&features).probability.clamp(1e-6, 1.0 - 1e-6);
    let log_odds = (p / (1.0 - p)).ln() + profile.flakiness;
    1.0 / (1.0 + (-log_odds).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn profile(rng: &mut StdRng) -> Profile {
        draw_profile(rng, &Behaviour::default())
    }

    #[test]
    fn the_same_seed_draws_the_same_patients() {
        let a: Vec<Profile> = (0..50).map(|_| profile(&mut StdRng::seed_from_u64(7))).collect();
        let b: Vec<Profile> = (0..50).map(|_| profile(&mut StdRng::seed_from_u64(7))).collect();
        assert_eq!(a, b);
        let mut rng = StdRng::seed_from_u64(7);
        let many: Vec<Profile> = (0..2000).map(|_| profile(&mut rng)).collect();
        let english = many.iter().filter(|p| p.language == Language::En).count() as f64 / 2000.0;
        assert!((0.1..0.2).contains(&english), "{english}");
    }

    #[test]
    fn long_lead_times_and_flaky_patients_miss_more_and_a_confirmation_helps() {
        let population = population();
        let mut p = profile(&mut StdRng::seed_from_u64(1));
        p.flakiness = 0.0;
        let today = no_show_probability(&population, &p, 0, false, PatientHistory::default());
        let weeks = no_show_probability(&population, &p, 20, false, PatientHistory::default());
        let confirmed = no_show_probability(&population, &p, 20, true, PatientHistory::default());
        assert!(today < 0.15 && weeks > 0.35, "{today} {weeks}");
        assert!(confirmed < weeks - 0.1, "{confirmed} {weeks}");
        p.flakiness = 1.5;
        assert!(no_show_probability(&population, &p, 0, false, PatientHistory::default()) > today * 2.0);
    }

    #[test]
    fn an_interested_patient_books_through_the_dialogue() {
        let b = Behaviour {
            answers_invitation: 1.0,
            drops_out: 0.0,
            asks_other_times: 0.0,
            ..Default::default()
        };
        let mut rng = StdRng::seed_from_u64(3);
        let mut p = profile(&mut rng);
        p.interested = true;
        p.language = Language::Pt;
        let mut m = Memory::default();
        let opening = react(&p, &mut m, Prompt::Invitation, 0.0, &b, &mut rng).unwrap();
        assert!(opening.text.contains("marcar") || opening.text.contains("agendar"), "{}", opening.text);
        // Engaged: a follow-up while the dialogue runs gets no second opening.
        assert_eq!(react(&p, &mut m, Prompt::Invitation, 0.0, &b, &mut rng), None);
        assert_eq!(react(&p, &mut m, Prompt::AskService, 0.0, &b, &mut rng).unwrap().text, p.service_word());
        let choice = react(&p, &mut m, Prompt::Offer, 0.0, &b, &mut rng).unwrap();
        assert!(["1", "2", "3"].contains(&choice.text.as_str()));
        assert_eq!(react(&p, &mut m, Prompt::AskName, 0.0, &b, &mut rng).unwrap().text, p.full_name());
    }

    #[test]
    fn reminders_are_answered_once_and_a_likely_miss_cancels() {
        let b = Behaviour { answers_reminder: 1.0, cancels_when_unsure: 1.0, ..Default::default() };
        let mut rng = StdRng::seed_from_u64(5);
        let p = profile(&mut rng);
        let mut m = Memory::default();
        assert_eq!(react(&p, &mut m, Prompt::ConfirmRequest, 1.0, &b, &mut rng).unwrap().text, "3");
        assert_eq!(react(&p, &mut m, Prompt::Reminder, 1.0, &b, &mut rng), None);
        let mut m = Memory::default();
        assert_eq!(react(&p, &mut m, Prompt::Reminder, 0.0, &b, &mut rng).unwrap().text, "1");
    }

    #[test]
    fn prompts_come_from_templates_or_the_dialogue_step() {
        assert_eq!(Prompt::of(Some("lead_welcome"), None), Some(Prompt::Invitation));
        assert_eq!(Prompt::of(Some("appointment_confirm_request"), None), Some(Prompt::ConfirmRequest));
        assert_eq!(Prompt::of(Some("appointment_confirmation"), Some("idle")), Some(Prompt::Booked));
        assert_eq!(Prompt::of(Some("waitlist_offer"), None), Some(Prompt::WaitlistOffer));
        assert_eq!(Prompt::of(Some("waitlist_taken"), None), None);
        assert_eq!(Prompt::of(None, Some("awaiting_name")), Some(Prompt::AskName));
        assert_eq!(Prompt::of(None, Some("idle")), None);
        assert!(Prompt::AskName < Prompt::Invitation);
        // A confirmation arriving with anything else is answered last.
        assert!(Prompt::Reminder < Prompt::Booked && Prompt::WaitlistOffer < Prompt::Booked);
    }

    #[test]
    fn a_booked_patient_may_ask_for_the_waitlist_once_and_take_an_offer() {
        let b = Behaviour { joins_waitlist: 1.0, takes_waitlist_offer: 1.0, ..Behaviour::default() };
        let mut rng = StdRng::seed_from_u64(7);
        let p = draw_profile(&mut rng, &b);
        let mut m = Memory::default();
        let ask = react(&p, &mut m, Prompt::Booked, 0.0, &b, &mut rng).unwrap();
        assert!(ask.text.contains("lista de espera") || ask.text.contains("waitlist"), "{}", ask.text);
        assert!(ask.text.contains(p.service_word()));
        assert_eq!(react(&p, &mut m, Prompt::Booked, 0.0, &b, &mut rng), None, "once");
        let yes = react(&p, &mut m, Prompt::WaitlistOffer, 0.0, &b, &mut rng).unwrap();
        assert!(yes.text == "sim" || yes.text == "yes");
        let never = Behaviour { takes_waitlist_offer: 0.0, ..b };
        assert_eq!(react(&p, &mut m, Prompt::WaitlistOffer, 0.0, &never, &mut rng), None);
    }
}
