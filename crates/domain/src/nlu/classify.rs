//! From phrase hits to one intent.

use super::Intent;
use super::lexicon::{self, INTENT_PATTERNS, Sig};
use super::matcher::{Hit, PatternSet, claim};
use std::sync::LazyLock;

pub(crate) static INTENTS: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(INTENT_PATTERNS.iter().map(|(_, _, p)| *p)));
pub(crate) static NONE_OF_THESE: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(lexicon::NONE_OF_THESE.iter().copied()));
pub(crate) static PROPOSALS: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(lexicon::PROPOSALS.iter().copied()));
pub(crate) static CANT: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(lexicon::CANT.iter().copied()));
pub(crate) static URGENT: LazyLock<PatternSet> =
    LazyLock::new(|| PatternSet::new(lexicon::URGENT.iter().copied()));

/// Evidence per intent after phrases competed for words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scores {
    pub intent: [f32; Intent::ALL.len()],
    /// Earliest token of each intent's evidence.
    pub first: [Option<usize>; Intent::ALL.len()],
    /// Whether a corrected typo contributed.
    pub fuzzy: [bool; Intent::ALL.len()],
    pub booking_verb: f32,
    pub booking_verb_positions: Vec<usize>,
    pub booking_weak: f32,
    pub question: f32,
    pub other_moment: f32,
    pub defer: f32,
    pub cancel_positions: Vec<usize>,
}

impl Scores {
    pub(crate) fn get(&self, intent: Intent) -> f32 {
        self.intent[intent.index()]
    }
}

/// A phrase's weight grows a little with its length: three words agreeing are better evidence
/// than one.
fn strength(weight: f32, words: usize) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let extra = words.saturating_sub(1) as f32;
    weight * (1.0 + 0.25 * extra)
}

pub(crate) fn score(tokens: &[&str], corrected: &[bool]) -> Scores {
    let set = &*INTENTS;
    let hits = set.find_all(tokens);
    let kept =
        claim(hits, |h: &Hit| set.patterns[h.pattern].required, |h: &Hit| INTENT_PATTERNS[h.pattern].1);
    let mut s = Scores::default();
    for hit in kept {
        let (sig, weight, _) = INTENT_PATTERNS[hit.pattern];
        let value = strength(weight, hit.words.len());
        let fuzzy = hit.words.iter().any(|&w| corrected.get(w).copied().unwrap_or(false));
        match sig {
            Sig::Intent(intent) => {
                let k = intent.index();
                s.intent[k] += value;
                s.first[k] = Some(s.first[k].map_or(hit.start, |f| f.min(hit.start)));
                s.fuzzy[k] |= fuzzy;
                if intent == Intent::Cancel {
                    s.cancel_positions.push(hit.start);
                }
            }
            Sig::BookingVerb => {
                s.booking_verb += value;
                s.booking_verb_positions.push(hit.start);
                let k = Intent::BookingRequest.index();
                s.fuzzy[k] |= fuzzy;
                s.first[k] = Some(s.first[k].map_or(hit.start, |f| f.min(hit.start)));
            }
            Sig::BookingWeak => s.booking_weak += value,
            Sig::QuestionCue => s.question += value,
            Sig::OtherMoment => s.other_moment += value,
            Sig::Neutral => {}
            Sig::Defer => s.defer += value,
        }
    }
    s
}

/// Everything besides the phrase scores that the decision reads.
pub(crate) struct Context {
    pub question_mark: bool,
    pub stop_only: bool,
    pub slot_index: bool,
    pub none_of_these: bool,
    pub has_entity: bool,
    /// "não posso amanhã, pode ser sexta?": not being able, then a proposal, then a moment.
    pub proposes_other_moment: bool,
    pub offered: bool,
}

/// Confidence from the winner's evidence and how close the runner-up came.
fn confidence(winner: f32, runner_up: f32, fuzzy: bool) -> f32 {
    let w = winner.max(0.01);
    let base = (0.55 + 0.2 * w).min(0.95);
    let contested = 0.3 * (runner_up / w).min(1.0);
    let c = base - contested;
    let c = if fuzzy { c * 0.85 } else { c };
    c.clamp(0.15, 0.97)
}

/// The decision, in order of what matters most to a clinic: stopping messages and reaching a
/// person come first, then changes to an appointment, then picks among offered slots, then
/// booking, questions, yes/no and greetings.
pub(crate) fn decide(s: &Scores, ctx: &Context) -> (Intent, f32) {
    use Intent::*;
    let booking_strong = s.get(BookingRequest) + s.booking_verb;
    let booking_total = booking_strong + s.booking_weak;
    let competing = |winner: Intent| -> f32 {
        let mut scores: Vec<f32> = Intent::ALL
            .iter()
            .filter(|&&i| i != winner && i != Greeting)
            .map(|&i| if i == BookingRequest { booking_total } else { s.get(i) })
            .collect();
        scores.push(if winner == Question { 0.0 } else { s.question });
        scores.into_iter().fold(0.0, f32::max)
    };
    let result = |intent: Intent, winner: f32| -> (Intent, f32) {
        (intent, confidence(winner, competing(intent), s.fuzzy[intent.index()]))
    };

    if ctx.stop_only {
        return (OptOut, 0.98);
    }
    if s.get(OptOut) >= 1.0 {
        return result(OptOut, s.get(OptOut));
    }
    if s.get(HumanRequest) >= 1.0 {
        return result(HumanRequest, s.get(HumanRequest));
    }
    let cancel = s.get(Cancel);
    if cancel >= 1.0 {
        // "cancela a de amanhã e marca pra sexta" is a reschedule.
        let first_cancel = s.cancel_positions.iter().min().copied().unwrap_or(usize::MAX);
        if s.booking_verb_positions.iter().any(|&p| p > first_cancel) {
            return result(Reschedule, cancel + s.booking_verb);
        }
    }
    let reschedule = s.get(Reschedule) + if ctx.offered { 0.0 } else { s.other_moment };
    if reschedule >= 1.0 {
        return result(Reschedule, reschedule);
    }
    if cancel >= 1.0 {
        if ctx.proposes_other_moment && !ctx.offered {
            return result(Reschedule, cancel);
        }
        return result(Cancel, cancel);
    }
    if ctx.proposes_other_moment && !ctx.offered {
        // "I can't do Thursday, could we do Friday?"
        return result(Reschedule, s.get(Decline).max(1.0));
    }
    if ctx.slot_index {
        return (Confirm, confidence(1.5, 0.0, false));
    }
    if booking_strong >= 1.0 && booking_total >= s.question {
        return result(BookingRequest, booking_total);
    }
    let greeting_only = s.get(Greeting) > 0.0
        && s.question == 0.0
        && booking_total == 0.0
        && Intent::ALL.iter().all(|&i| i == Greeting || s.get(i) == 0.0);
    if s.question >= 1.0 || (ctx.question_mark && !greeting_only) {
        if s.question < 1.0 && ctx.has_entity {
            // "amanhã de manhã tem?", "sexta às 14h30 pode ser?"
            return result(BookingRequest, booking_total.max(0.8));
        }
        if s.question < 1.0 && ctx.none_of_these {
            return result(Decline, 1.0);
        }
        if s.question < 1.0 {
            return (Question, 0.5);
        }
        return result(Question, s.question);
    }
    let (confirm, decline) = (s.get(Confirm), s.get(Decline));
    if ctx.has_entity && confirm == 0.0 && decline == 0.0 {
        // "amanhã de manhã", "segunda 10h": a moment alone asks for it.
        return result(BookingRequest, booking_total.max(0.8));
    }
    if ctx.none_of_these {
        return result(Decline, decline.max(1.0));
    }
    if s.defer > 0.0 && confirm <= 1.5 && decline <= 1.0 {
        // "ok, vou ver com meu marido", "tá certo, vou ver": not decided yet.
        return (Unclear, 0.45);
    }
    if confirm > 0.0 || decline > 0.0 {
        let confirm_wins = match confirm.total_cmp(&decline) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => s.first[Confirm.index()] < s.first[Decline.index()],
        };
        return if confirm_wins { result(Confirm, confirm) } else { result(Decline, decline) };
    }
    if s.get(Greeting) > 0.0 {
        return result(Greeting, s.get(Greeting));
    }
    if ctx.question_mark {
        return (Question, 0.5);
    }
    if booking_total > 0.0 {
        return (BookingRequest, 0.35);
    }
    (Unclear, 0.5)
}
