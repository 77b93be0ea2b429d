//! Understanding patients' WhatsApp messages in Brazilian Portuguese and English: intent,
//! dates and times, a pick among offered slots, a name, urgency. Pure code: no I/O, no model,
//! no clock (today is a parameter).
//!
//! # How
//! The text is normalised ([`normalize`]: case, accents, punctuation, repeated letters, WhatsApp
//! abbreviations), unknown words that are one edit away from a keyword (two for keywords of ten
//! letters or more) are corrected ("agnedar" -> "agendar"), then phrase patterns compete for the
//! words: the longest phrase claims its words first, so "não vou poder ir" is a cancellation and
//! not a "não", and "não quero mais receber mensagens" is an opt-out and not a decline. The
//! remaining evidence decides the intent in this order (see [`understand`]): opt-out, human,
//! reschedule/cancel, a picked slot (confirm), booking, question, decline/confirm, greeting.
//!
//! # Rules for the ambiguous cases
//! - **"não vou poder ir"**, "não vou", "I can't make it", "I won't be able to come" are
//!   [`Intent::Cancel`]: the patient tells us the appointment will not happen. If a new moment is
//!   proposed after it ("não vou conseguir ir amanhã, pode ser na sexta?") it is a
//!   [`Intent::Reschedule`]; "cancelar e marcar outro" too. "cancelar" is never an opt-out unless
//!   its object is the messages ("cancelar as mensagens").
//! - **Dates "12/10"**: day/month (Brazilian order) in Portuguese messages and whenever the
//!   first number is above 12. In English messages month/day is tried first when both numbers
//!   could be a month ("10/12" is October 12); if that is not a valid date, day/month is used.
//!   Without a year, the next such date on or after today.
//! - **Weekdays** resolve to the next such day strictly after today ("sexta" on a Friday is next
//!   week's); "hoje"/"today" is the only way to say today. "próxima segunda", "next monday",
//!   "segunda que vem" and any weekday in a message that says "semana que vem"/"next week" resolve
//!   to that day of next calendar week (weeks start on Monday).
//! - **Clock times** without am/pm or a period ("às 2", "2h", "2:30") between 1 and 6 are read as
//!   afternoon (14:00): clinics are open then, not at 2 in the morning. A leading zero ("06h",
//!   "06:30") keeps the early hour. "3 da tarde", "8 da noite", "10 in the morning" adjust.
//! - **"segunda", "quarta", "quinta", "sexta"** are weekdays and ordinals. Outside a slot choice
//!   they are weekdays unless followed by "opção", "vez"... With offered slots: "na segunda",
//!   "segunda-feira", "próxima segunda" or a time next to it make it the weekday; "a segunda"
//!   (bare article) or "segunda opção" make it the position. Alone, it is the weekday when exactly
//!   one offered slot falls on that day, the position when none does, and when several do, the
//!   position if that slot is on that day, else no choice. When it is read as a position, the
//!   weekday and date entities are cleared.
//! - **Slot choice** (only with offered slots): "nenhum", "outro horário", "none of these",
//!   "another day" are [`SlotChoice::NoneOfThese`]. Otherwise a position ("2", "opção 2", "o
//!   primeiro", "1º", "the second one", "o último") and what was said about the moment ("o das
//!   10h", "the 10am one", "segunda às 10", "a de terça à tarde") are combined: one matching slot
//!   is the choice, several are narrowed by the position, none falls back to the position. "Any"
//!   ("qualquer um", "tanto faz") picks the first; a plain yes picks the only slot offered.
//! - **Bare digits**: with offered slots, a number alone ("2", "opção 2", "o 2") picks that slot;
//!   without offered slots it is [`Intent::Unclear`] (a reminder's "reply 1 to confirm" is the
//!   caller's business, which knows what it asked).
//! - **A picked slot** makes the intent [`Intent::Confirm`] (the patient accepts an offer), unless
//!   the message also asks to cancel, reschedule, stop messages or reach a person.
//!   [`SlotChoice::NoneOfThese`] makes it [`Intent::Decline`] (the offer is declined; the caller
//!   offers others), unless the message asks for something stronger ("nenhum, tem sábado?" is a
//!   booking request).
//! - **Questions**: a message with an enquiry word ("quanto custa", "endereço", "do you accept")
//!   or a question mark is a question unless it asks for an appointment; a question mark with
//!   only a moment ("amanhã de manhã tem?") is a booking request; "tudo bem?" alone is a greeting.
//! - **Thanks alone** ("obrigado", "thanks", "valeu") is [`Intent::Unclear`]: nothing to act on.
//! - Only the first 4096 characters are read.
//!
//! # Rules and model
//! Besides the phrase rules, a small averaged perceptron ([`model`], trained on
//! `data/nlu/train.tsv` and `dev.tsv` and committed as `data/nlu/model.tsv`) reads words, word pairs and
//! character n-grams, plus what the rules concluded and how sure they were. The rules'
//! intent stands when they are precise: a slot picked among the offered ones or "none of
//! these" (the corpus has no offers, so the model never learned them), a reschedule
//! (the rules read its structure: "cancela a de amanhã e marca pra sexta", "não quero
//! cancelar, quero remarcar"), an opt-out or a request for a person said with known phrases
//! (confidence 0.75 or more), a booking, cancellation or confirmation the model would turn
//! into an opt-out or a request for a person (those stop messages or the automation: a wrong
//! one costs more than a wrong reply), and any message in
//! which the model knows no word (its letter n-grams alone are too weak to overrule). Otherwise the model's intent is taken: it has learnt
//! where the rules' Unclear, Question and Greeting hide a booking, a decline or a question,
//! and this choice was made on `dev.tsv`, then checked by cross-validation over train and dev
//! (rules alone 0.933, with the model 0.968; `examples/nlu_cv.rs`). Dates, times, names, the slot choice and urgency always come from the rules.

mod classify;
pub mod confusion;
pub mod contact_prefs;
mod entities;
mod eval;
pub mod language;
pub(crate) mod lexicon;
pub(crate) mod matcher;
pub mod model;
pub mod sentiment;
pub mod sentiment_eval;
pub mod services;
mod slots;
pub(crate) mod text;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod props;

pub use contact_prefs::{ContactRequest, contact_request};
pub use eval::{Evaluation, IntentStats, Misclassified, evaluate, evaluate_on, parse_labelled};

use crate::scheduling::DayPeriod;
use jiff::civil::{Date, DateTime, Time, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The detected language of a message; the tenant's locale type, which has exactly these two.
pub type Lang = crate::tenant::Locale;

/// What the patient wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    BookingRequest,
    Reschedule,
    Cancel,
    Confirm,
    Decline,
    Question,
    OptOut,
    HumanRequest,
    Greeting,
    Unclear,
}

impl Intent {
    pub const ALL: [Intent; 10] = [
        Self::BookingRequest,
        Self::Reschedule,
        Self::Cancel,
        Self::Confirm,
        Self::Decline,
        Self::Question,
        Self::OptOut,
        Self::HumanRequest,
        Self::Greeting,
        Self::Unclear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BookingRequest => "booking_request",
            Self::Reschedule => "reschedule",
            Self::Cancel => "cancel",
            Self::Confirm => "confirm",
            Self::Decline => "decline",
            Self::Question => "question",
            Self::OptOut => "opt_out",
            Self::HumanRequest => "human_request",
            Self::Greeting => "greeting",
            Self::Unclear => "unclear",
        }
    }

    /// Position in [`Intent::ALL`].
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|&i| i == self).unwrap_or(Self::ALL.len() - 1)
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown intent {0:?}")]
pub struct UnknownIntent(pub String);

impl FromStr for Intent {
    type Err = UnknownIntent;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL.into_iter().find(|i| i.as_str() == s).ok_or_else(|| UnknownIntent(s.to_owned()))
    }
}

/// A slot just offered to the patient; the patient numbers them from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSlot {
    pub local_start: DateTime,
}

/// Which offered slot the patient took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotChoice {
    /// 0-based index into the offered slots.
    Index(usize),
    /// "nenhum", "outro horário", "none of these", "another day".
    NoneOfThese,
}

mod weekday_option {
    use crate::scheduling::weekday_serde;
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(day: &Option<Weekday>, s: S) -> Result<S::Ok, S::Error> {
        match day {
            Some(d) => s.serialize_some(weekday_serde::name(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Weekday>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(raw) => weekday_serde::parse(&raw)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("unknown weekday {raw:?}"))),
            None => Ok(None),
        }
    }
}

/// What the message says about when and who.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Entities {
    /// Resolved against `today`.
    pub date: Option<Date>,
    /// Set when a weekday was named.
    #[serde(with = "weekday_option")]
    pub weekday: Option<Weekday>,
    pub time: Option<Time>,
    pub period: Option<DayPeriod>,
    /// As the patient wrote it, capitalised: "Maria Souza", "João".
    pub name: Option<String>,
}

/// Everything [`understand`] found in one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Understanding {
    pub intent: Intent,
    /// 0..=1: how strong and how uncontested the evidence was.
    pub confidence: f32,
    pub lang: Lang,
    pub entities: Entities,
    pub slot_choice: Option<SlotChoice>,
    /// Pain, "urgente", "hoje ainda", "asap", "it hurts"...
    pub urgent: bool,
}

/// Lower case, accents stripped, punctuation to spaces (":", "/" and "." stay between digits:
/// "14:30", "12/10"), apostrophes joined ("don't" -> "do not"), runs of a repeated letter
/// shortened when that gives a known word ("oiii" -> "oi"), known emoji to words ("👍" -> "ok"),
/// WhatsApp abbreviations expanded ("vc" -> "voce", "pfv" -> "por favor", "tmrw" -> "tomorrow"),
/// whitespace collapsed. Idempotent.
pub fn normalize(text: &str) -> String {
    text::normalize(text)
}

/// Only this many characters of a message are read.
pub const MAX_CHARS: usize = 4096;

/// The committed intent model (see [`model`]).
pub fn intent_model() -> &'static model::Model {
    &model::MODEL
}

/// Rules and model together; see "Rules and model" in the module documentation.
fn combine(rules: Understanding, prediction: model::Prediction) -> Understanding {
    let rules_stand = rules.slot_choice.is_some()
        || rules.intent == Intent::Reschedule
        || (matches!(rules.intent, Intent::OptOut | Intent::HumanRequest) && rules.confidence >= 0.75)
        || !prediction.known;
    // Stopping messages or the automation costs more than a wrong reply: the model does not
    // turn a message the rules read as an appointment action into either.
    let drastic = matches!(prediction.intent, Intent::OptOut | Intent::HumanRequest)
        && matches!(rules.intent, Intent::BookingRequest | Intent::Cancel | Intent::Confirm);
    if rules_stand || drastic {
        return rules;
    }
    if prediction.intent == rules.intent {
        // The rules' confidence keeps its meaning (a typo or a lone "consulta" costs some).
        return rules;
    }
    Understanding { intent: prediction.intent, confidence: model_confidence(prediction.margin), ..rules }
}

/// The model's margin as a 0..=1 confidence: a tie is a coin toss, a margin of 4 or more
/// (a clear winner on dev.tsv) is as sure as a long rule phrase.
fn model_confidence(margin: f32) -> f32 {
    (0.5 + 0.1 * margin).clamp(0.3, 0.95)
}

pub(crate) fn truncate(text: &str) -> &str {
    match text.char_indices().nth(MAX_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Word-list scoring; Portuguese accents count too; a tie is Portuguese (the clinic's default).
fn detect_lang(tokens: &[&str], raw: &str) -> Lang {
    let pt = tokens.iter().filter(|t| lexicon::PT_MARKERS.contains(t)).count();
    let en = tokens.iter().filter(|t| lexicon::EN_MARKERS.contains(t)).count();
    let accents = raw.chars().any(|c| "ãõçáéíóúâêôàÃÕÇÁÉÍÓÚÂÊÔÀ".contains(c));
    #[allow(clippy::cast_precision_loss)]
    let pt_score = pt as f32 + if accents { 1.5 } else { 0.0 };
    #[allow(clippy::cast_precision_loss)]
    let en_score = en as f32;
    if en_score > pt_score { Lang::En } else { Lang::PtBr }
}

/// Understands one message. `offered` are the slots just offered (empty if none); `today` is
/// the clinic's local date.
pub fn understand(text: &str, offered: &[OfferedSlot], today: Date) -> Understanding {
    understand_with(&model::MODEL, text, offered, today)
}

/// [`understand`] with another intent model: for evaluating a model before it is committed.
pub fn understand_with(
    model: &model::Model,
    text: &str,
    offered: &[OfferedSlot],
    today: Date,
) -> Understanding {
    let rules = understand_rules(text, offered, today);
    let prediction = model.predict(text, Some((rules.intent, rules.confidence)));
    combine(rules, prediction)
}

/// The phrase rules alone, without the model: for comparing the two (`frontdesk nlu eval`).
pub fn understand_rules(text: &str, offered: &[OfferedSlot], today: Date) -> Understanding {
    let raw = truncate(text);
    let tokens = text::tokenize(raw);
    let normalised: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let lang = detect_lang(&normalised, raw);

    // The name's words are not read as anything else ("meu nome é Marcos" is no booking).
    let name = entities::extract_name(&tokens, raw);
    let name_range = name.as_ref().map_or(0..0, |(_, r)| r.clone());
    let mut corrected = vec![false; tokens.len()];
    let canonical: Vec<&str> = normalised
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if name_range.contains(&i) {
                return "\u{1}";
            }
            match text::correct(t) {
                Some(fixed) => {
                    corrected[i] = true;
                    fixed
                }
                None => t,
            }
        })
        .collect();

    let mut extraction = entities::extract(&canonical, lang, today);
    extraction.entities.name = name.map(|(n, _)| n);
    let scores = classify::score(&canonical, &corrected);

    let stop_only = {
        let content: Vec<&str> =
            canonical.iter().copied().filter(|t| !lexicon::STOP_FILLERS.contains(t)).collect();
        !content.is_empty()
            && (content.iter().all(|t| lexicon::STOP_WORDS.contains(t))
                || lexicon::STOP_WORDS.contains(&content.join(" ").as_str()))
    };
    let none_of_these = classify::NONE_OF_THESE.any(&canonical);
    let plain_yes = scores.get(Intent::Confirm) > 0.0 && scores.get(Intent::Decline) == 0.0;
    let (slot_choice, weekday_was_position) = slots::choose(
        &slots::SlotContext { tokens: &canonical, none_of_these, plain_yes },
        &extraction,
        offered,
    );
    if weekday_was_position {
        extraction.entities.weekday = None;
        if extraction.entities.date.is_some_and(|d| Some(d.weekday()) == extraction.weekday.map(|w| w.day)) {
            extraction.entities.date = None;
        }
    }

    // Not being able, then a proposal, then a moment: "amanhã não posso, pode ser sexta?"
    let proposes_other_moment = {
        let cant: Vec<usize> = classify::CANT
            .find_all(&canonical)
            .iter()
            .map(|h| h.start)
            .chain(scores.cancel_positions.iter().copied())
            .collect();
        let proposals = classify::PROPOSALS.find_all(&canonical);
        cant.iter().any(|&c| {
            proposals.iter().any(|p| p.start > c && extraction.positions.iter().any(|&e| e > p.start))
        })
    };

    let ctx = classify::Context {
        question_mark: raw.contains(['?', '¿', '？']),
        stop_only,
        slot_index: matches!(slot_choice, Some(SlotChoice::Index(_))),
        none_of_these: matches!(slot_choice, Some(SlotChoice::NoneOfThese)),
        has_entity: extraction.has_any(),
        proposes_other_moment,
        offered: !offered.is_empty(),
    };
    let (intent, confidence) = classify::decide(&scores, &ctx);
    let urgent = classify::URGENT.any(&canonical);

    Understanding { intent, confidence, lang, entities: extraction.entities, slot_choice, urgent }
}
