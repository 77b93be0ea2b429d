//! Which of the offered slots the patient picked.
//!
//! Rules, in order:
//! 1. "nenhum", "outro horário", "none of these", "another day" -> [`SlotChoice::NoneOfThese`].
//! 2. A position: "2", "opção 2", "o 2", "o primeiro", "1º", "the second one", "o último",
//!    "the last one". A bare number counts only when nothing else is said (besides "quero",
//!    "pode ser", "please"...) or right after "opção", "option", "número", "o", "a", "the".
//! 3. What was said about the moment (weekday, date, time, period of day) filters the offered
//!    slots: "o das 10h", "the 10am one", "segunda às 10", "a de quinta". One match is the
//!    choice; several are narrowed by a position if one was given, else no choice.
//! 4. "segunda", "quarta", "quinta", "sexta" are both weekdays and ordinals. "na segunda",
//!    "segunda-feira", "próxima segunda" or a time next to it make it a weekday; "a segunda" (bare
//!    article) or "segunda opção" make it a position. Alone, it is the weekday when exactly one
//!    offered slot falls on that day, the position when none does, and when several do, the
//!    position if that slot is on that day, else no choice.
//! 5. With a single slot offered, a plain yes ("sim", "ok", "pode ser") picks it, as does "any"
//!    ("qualquer um", "tanto faz", "either") with any number of slots.

use super::entities::Extraction;
use super::lexicon::ORDINALS;
use super::{OfferedSlot, SlotChoice};
use crate::scheduling::DayPeriod;
use jiff::civil::Time;

/// Words that may surround a bare number without making it something else ("quero o 2").
const FILLERS: &[&str] = &[
    "quero", "queria", "prefiro", "escolho", "fico", "com", "pode", "ser", "por", "favor", "please", "ok",
    "sim", "yes", "a", "o", "the", "opcao", "option", "numero", "number", "esse", "essa", "este", "esta",
    "this", "that", "one", "i", "will", "take", "vou", "de", "la", "then", "entao", "e", "go", "with", "id",
    "would", "like", "um", "uma", "perfeito", "otimo", "beleza", "fechado", "melhor", "for", "me", "pra",
    "mim", "ficar", "no", "n", "nr", "is", "it", "lets", "do", "seria", "horario", "slot", "marca", "pfv",
    "thanks", "obrigado", "obrigada", "nao",
];

/// After an ordinal, these nouns mean something else than a slot ("primeira consulta").
const NOT_A_SLOT_AFTER: &[&str] = &[
    "consulta",
    "vez",
    "visita",
    "time",
    "appointment",
    "visit",
    "semana",
    "week",
    "mes",
    "month",
    "feira",
    "andar",
    "floor",
    "pessoa",
    "filho",
    "filha",
    "child",
];

const POSITION_CUES: &[&str] = &["opcao", "option", "numero", "number", "nr", "no", "o", "a", "the", "#"];

const ANY_OF_THEM: &[&[&str]] =
    &[&["qualquer"], &["tanto", "faz"], &["any"], &["either"], &["whichever"], &["anyone"], &["any", "one"]];

/// A position mentioned in the message: (0-based index, token).
fn position(tokens: &[&str], ex: &Extraction, count: usize) -> Option<(usize, usize)> {
    for (i, t) in tokens.iter().enumerate() {
        if ex.consumed.get(i).copied().unwrap_or(false) {
            continue;
        }
        let next = tokens.get(i + 1).copied().unwrap_or("");
        let prev = i.checked_sub(1).and_then(|p| tokens.get(p)).copied().unwrap_or("");
        if let Some((_, pos)) = ORDINALS.iter().find(|(w, _)| w == t) {
            if NOT_A_SLOT_AFTER.contains(&next) {
                continue;
            }
            let index = if *pos == 0 { count.checked_sub(1) } else { Some(pos - 1) };
            if let Some(index) = index.filter(|&ix| ix < count) {
                return Some((index, i));
            }
            continue;
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) || t.is_empty() || t.len() > 2 {
            continue;
        }
        let Ok(n) = t.parse::<usize>() else { continue };
        if n == 0 || n > count {
            continue;
        }
        let only_fillers = tokens
            .iter()
            .enumerate()
            .all(|(j, w)| j == i || FILLERS.contains(w) || POSITION_CUES.contains(w));
        if only_fillers || POSITION_CUES.contains(&prev) {
            return Some((n - 1, i));
        }
    }
    None
}

fn in_period(time: Time, period: DayPeriod) -> bool {
    let minutes = u32::try_from(i32::from(time.hour()) * 60 + i32::from(time.minute())).unwrap_or(0);
    let (start, end) = period.window();
    (start..end).contains(&minutes)
}

/// Slots matching what was said about the moment, or `None` if nothing was said.
fn by_moment(ex: &Extraction, offered: &[OfferedSlot], use_weekday: bool) -> Option<Vec<usize>> {
    let e = &ex.entities;
    let weekday = if use_weekday { e.weekday } else { None };
    // A date that came from the weekday word is not a separate constraint.
    let date = if ex.weekday.is_some()
        && e.weekday.is_some()
        && e.date.is_some_and(|d| Some(d.weekday()) == e.weekday)
    {
        None
    } else {
        e.date
    };
    if weekday.is_none() && date.is_none() && e.time.is_none() && e.period.is_none() {
        return None;
    }
    let matching = |time_of: &dyn Fn(Time) -> bool| -> Vec<usize> {
        offered
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                let start = s.local_start;
                weekday.is_none_or(|w| start.weekday() == w)
                    && date.is_none_or(|d| start.date() == d)
                    && e.period.is_none_or(|p| in_period(start.time(), p))
                    && time_of(start.time())
            })
            .map(|(i, _)| i)
            .collect()
    };
    let Some(time) = e.time else { return Some(matching(&|_| true)) };
    let exact = matching(&|t| t == time);
    if !exact.is_empty() {
        return Some(exact);
    }
    // "o das 2" when the slot is 02:00 (never in a clinic, but be fair), or "o das 10" for 10:30.
    if let Some(alt) = ex.time_alternative {
        let alt_matches = matching(&|t| t == alt);
        if !alt_matches.is_empty() {
            return Some(alt_matches);
        }
    }
    if time.minute() == 0 {
        return Some(matching(&|t| t.hour() == time.hour()));
    }
    Some(Vec::new())
}

pub(crate) struct SlotContext<'a> {
    pub tokens: &'a [&'a str],
    pub none_of_these: bool,
    pub plain_yes: bool,
}

/// The choice, and whether the weekday entity turned out to be a position (to be cleared).
pub(crate) fn choose(
    ctx: &SlotContext<'_>,
    ex: &Extraction,
    offered: &[OfferedSlot],
) -> (Option<SlotChoice>, bool) {
    if offered.is_empty() {
        return (None, false);
    }
    if ctx.none_of_these {
        return (Some(SlotChoice::NoneOfThese), false);
    }
    let count = offered.len();
    let tokens = ctx.tokens;
    let mut position = position(tokens, ex, count);
    let mut weekday_is_position = false;

    // "segunda", "quarta", "quinta", "sexta": weekday or position?
    if let Some(w) = ex.weekday.filter(|w| w.ambiguous) {
        let word = tokens.get(w.token).copied().unwrap_or("");
        let as_position =
            ORDINALS.iter().find(|(o, _)| *o == word).map(|(_, p)| p - 1).filter(|&p| p < count);
        let on_day: Vec<usize> = offered
            .iter()
            .enumerate()
            .filter(|(_, s)| s.local_start.weekday() == w.day)
            .map(|(i, _)| i)
            .collect();
        let has_other_moment = ex.entities.time.is_some() || ex.entities.period.is_some();
        let read_as_position = match as_position {
            None => false,
            Some(_) if has_other_moment => false,
            Some(_) if w.after_article => true,
            Some(p) => on_day.is_empty() || (on_day.len() > 1 && on_day.contains(&p)),
        };
        if read_as_position {
            position = as_position.map(|p| (p, w.token));
            weekday_is_position = true;
        } else if on_day.len() > 1 && !has_other_moment {
            return (None, false);
        }
    }

    if let Some(candidates) = by_moment(ex, offered, !weekday_is_position) {
        // A weekday that is really a position says nothing about the moment.
        let only_weekday = weekday_is_position
            && ex.entities.time.is_none()
            && ex.entities.period.is_none()
            && ex.entities.date.is_none_or(|d| Some(d.weekday()) == ex.entities.weekday);
        if !only_weekday {
            return match candidates.as_slice() {
                [one] => (Some(SlotChoice::Index(*one)), weekday_is_position),
                [] => (position.map(|(p, _)| SlotChoice::Index(p)), weekday_is_position),
                many => {
                    let pick = position.map(|(p, _)| p).filter(|p| many.contains(p));
                    (pick.map(SlotChoice::Index), weekday_is_position)
                }
            };
        }
    }
    if let Some((p, _)) = position {
        return (Some(SlotChoice::Index(p)), weekday_is_position);
    }
    let any = ANY_OF_THEM.iter().any(|phrase| tokens.windows(phrase.len()).any(|w| w == *phrase));
    if any || (count == 1 && ctx.plain_yes) {
        return (Some(SlotChoice::Index(0)), false);
    }
    (None, false)
}
