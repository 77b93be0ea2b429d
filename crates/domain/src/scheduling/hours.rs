//! Working hours as clinics write them (local wall-clock times per weekday, plus
//! exceptions) and their translation into instants for one local date.

use super::model::{SchedulingError, weekday_serde};
use crate::{LocationId, PractitionerId};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::{Deserialize, Serialize};

/// `[start, end)` in local wall-clock time within one day. Overnight shifts are written
/// as two intervals (one per date), which keeps every interval on a single local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawInterval")]
pub struct LocalInterval {
    start: Time,
    end: Time,
}

#[derive(Deserialize)]
struct RawInterval {
    start: Time,
    end: Time,
}

impl TryFrom<RawInterval> for LocalInterval {
    type Error = SchedulingError;
    fn try_from(raw: RawInterval) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl LocalInterval {
    pub fn new(start: Time, end: Time) -> Result<Self, SchedulingError> {
        if start < end { Ok(Self { start, end }) } else { Err(SchedulingError::EmptyInterval) }
    }
    pub fn start(&self) -> Time {
        self.start
    }
    pub fn end(&self) -> Time {
        self.end
    }
}

/// One row of a weekly timetable: "Mondays 08:00-12:00".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyInterval {
    #[serde(with = "weekday_serde")]
    pub weekday: Weekday,
    #[serde(flatten)]
    pub hours: LocalInterval,
}

/// A practitioner's regular week at one location. A lunch break is simply the gap
/// between two intervals of the same weekday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub practitioner_id: PractitionerId,
    pub location_id: LocationId,
    pub intervals: Vec<WeeklyInterval>,
}

impl WeeklyHours {
    pub fn on(&self, weekday: Weekday) -> impl Iterator<Item = LocalInterval> + '_ {
        self.intervals.iter().filter(move |i| i.weekday == weekday).map(|i| i.hours)
    }
}

/// A departure from the weekly timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// `None`: everyone (a clinic holiday).
    pub practitioner_id: Option<PractitionerId>,
    /// `None`: every location.
    pub location_id: Option<LocationId>,
    /// Flattened, so a holiday reads `{"type": "time_off_dates", "first": ..., "last": ...}`.
    #[serde(flatten)]
    pub kind: ExceptionKind,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExceptionKind {
    /// Whole local days off, `first..=last` (holidays, vacations).
    TimeOffDates { first: Date, last: Date },
    /// Part of a day off (a dentist appointment, a conference talk).
    TimeOffRange { start: Timestamp, end: Timestamp },
    /// Hours worked on one date in addition to the timetable (a Saturday campaign).
    ExtraHours { date: Date, intervals: Vec<LocalInterval> },
}

impl Exception {
    /// A clinic-wide closed day, optionally for one location only.
    pub fn holiday(date: Date, location_id: Option<LocationId>) -> Self {
        Self {
            practitioner_id: None,
            location_id,
            kind: ExceptionKind::TimeOffDates { first: date, last: date },
            note: None,
        }
    }

    pub fn validate(&self) -> Result<(), SchedulingError> {
        match &self.kind {
            ExceptionKind::TimeOffDates { first, last } if last < first => {
                Err(SchedulingError::InvertedDates)
            }
            ExceptionKind::TimeOffRange { start, end } if end <= start => Err(SchedulingError::EmptyInterval),
            _ => Ok(()),
        }
    }

    pub fn applies_to(&self, practitioner: PractitionerId, location: LocationId) -> bool {
        self.practitioner_id.is_none_or(|p| p == practitioner)
            && self.location_id.is_none_or(|l| l == location)
    }

    pub(crate) fn closes_date(&self, date: Date) -> bool {
        matches!(self.kind, ExceptionKind::TimeOffDates { first, last } if first <= date && date <= last)
    }
}

/// Maps a local wall-clock time to the first instant at which a clock on the wall of
/// the clinic shows that time or later. This is the deliberate DST rule for every
/// working-interval boundary:
///
/// * fold (fall-back, the time happens twice): the earlier occurrence, which is jiff's
///   `compatible` choice and what RFC 5545 prescribes; staff leave when the clock first
///   reads their closing time.
/// * gap (spring-forward, the time never happens): the transition instant itself, so an
///   interval lying wholly inside the gap is empty and cannot produce a slot, and one
///   straddling it covers exactly the wall-clock times that exist. (`compatible` would
///   instead push the time forward by the gap's length, inventing working time after
///   the gap that nobody wrote down.)
pub fn wall_clock_instant(tz: &TimeZone, local: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(local).ok(),
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, a time in the gap lands just before the
            // transition, so the next transition is the one that skipped it.
            let probe = after.to_timestamp(local).ok()?;
            tz.following(probe).next().map(|t| t.timestamp())
        }
    }
}

/// A working interval as instants, in whole seconds since the Unix epoch. Seconds keep
/// the slot loop in plain integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SecondsRange {
    pub start: i64,
    pub end: i64,
}

/// Sorts ranges and unions the overlapping or touching ones, in place.
pub(crate) fn merge_ranges(ranges: &mut Vec<SecondsRange>) {
    ranges.retain(|r| r.start < r.end);
    ranges.sort_unstable();
    let mut merged = 0;
    for i in 0..ranges.len() {
        let current = ranges[i];
        if merged > 0 && current.start <= ranges[merged - 1].end {
            let last = &mut ranges[merged - 1];
            last.end = last.end.max(current.end);
        } else {
            ranges[merged] = current;
            merged += 1;
        }
    }
    ranges.truncate(merged);
}

/// The practitioner's working time on one local date, merged and sorted, written into
/// `out`. `exceptions` must already be narrowed to this practitioner and location.
/// Time off by dates wins over extra hours on the same date: when someone says they are
/// away, no rule should offer them.
pub(crate) fn working_ranges(
    hours: &WeeklyHours,
    exceptions: &[&Exception],
    tz: &TimeZone,
    date: Date,
    out: &mut Vec<SecondsRange>,
) {
    out.clear();
    if exceptions.iter().any(|e| e.closes_date(date)) {
        return;
    }
    let extra = exceptions.iter().flat_map(|e| match &e.kind {
        ExceptionKind::ExtraHours { date: d, intervals } if *d == date => intervals.as_slice(),
        _ => &[],
    });
    for interval in hours.on(date.weekday()).chain(extra.copied()) {
        let start = wall_clock_instant(tz, interval.start.to_datetime(date));
        let end = wall_clock_instant(tz, interval.end.to_datetime(date));
        if let (Some(start), Some(end)) = (start, end) {
            // Sub-second boundaries are rounded inwards so a slot never leaks outside.
            let start = start.as_second() + i64::from(start.subsec_nanosecond() > 0);
            out.push(SecondsRange { start, end: end.as_second() });
        }
    }
    merge_ranges(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    #[test]
    fn gap_times_map_to_the_transition() {
        let ny = tz("America/New_York");
        let at = |h, m| wall_clock_instant(&ny, date(2025, 3, 9).at(h, m, 0, 0)).unwrap();
        let transition: Timestamp = "2025-03-09T07:00:00Z".parse().unwrap();
        assert_eq!(at(2, 0), transition);
        assert_eq!(at(2, 30), transition);
        assert_eq!(at(3, 0), transition);
        assert_eq!(at(1, 59).to_string(), "2025-03-09T06:59:00Z");
    }

    #[test]
    fn fold_times_map_to_the_first_occurrence() {
        let ny = tz("America/New_York");
        let t = wall_clock_instant(&ny, date(2025, 11, 2).at(1, 30, 0, 0)).unwrap();
        assert_eq!(t.to_string(), "2025-11-02T05:30:00Z");
        let lisbon = tz("Europe/Lisbon");
        let t = wall_clock_instant(&lisbon, date(2025, 10, 26).at(1, 15, 0, 0)).unwrap();
        assert_eq!(t.to_string(), "2025-10-26T00:15:00Z");
    }

    #[test]
    fn intervals_parse_from_json_and_reject_empty_ones() {
        let ok: WeeklyInterval =
            serde_json::from_str(r#"{"weekday":"monday","start":"08:00","end":"12:00"}"#).unwrap();
        assert_eq!(ok.weekday, Weekday::Monday);
        assert_eq!(ok.hours.start(), time(8, 0, 0, 0));
        let bad =
            serde_json::from_str::<WeeklyInterval>(r#"{"weekday":"monday","start":"12:00","end":"08:00"}"#);
        assert!(bad.is_err());
        assert!(
            serde_json::from_str::<WeeklyInterval>(r#"{"weekday":"funday","start":"08:00","end":"09:00"}"#)
                .is_err()
        );
    }

    #[test]
    fn exceptions_round_trip_and_validate() {
        let e = Exception::holiday(date(2025, 12, 25), None);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(r#""type":"time_off_dates""#), "{json}");
        assert_eq!(serde_json::from_str::<Exception>(&json).unwrap(), e);
        let inverted = Exception {
            kind: ExceptionKind::TimeOffDates { first: date(2025, 1, 2), last: date(2025, 1, 1) },
            ..e
        };
        assert_eq!(inverted.validate(), Err(SchedulingError::InvertedDates));
    }

    #[test]
    fn merging_unions_overlaps_and_drops_empties() {
        let r = |start, end| SecondsRange { start, end };
        let mut v = vec![r(50, 60), r(0, 10), r(5, 20), r(20, 30), r(40, 40)];
        merge_ranges(&mut v);
        assert_eq!(v, vec![r(0, 30), r(50, 60)]);
    }
}
