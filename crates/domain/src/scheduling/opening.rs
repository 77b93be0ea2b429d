//! When the clinic is open: at any moment at which any practitioner works at any of its
//! locations (the timetable, minus days and ranges off, plus extra hours). The phone uses
//! this to decide between transferring a caller to a person and promising a callback.

use super::hours::{Exception, ExceptionKind, SecondsRange, WeeklyHours, wall_clock_instant, working_ranges};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// How far ahead [`next_opening`] looks: a clinic closed for longer (a long holiday) gets
/// no promised time rather than a search over months.
pub const OPENING_HORIZON_DAYS: i64 = 31;

/// Working ranges of one practitioner at one location on `local`'s date, with their time
/// off by range cut out.
fn open_ranges(
    h: &WeeklyHours,
    exceptions: &[Exception],
    tz: &TimeZone,
    date: jiff::civil::Date,
) -> Vec<SecondsRange> {
    let applicable: Vec<&Exception> =
        exceptions.iter().filter(|e| e.applies_to(h.practitioner_id, h.location_id)).collect();
    let mut ranges = Vec::new();
    working_ranges(h, &applicable, tz, date, &mut ranges);
    for off in applicable.iter().filter_map(|e| match e.kind {
        ExceptionKind::TimeOffRange { start, end } => Some((start.as_second(), end.as_second())),
        _ => None,
    }) {
        ranges = ranges
            .into_iter()
            .flat_map(|r| {
                [
                    SecondsRange { start: r.start, end: r.end.min(off.0) },
                    SecondsRange { start: r.start.max(off.1), end: r.end },
                ]
            })
            .filter(|r| r.start < r.end)
            .collect();
    }
    ranges
}

/// Whether the clinic is open at the local wall-clock time `local` in `tz`.
pub fn open_at(hours: &[WeeklyHours], exceptions: &[Exception], tz: &TimeZone, local: DateTime) -> bool {
    let Some(at) = wall_clock_instant(tz, local).map(|t| t.as_second()) else { return false };
    hours
        .iter()
        .flat_map(|h| open_ranges(h, exceptions, tz, local.date()))
        .any(|r| r.start <= at && at < r.end)
}

/// The first local time at or after `from` at which the clinic is open (`from` itself when
/// it is open then), or `None` when it stays closed for [`OPENING_HORIZON_DAYS`].
pub fn next_opening(
    hours: &[WeeklyHours],
    exceptions: &[Exception],
    tz: &TimeZone,
    from: DateTime,
) -> Option<DateTime> {
    let from_s = wall_clock_instant(tz, from)?.as_second();
    let mut date = from.date();
    for _ in 0..=OPENING_HORIZON_DAYS {
        let first = hours
            .iter()
            .flat_map(|h| open_ranges(h, exceptions, tz, date))
            .filter(|r| r.end > from_s)
            .map(|r| r.start.max(from_s))
            .min();
        if let Some(s) = first {
            return Timestamp::from_second(s).ok().map(|t| tz.to_datetime(t));
        }
        date = date.tomorrow().ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::{LocalInterval, WeeklyInterval};
    use crate::{LocationId, PractitionerId};
    use jiff::civil::{Weekday, date, time};

    fn weekdays(from: (i8, i8), to: (i8, i8), days: &[Weekday]) -> WeeklyHours {
        WeeklyHours {
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            intervals: days
                .iter()
                .map(|d| WeeklyInterval {
                    weekday: *d,
                    hours: LocalInterval::new(time(from.0, from.1, 0, 0), time(to.0, to.1, 0, 0)).unwrap(),
                })
                .collect(),
        }
    }

    const MON_FRI: [Weekday; 5] =
        [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday];

    fn sp() -> TimeZone {
        TimeZone::get("America/Sao_Paulo").unwrap()
    }

    #[test]
    fn open_during_anyones_hours_and_closed_outside() {
        let hours = [weekdays((8, 0), (12, 0), &MON_FRI), weekdays((13, 0), (18, 0), &MON_FRI)];
        // 2026-12-04 is a Friday.
        let fri = date(2026, 12, 4);
        assert!(open_at(&hours, &[], &sp(), fri.at(8, 0, 0, 0)));
        assert!(open_at(&hours, &[], &sp(), fri.at(17, 59, 0, 0)));
        assert!(!open_at(&hours, &[], &sp(), fri.at(12, 30, 0, 0)), "lunch: nobody works");
        assert!(!open_at(&hours, &[], &sp(), fri.at(18, 0, 0, 0)), "the end is exclusive");
        assert!(!open_at(&hours, &[], &sp(), date(2026, 12, 5).at(10, 0, 0, 0)), "Saturday");
        assert_eq!(next_opening(&hours, &[], &sp(), fri.at(12, 30, 0, 0)), Some(fri.at(13, 0, 0, 0)));
        assert_eq!(next_opening(&hours, &[], &sp(), fri.at(10, 0, 0, 0)), Some(fri.at(10, 0, 0, 0)));
    }

    #[test]
    fn friday_evening_opens_on_monday_morning() {
        let hours = [weekdays((8, 0), (18, 0), &MON_FRI)];
        let next = next_opening(&hours, &[], &sp(), date(2026, 12, 4).at(19, 0, 0, 0)).unwrap();
        assert_eq!(next, date(2026, 12, 7).at(8, 0, 0, 0));
        // São Paulo is UTC-3 all year.
        assert_eq!(sp().to_timestamp(next).unwrap().to_string(), "2026-12-07T11:00:00Z");
    }

    #[test]
    fn holidays_and_time_off_close_and_extra_hours_open() {
        let h = weekdays((8, 0), (18, 0), &MON_FRI);
        let monday = date(2026, 12, 7);
        let holiday = Exception::holiday(monday, None);
        assert!(!open_at(
            std::slice::from_ref(&h),
            std::slice::from_ref(&holiday),
            &sp(),
            monday.at(9, 0, 0, 0)
        ));
        assert_eq!(
            next_opening(std::slice::from_ref(&h), &[holiday], &sp(), date(2026, 12, 4).at(19, 0, 0, 0)),
            Some(date(2026, 12, 8).at(8, 0, 0, 0))
        );
        let off = Exception {
            practitioner_id: Some(h.practitioner_id),
            location_id: None,
            kind: ExceptionKind::TimeOffRange {
                start: sp().to_timestamp(monday.at(8, 0, 0, 0)).unwrap(),
                end: sp().to_timestamp(monday.at(10, 0, 0, 0)).unwrap(),
            },
            note: None,
        };
        assert!(!open_at(std::slice::from_ref(&h), std::slice::from_ref(&off), &sp(), monday.at(9, 0, 0, 0)));
        assert_eq!(
            next_opening(std::slice::from_ref(&h), &[off], &sp(), monday.at(7, 0, 0, 0)),
            Some(monday.at(10, 0, 0, 0))
        );
        let saturday = date(2026, 12, 5);
        let extra = Exception {
            practitioner_id: Some(h.practitioner_id),
            location_id: Some(h.location_id),
            kind: ExceptionKind::ExtraHours {
                date: saturday,
                intervals: vec![LocalInterval::new(time(9, 0, 0, 0), time(12, 0, 0, 0)).unwrap()],
            },
            note: None,
        };
        assert!(open_at(std::slice::from_ref(&h), &[extra], &sp(), saturday.at(11, 0, 0, 0)));
    }

    #[test]
    fn the_clinics_zone_and_daylight_saving_decide() {
        let ny = TimeZone::get("America/New_York").unwrap();
        let sundays = [weekdays((8, 0), (12, 0), &[Weekday::Sunday])];
        // The night DST begins (2025-03-09): 08:00 local is 12:00 UTC, not 13:00.
        let next = next_opening(&sundays, &[], &ny, date(2025, 3, 8).at(20, 0, 0, 0)).unwrap();
        assert_eq!(next, date(2025, 3, 9).at(8, 0, 0, 0));
        assert_eq!(ny.to_timestamp(next).unwrap().to_string(), "2025-03-09T12:00:00Z");
        // A shift across the gap covers the wall-clock times that exist: 02:30 never
        // happens, so the next opening after 01:59 of a 02:00-04:00 shift is 03:00 EDT.
        let night = [weekdays((2, 0), (4, 0), &[Weekday::Sunday])];
        let after = next_opening(&night, &[], &ny, date(2025, 3, 9).at(1, 0, 0, 0)).unwrap();
        assert_eq!(after, date(2025, 3, 9).at(3, 0, 0, 0));
        assert!(open_at(&night, &[], &ny, date(2025, 3, 9).at(3, 30, 0, 0)));
        // The same wall-clock hours in another zone are another instant.
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        assert!(open_at(&sundays, &[], &tokyo, date(2025, 3, 9).at(9, 0, 0, 0)));
    }

    #[test]
    fn no_hours_means_never_open() {
        assert!(!open_at(&[], &[], &sp(), date(2026, 12, 4).at(10, 0, 0, 0)));
        assert_eq!(next_opening(&[], &[], &sp(), date(2026, 12, 4).at(10, 0, 0, 0)), None);
    }
}
