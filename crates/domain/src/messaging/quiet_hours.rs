//! Quiet hours: when automated messages must not reach a patient's phone, in the
//! clinic's local time, and the next moment they may.

use crate::scheduling::{wall_clock_instant, weekday_serde};
use jiff::Timestamp;
use jiff::civil::{DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuietHoursError {
    #[error("every day of the week is a day off, so no automated message could ever be sent")]
    NoAllowedDay,
}

/// Automated messages are held from `start` to `end` local time every day, and all day on
/// `days_off`. `start` after `end` (the default 20:00-08:00) spans midnight; `start`
/// before `end` is a quiet period within the day (e.g. a 12:00-14:00 lunch); `start ==
/// end` means no nightly quiet period at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuietHours {
    pub start: Time,
    pub end: Time,
    #[serde(with = "weekday_serde::list")]
    pub days_off: Vec<Weekday>,
}

impl Default for QuietHours {
    fn default() -> Self {
        Self {
            start: Time::constant(20, 0, 0, 0),
            end: Time::constant(8, 0, 0, 0),
            days_off: vec![Weekday::Sunday],
        }
    }
}

impl QuietHours {
    /// Rejects settings under which nothing could ever be sent; checked when settings are
    /// saved, so `next_allowed` never has to choose between sending on a day off and
    /// never sending.
    pub fn validate(&self) -> Result<(), QuietHoursError> {
        let all_off = (0..7)
            .filter_map(|i| Weekday::from_monday_zero_offset(i).ok())
            .all(|d| self.days_off.contains(&d));
        if all_off { Err(QuietHoursError::NoAllowedDay) } else { Ok(()) }
    }

    /// Whether a message may be sent at this local wall-clock time.
    pub fn allows(&self, local: DateTime) -> bool {
        if self.days_off.contains(&local.weekday()) {
            return false;
        }
        let t = local.time();
        let quiet = match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            // Spans midnight: quiet in the evening and in the early morning.
            std::cmp::Ordering::Greater => t >= self.start || t < self.end,
            std::cmp::Ordering::Less => self.start <= t && t < self.end,
        };
        !quiet
    }
}

/// Days to look ahead: any allowed moment lies within a week of any instant, and one
/// more day covers a quiet night that ends on the eighth morning.
const LOOKAHEAD_DAYS: i16 = 8;

/// `at` itself if an automated message may be sent then, otherwise the first instant
/// after it when one may, in the clinic's time zone `tz`: the end of the quiet period
/// (08:00 local by default) on the next day that is not a day off, or midnight when a day
/// off ends and the night is not quiet.
///
/// DST: a local time that does not exist that day (spring-forward) is reached at the
/// transition itself, and one that happens twice (fall-back) is considered at both
/// instants, so the result is always the earliest allowed instant. If the settings allow
/// nothing (every day off, which `validate` rejects) or the search runs past the end of
/// time, `at` is returned: holding a message forever would lose it silently.
pub fn next_allowed(at: Timestamp, tz: &TimeZone, q: &QuietHours) -> Timestamp {
    if q.allows(tz.to_datetime(at)) {
        return at;
    }
    // Allowed periods can only begin at a day's midnight (a day off ending) or at the
    // end of the quiet period; the earliest such boundary after `at` that is allowed is
    // the answer.
    let mut date = tz.to_datetime(at).date();
    for _ in 0..=LOOKAHEAD_DAYS {
        // Sorted, because a fall-back fold can put the second occurrence of midnight
        // after the first occurrence of the end of the quiet period.
        let mut candidates = instants(tz, date.to_datetime(Time::midnight()));
        candidates.extend(instants(tz, date.to_datetime(q.end)));
        candidates.sort();
        if let Some(found) = candidates.into_iter().find(|c| *c >= at && q.allows(tz.to_datetime(*c))) {
            return found;
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    at
}

/// Every instant at which a wall clock in `tz` shows `local`, earliest first: one
/// normally, two in a fall-back fold, and the transition instant for a time skipped by
/// spring-forward (the first instant the clock shows a later time).
fn instants(tz: &TimeZone, local: DateTime) -> Vec<Timestamp> {
    match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Fold { before, after } => {
            [before, after].iter().filter_map(|o| o.to_timestamp(local).ok()).collect()
        }
        _ => wall_clock_instant(tz, local).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    /// `local` read in `zone`, as an instant.
    fn at(zone: &TimeZone, local: &str) -> Timestamp {
        zone.to_timestamp(local.parse::<DateTime>().unwrap()).unwrap()
    }

    fn local(zone: &TimeZone, t: Timestamp) -> String {
        zone.to_datetime(t).strftime("%a %Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn allowed_times_pass_through() {
        let sp = tz("America/Sao_Paulo");
        let q = QuietHours::default();
        let t = at(&sp, "2026-03-04T10:30:00"); // a Wednesday
        assert_eq!(next_allowed(t, &sp, &q), t);
        let t = at(&sp, "2026-03-04T08:00:00");
        assert_eq!(next_allowed(t, &sp, &q), t);
        let t = at(&sp, "2026-03-04T19:59:59");
        assert_eq!(next_allowed(t, &sp, &q), t);
    }

    #[test]
    fn evenings_and_early_mornings_wait_for_eight() {
        let sp = tz("America/Sao_Paulo");
        let q = QuietHours::default();
        let evening = next_allowed(at(&sp, "2026-03-04T20:00:00"), &sp, &q);
        assert_eq!(local(&sp, evening), "Thu 2026-03-05 08:00");
        assert_eq!(evening.to_string(), "2026-03-05T11:00:00Z");
        let dawn = next_allowed(at(&sp, "2026-03-05T06:15:00"), &sp, &q);
        assert_eq!(local(&sp, dawn), "Thu 2026-03-05 08:00");
    }

    #[test]
    fn saturday_night_with_sunday_off_goes_to_monday_morning() {
        let sp = tz("America/Sao_Paulo");
        let q = QuietHours::default();
        let t = next_allowed(at(&sp, "2026-03-07T21:00:00"), &sp, &q);
        assert_eq!(local(&sp, t), "Mon 2026-03-09 08:00");
        let sunday_noon = next_allowed(at(&sp, "2026-03-08T12:00:00"), &sp, &q);
        assert_eq!(local(&sp, sunday_noon), "Mon 2026-03-09 08:00");
    }

    #[test]
    fn dst_zones_keep_local_eight_across_transitions() {
        // New York springs forward on Sunday 2026-03-08: Saturday evening's offset is
        // -05:00, Monday morning's -04:00.
        let ny = tz("America/New_York");
        let q = QuietHours::default();
        let t = next_allowed(at(&ny, "2026-03-07T22:00:00"), &ny, &q);
        assert_eq!(local(&ny, t), "Mon 2026-03-09 08:00");
        assert_eq!(t.to_string(), "2026-03-09T12:00:00Z");
        // And falls back on Sunday 2026-11-01.
        let t = next_allowed(at(&ny, "2026-10-31T23:30:00"), &ny, &q);
        assert_eq!(t.to_string(), "2026-11-02T13:00:00Z");
    }

    #[test]
    fn a_quiet_end_inside_a_gap_is_reached_at_the_transition() {
        // Clocks jump 02:00 -> 03:00 in New York; quiet until 02:30 ends at the jump.
        let ny = tz("America/New_York");
        let q = QuietHours {
            start: Time::constant(1, 0, 0, 0),
            end: Time::constant(2, 30, 0, 0),
            days_off: vec![],
        };
        let t = next_allowed(at(&ny, "2026-03-08T01:30:00"), &ny, &q);
        assert_eq!(t.to_string(), "2026-03-08T07:00:00Z");
        assert_eq!(local(&ny, t), "Sun 2026-03-08 03:00");
    }

    #[test]
    fn sao_paulo_historic_midnight_gap() {
        // Until 2019 Sao Paulo sprang forward at midnight: 2018-11-04 00:00 never
        // happened, the clock went from 23:59:59 (-03:00) to 01:00 (-02:00).
        let sp = tz("America/Sao_Paulo");
        let q = QuietHours { start: Time::constant(22, 0, 0, 0), end: Time::midnight(), days_off: vec![] };
        let t = next_allowed(at(&sp, "2018-11-03T23:00:00"), &sp, &q);
        assert_eq!(t.to_string(), "2018-11-04T03:00:00Z");
        assert_eq!(local(&sp, t), "Sun 2018-11-04 01:00");
    }

    #[test]
    fn a_quiet_end_inside_a_fold_uses_the_first_occurrence() {
        // Clocks fall back 02:00 -> 01:00 in New York; 01:30 happens twice.
        let ny = tz("America/New_York");
        let q = QuietHours {
            start: Time::constant(0, 0, 0, 0),
            end: Time::constant(1, 30, 0, 0),
            days_off: vec![],
        };
        let first = next_allowed(at(&ny, "2026-11-01T00:30:00"), &ny, &q);
        assert_eq!(first.to_string(), "2026-11-01T05:30:00Z");
        // During the repeated hour, before the second 01:30: quiet again until then.
        let repeated: Timestamp = "2026-11-01T06:10:00Z".parse().unwrap(); // 01:10 EST
        assert_eq!(next_allowed(repeated, &ny, &q).to_string(), "2026-11-01T06:30:00Z");
    }

    #[test]
    fn other_shapes_of_quiet_hours() {
        let sp = tz("America/Sao_Paulo");
        let lunch = QuietHours {
            start: Time::constant(12, 0, 0, 0),
            end: Time::constant(14, 0, 0, 0),
            days_off: vec![],
        };
        let t = next_allowed(at(&sp, "2026-03-08T12:30:00"), &sp, &lunch);
        assert_eq!(local(&sp, t), "Sun 2026-03-08 14:00");
        // Only a day off: it ends at midnight.
        let sundays =
            QuietHours { start: Time::midnight(), end: Time::midnight(), days_off: vec![Weekday::Sunday] };
        let t = next_allowed(at(&sp, "2026-03-08T12:30:00"), &sp, &sundays);
        assert_eq!(local(&sp, t), "Mon 2026-03-09 00:00");
    }

    #[test]
    fn nothing_allowed_is_rejected_and_does_not_hang() {
        let sp = tz("America/Sao_Paulo");
        let q = QuietHours {
            days_off: (0..7).map(|i| Weekday::from_monday_zero_offset(i).unwrap()).collect(),
            ..QuietHours::default()
        };
        assert_eq!(q.validate(), Err(QuietHoursError::NoAllowedDay));
        let t = at(&sp, "2026-03-08T12:30:00");
        assert_eq!(next_allowed(t, &sp, &q), t);
        assert_eq!(next_allowed(Timestamp::MAX, &sp, &QuietHours::default()), Timestamp::MAX);
        assert!(QuietHours::default().validate().is_ok());
    }

    #[test]
    fn serde_defaults_and_names() {
        let q: QuietHours = serde_json::from_str("{}").unwrap();
        assert_eq!(q, QuietHours::default());
        let q: QuietHours = serde_json::from_str(r#"{"start":"21:30","days_off":["sat","sunday"]}"#).unwrap();
        assert_eq!(q.start, Time::constant(21, 30, 0, 0));
        assert_eq!(q.end, Time::constant(8, 0, 0, 0));
        assert_eq!(q.days_off, vec![Weekday::Saturday, Weekday::Sunday]);
        let json = serde_json::to_value(QuietHours::default()).unwrap();
        assert_eq!(json["days_off"], serde_json::json!(["sunday"]));
        assert!(serde_json::from_str::<QuietHours>(r#"{"bogus":1}"#).is_err());
    }
}
