//! When to call a patient back: the moment they asked for ("amanhã às 15h", "tomorrow at
//! 3"), read from the nlu's date/time entities in the clinic's time zone, moved to the
//! clinic's next opening when it falls outside its hours; and how that moment is said.

use crate::nlu::Entities;
use crate::scheduling::{DayPeriod, Exception, WeeklyHours, next_opening, open_at};
use crate::tenant::Locale;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;

/// The local moment a callback is planned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackTime {
    pub at: DateTime,
    /// The patient asked for another moment, when the clinic is closed (or it had passed):
    /// `at` is the next opening instead, and the patient is told so.
    pub moved: bool,
}

/// The start of a part of the day, when only that was said ("amanhã de manhã").
fn period_start(p: DayPeriod) -> Time {
    match p {
        DayPeriod::Morning => Time::constant(9, 0, 0, 0),
        DayPeriod::Afternoon => Time::constant(14, 0, 0, 0),
        DayPeriod::Evening => Time::constant(18, 0, 0, 0),
    }
}

/// Resolves a callback request. `now` is the clinic's local time; `asked` the entities of
/// what the patient said. Nothing said about when means the next opening. `None` only
/// when the clinic has no opening within the horizon (no timetable at all).
pub fn callback_time(
    hours: &[WeeklyHours],
    exceptions: &[Exception],
    tz: &TimeZone,
    now: DateTime,
    asked: &Entities,
) -> Option<CallbackTime> {
    let time = asked.time.or(asked.period.map(period_start));
    let wanted = match (asked.date, time) {
        (None, None) => None,
        (Some(d), None) => {
            // A day without an hour: when the clinic opens that day (or after, if today).
            let from = if d == now.date() { now } else { d.at(0, 0, 0, 0) };
            let at = next_opening(hours, exceptions, tz, from)?;
            return Some(CallbackTime { at, moved: at.date() != d });
        }
        (Some(d), Some(t)) => Some(d.to_datetime(t)),
        // An hour alone is today's, or tomorrow's once it has passed.
        (None, Some(t)) => {
            let today = now.date().to_datetime(t);
            Some(if today > now { today } else { now.date().tomorrow().ok()?.to_datetime(t) })
        }
    };
    match wanted {
        Some(w) if w > now && open_at(hours, exceptions, tz, w) => Some(CallbackTime { at: w, moved: false }),
        Some(w) => {
            let at = next_opening(hours, exceptions, tz, w.max(now))?;
            Some(CallbackTime { at, moved: true })
        }
        None => next_opening(hours, exceptions, tz, now).map(|at| CallbackTime { at, moved: false }),
    }
}

fn short_weekday(locale: Locale, d: Weekday) -> &'static str {
    const PT: [&str; 7] = ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = usize::try_from(d.to_monday_zero_offset()).unwrap_or(0);
    match locale {
        Locale::PtBr => PT[i],
        Locale::En => EN[i],
    }
}

fn short_month(m: i8) -> &'static str {
    const EN: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    EN[usize::try_from(m.clamp(1, 12) - 1).unwrap_or(0)]
}

/// "amanhã (sex, 05/06) às 15:00", "na seg, 07/12, às 08:00" / "tomorrow (Fri, Jun 5) at
/// 3:00 PM", "on Mon, Dec 7, at 8:00 AM": relative words for today and tomorrow, with the
/// date alongside so nobody has to count.
pub fn callback_phrase(locale: Locale, today: Date, at: DateTime) -> String {
    let d = at.date();
    let day = short_weekday(locale, d.weekday());
    let relative = if d == today {
        Some(("hoje", "today"))
    } else if today.tomorrow().ok() == Some(d) {
        Some(("amanhã", "tomorrow"))
    } else {
        None
    };
    match locale {
        Locale::PtBr => {
            let clock = format!("{:02}:{:02}", at.hour(), at.minute());
            let date = format!("{:02}/{:02}", d.day(), d.month());
            match relative {
                Some((pt, _)) => format!("{pt} ({day}, {date}) às {clock}"),
                None => format!("na {day}, {date}, às {clock}"),
            }
        }
        Locale::En => {
            let (h12, half) = match at.hour() {
                0 => (12, "AM"),
                h @ 1..=11 => (h, "AM"),
                12 => (12, "PM"),
                h => (h - 12, "PM"),
            };
            let clock = format!("{h12}:{:02} {half}", at.minute());
            let date = format!("{} {}", short_month(d.month()), d.day());
            match relative {
                Some((_, en)) => format!("{en} ({day}, {date}) at {clock}"),
                None => format!("on {day}, {date}, at {clock}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::understand;
    use crate::scheduling::{LocalInterval, WeeklyInterval};
    use crate::{LocationId, PractitionerId};
    use jiff::civil::{date, time};

    fn clinic() -> Vec<WeeklyHours> {
        let days =
            [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday];
        vec![WeeklyHours {
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            intervals: days
                .iter()
                .map(|d| WeeklyInterval {
                    weekday: *d,
                    hours: LocalInterval::new(time(8, 0, 0, 0), time(18, 0, 0, 0)).unwrap(),
                })
                .collect(),
        }]
    }

    fn resolve(text: &str, now: DateTime) -> CallbackTime {
        let tz = TimeZone::get("America/Sao_Paulo").unwrap();
        let u = understand(text, &[], now.date());
        callback_time(&clinic(), &[], &tz, now, &u.entities).unwrap()
    }

    #[test]
    fn the_asked_time_when_open() {
        // Thursday 2026-06-04 at 10:00.
        let now = date(2026, 6, 4).at(10, 0, 0, 0);
        assert_eq!(
            resolve("me liga amanhã às 15h", now),
            CallbackTime { at: date(2026, 6, 5).at(15, 0, 0, 0), moved: false }
        );
        // "3" alone is 15:00 (the nlu's rule for 1..6).
        assert_eq!(resolve("call me back tomorrow at 3", now).at, date(2026, 6, 5).at(15, 0, 0, 0));
        assert_eq!(resolve("me liga amanhã de manhã", now).at, date(2026, 6, 5).at(9, 0, 0, 0));
        assert_eq!(resolve("me liga às 16h", now).at, date(2026, 6, 4).at(16, 0, 0, 0));
    }

    #[test]
    fn closed_times_move_to_the_next_opening() {
        let friday = date(2026, 6, 5).at(10, 0, 0, 0);
        let sat = resolve("me liga amanhã às 15h", friday);
        assert_eq!(sat, CallbackTime { at: date(2026, 6, 8).at(8, 0, 0, 0), moved: true });
        let late = resolve("call me back at 7pm", friday);
        assert_eq!(late, CallbackTime { at: date(2026, 6, 8).at(8, 0, 0, 0), moved: true });
        // Nothing said about when: the next opening, which is not a move.
        let evening = date(2026, 6, 4).at(19, 0, 0, 0);
        assert_eq!(
            resolve("me liga", evening),
            CallbackTime { at: date(2026, 6, 5).at(8, 0, 0, 0), moved: false }
        );
        // A past hour today is tomorrow's.
        assert_eq!(
            resolve("me liga às 9h", date(2026, 6, 4).at(10, 0, 0, 0)).at,
            date(2026, 6, 5).at(9, 0, 0, 0)
        );
    }

    #[test]
    fn phrases_in_both_languages() {
        let today = date(2026, 6, 4);
        let at = date(2026, 6, 5).at(15, 0, 0, 0);
        assert_eq!(callback_phrase(Locale::PtBr, today, at), "amanhã (sex, 05/06) às 15:00");
        assert_eq!(callback_phrase(Locale::En, today, at), "tomorrow (Fri, Jun 5) at 3:00 PM");
        let monday = date(2026, 6, 8).at(8, 0, 0, 0);
        assert_eq!(callback_phrase(Locale::PtBr, today, monday), "na seg, 08/06, às 08:00");
        assert_eq!(callback_phrase(Locale::En, today, monday), "on Mon, Jun 8, at 8:00 AM");
        assert_eq!(
            callback_phrase(Locale::PtBr, today, today.at(16, 30, 0, 0)),
            "hoje (qui, 04/06) às 16:30"
        );
    }
}
