//! Slot generation in fixed scenarios: DST, holidays, buffers, notice, horizon.

use super::*;
use crate::{LocationId, PractitionerId, ServiceId};
use jiff::civil::{Date, Time, Weekday, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

pub(super) fn weekly(days: &[(Weekday, &str, &str)]) -> WeeklyHours {
    WeeklyHours {
        practitioner_id: PractitionerId::new(),
        location_id: LocationId::new(),
        intervals: days
            .iter()
            .map(|(weekday, start, end)| WeeklyInterval {
                weekday: *weekday,
                hours: LocalInterval::new(start.parse().unwrap(), end.parse().unwrap()).unwrap(),
            })
            .collect(),
    }
}

pub(super) fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub(super) fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

pub(super) const EVERY_DAY: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

#[derive(Debug)]
pub(super) struct Case {
    pub hours: WeeklyHours,
    pub zone: TimeZone,
    pub exceptions: Vec<Exception>,
    pub busy: Vec<TimeRange>,
    pub rules: BookingRules,
    pub minutes: u32,
    pub now: Timestamp,
    pub from: Date,
    pub to: Date,
}

impl Case {
    /// "Now" is the day before `from`, well inside the default 60-day horizon.
    pub fn new(hours: WeeklyHours, zone: &str, from: Date, to: Date) -> Self {
        let zone = tz(zone);
        let now =
            zone.to_timestamp(from.to_datetime(Time::midnight())).unwrap() - SignedDuration::from_hours(24);
        Self {
            hours,
            zone,
            exceptions: Vec::new(),
            busy: Vec::new(),
            rules: BookingRules { min_notice_minutes: 0, ..BookingRules::default() },
            minutes: 30,
            now,
            from,
            to,
        }
    }
    pub fn request(&self) -> AvailabilityRequest<'_> {
        AvailabilityRequest {
            hours: &self.hours,
            time_zone: &self.zone,
            service_id: ServiceId::from(uuid::Uuid::nil()),
            duration_minutes: self.minutes,
            exceptions: &self.exceptions,
            busy: &self.busy,
            rules: &self.rules,
            now: self.now,
            from: self.from,
            to: self.to,
        }
    }
    pub fn slots(&self) -> Vec<Slot> {
        free_slots(&self.request())
    }
    /// Slot starts as local wall-clock strings, e.g. "2025-03-10T09:00:00".
    fn local_starts(&self) -> Vec<String> {
        self.slots().iter().map(|s| self.zone.to_datetime(s.start).to_string()).collect()
    }
    fn utc_starts(&self) -> Vec<String> {
        self.slots().iter().map(|s| s.start.to_string()).collect()
    }
}

#[test]
fn breaks_split_the_day_and_slots_stay_inside() {
    let hours = weekly(&[(Weekday::Monday, "08:00", "12:00"), (Weekday::Monday, "13:00", "17:00")]);
    let case = Case::new(hours, "America/Sao_Paulo", date(2025, 6, 2), date(2025, 6, 8));
    let slots = case.slots();
    // (240 - 30) / 15 + 1 = 15 per half day.
    assert_eq!(slots.len(), 30);
    let local = case.local_starts();
    assert_eq!(local.first().unwrap(), "2025-06-02T08:00:00");
    assert_eq!(local[14], "2025-06-02T11:30:00");
    assert_eq!(local[15], "2025-06-02T13:00:00");
    assert_eq!(local.last().unwrap(), "2025-06-02T16:30:00");
    assert_eq!(slots[0].start, ts("2025-06-02T11:00:00Z"));
    assert!(slots.iter().all(|s| s.end.duration_since(s.start) == SignedDuration::from_mins(30)));
    assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
}

#[test]
fn grid_counts_from_each_interval_start() {
    let hours = weekly(&[(Weekday::Monday, "08:10", "09:00"), (Weekday::Monday, "09:05", "10:00")]);
    let mut case = Case::new(hours, "UTC", date(2025, 6, 2), date(2025, 6, 2));
    case.minutes = 20;
    let local = case.local_starts();
    assert_eq!(
        local,
        [
            "2025-06-02T08:10:00",
            "2025-06-02T08:25:00",
            "2025-06-02T08:40:00",
            "2025-06-02T09:05:00",
            "2025-06-02T09:20:00",
            "2025-06-02T09:35:00"
        ]
    );
}

#[test]
fn appointments_block_their_duration_plus_buffer_on_both_sides() {
    let hours = weekly(&[(Weekday::Monday, "08:00", "11:00")]);
    let mut case = Case::new(hours, "America/Sao_Paulo", date(2025, 6, 2), date(2025, 6, 2));
    case.rules.buffer_minutes = 10;
    // 09:00-09:30 local; blocked with buffer: 08:50-09:40.
    case.busy = vec![TimeRange::new(ts("2025-06-02T12:00:00Z"), ts("2025-06-02T12:30:00Z")).unwrap()];
    let local: Vec<String> = case.local_starts().iter().map(|s| s[11..16].to_owned()).collect();
    assert_eq!(local, ["08:00", "08:15", "09:45", "10:00", "10:15", "10:30"]);
}

#[test]
fn overlapping_and_unsorted_busy_ranges_are_handled() {
    let hours = weekly(&[(Weekday::Monday, "08:00", "12:00")]);
    let mut case = Case::new(hours, "UTC", date(2025, 6, 2), date(2025, 6, 2));
    let r = |a: &str, b: &str| TimeRange {
        start: ts(&format!("2025-06-02T{a}:00Z")),
        end: ts(&format!("2025-06-02T{b}:00Z")),
    };
    // Includes an inverted range, which must be ignored rather than trusted.
    case.busy = vec![r("10:00", "10:45"), r("08:20", "09:00"), r("08:40", "09:10"), r("11:00", "10:00")];
    let local: Vec<String> = case.local_starts().iter().map(|s| s[11..16].to_owned()).collect();
    assert_eq!(local, ["09:15", "09:30", "10:45", "11:00", "11:15", "11:30"]);
}

#[test]
fn minimum_notice_and_horizon() {
    let hours = weekly(&EVERY_DAY.map(|d| (d, "08:00", "18:00")));
    let mut case = Case::new(hours, "America/Sao_Paulo", date(2025, 6, 1), date(2025, 12, 31));
    case.now = ts("2025-06-02T10:07:00Z"); // 07:07 local
    case.rules.min_notice_minutes = 120;
    case.rules.horizon_days = 2;
    let days = group_by_local_day(&case.slots(), &case.zone);
    let dates: Vec<Date> = days.iter().map(|d| d.date).collect();
    assert_eq!(dates, [date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 4)]);
    // 07:07 + 2 h = 09:07, next grid position 09:15.
    assert_eq!(case.zone.to_datetime(days[0].slots[0].start).time(), time(9, 15, 0, 0));
}

#[test]
fn holidays_remove_the_whole_day_only_where_they_apply() {
    let hours = weekly(&EVERY_DAY.map(|d| (d, "09:00", "10:00")));
    let mut case = Case::new(hours, "America/Sao_Paulo", date(2025, 12, 24), date(2025, 12, 26));
    case.exceptions.push(Exception::holiday(date(2025, 12, 25), None));
    // A holiday at another location, and time off for someone else, change nothing.
    case.exceptions.push(Exception::holiday(date(2025, 12, 26), Some(LocationId::new())));
    case.exceptions.push(Exception {
        practitioner_id: Some(PractitionerId::new()),
        ..Exception::holiday(date(2025, 12, 24), None)
    });
    let days: Vec<Date> = group_by_local_day(&case.slots(), &case.zone).iter().map(|d| d.date).collect();
    assert_eq!(days, [date(2025, 12, 24), date(2025, 12, 26)]);
}

#[test]
fn time_off_ranges_block_without_buffer_and_extra_hours_add_slots() {
    let hours = weekly(&[(Weekday::Monday, "09:00", "12:00")]);
    let mut case = Case::new(hours, "UTC", date(2025, 6, 2), date(2025, 6, 7));
    case.minutes = 60;
    case.rules.slot_granularity_minutes = 60;
    case.rules.buffer_minutes = 30;
    let p = case.hours.practitioner_id;
    case.exceptions.push(Exception {
        practitioner_id: Some(p),
        location_id: None,
        kind: ExceptionKind::TimeOffRange {
            start: ts("2025-06-02T10:00:00Z"),
            end: ts("2025-06-02T11:00:00Z"),
        },
        note: Some("dentist".into()),
    });
    case.exceptions.push(Exception {
        practitioner_id: Some(p),
        location_id: Some(case.hours.location_id),
        kind: ExceptionKind::ExtraHours {
            date: date(2025, 6, 7),
            intervals: vec![LocalInterval::new(time(8, 0, 0, 0), time(10, 0, 0, 0)).unwrap()],
        },
        note: None,
    });
    assert_eq!(
        case.utc_starts(),
        ["2025-06-02T09:00:00Z", "2025-06-02T11:00:00Z", "2025-06-07T08:00:00Z", "2025-06-07T09:00:00Z"]
    );
    // Time off by dates beats extra hours on the same day.
    case.exceptions.push(Exception::holiday(date(2025, 6, 7), None));
    assert_eq!(case.slots().len(), 2);
}

#[test]
fn new_york_spring_forward_week_keeps_local_times() {
    let hours = weekly(&EVERY_DAY.map(|d| (d, "09:00", "10:00")));
    let mut case = Case::new(hours, "America/New_York", date(2025, 3, 7), date(2025, 3, 10));
    case.minutes = 60;
    assert_eq!(
        case.utc_starts(),
        ["2025-03-07T14:00:00Z", "2025-03-08T14:00:00Z", "2025-03-09T13:00:00Z", "2025-03-10T13:00:00Z"]
    );
    assert!(case.local_starts().iter().all(|s| s.ends_with("T09:00:00")));
}

#[test]
fn the_spring_forward_gap_never_produces_a_slot() {
    let mut case = Case::new(
        weekly(&[(Weekday::Sunday, "02:00", "03:00")]),
        "America/New_York",
        date(2025, 3, 9),
        date(2025, 3, 9),
    );
    assert!(case.slots().is_empty(), "an interval wholly inside the gap is empty");

    case.hours = weekly(&[(Weekday::Sunday, "01:00", "04:00")]);
    case.minutes = 60;
    case.rules.slot_granularity_minutes = 60;
    // 3 wall-clock hours, 2 real ones: 01:00 EST and 03:00 EDT.
    assert_eq!(case.utc_starts(), ["2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z"]);
    assert_eq!(case.local_starts(), ["2025-03-09T01:00:00", "2025-03-09T03:00:00"]);

    case.minutes = 15;
    case.rules.slot_granularity_minutes = 15;
    for local in case.local_starts() {
        assert!(!local.starts_with("2025-03-09T02:"), "slot in the gap: {local}");
    }
}

#[test]
fn the_fall_back_fold_gives_distinct_correct_instants() {
    let mut case = Case::new(
        weekly(&[(Weekday::Sunday, "00:00", "03:00")]),
        "America/New_York",
        date(2025, 11, 2),
        date(2025, 11, 2),
    );
    case.minutes = 60;
    case.rules.slot_granularity_minutes = 60;
    // 3 wall-clock hours, 4 real ones; 01:00 happens twice, at different instants.
    assert_eq!(
        case.utc_starts(),
        ["2025-11-02T04:00:00Z", "2025-11-02T05:00:00Z", "2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z"]
    );
    assert_eq!(
        case.local_starts(),
        ["2025-11-02T00:00:00", "2025-11-02T01:00:00", "2025-11-02T01:00:00", "2025-11-02T02:00:00"]
    );
}

#[test]
fn lisbon_dst_changes_both_ways() {
    let hours = weekly(&EVERY_DAY.map(|d| (d, "09:00", "09:30")));
    let spring = Case::new(hours.clone(), "Europe/Lisbon", date(2025, 3, 29), date(2025, 3, 31));
    assert_eq!(spring.utc_starts(), ["2025-03-29T09:00:00Z", "2025-03-30T08:00:00Z", "2025-03-31T08:00:00Z"]);
    let autumn = Case::new(hours, "Europe/Lisbon", date(2025, 10, 25), date(2025, 10, 27));
    assert_eq!(autumn.utc_starts(), ["2025-10-25T08:00:00Z", "2025-10-26T09:00:00Z", "2025-10-27T09:00:00Z"]);
    // The Lisbon fold is 01:00-02:00 local: a night interval spans 4 real hours.
    let mut night = Case::new(
        weekly(&[(Weekday::Sunday, "00:00", "03:00")]),
        "Europe/Lisbon",
        date(2025, 10, 26),
        date(2025, 10, 26),
    );
    night.minutes = 60;
    night.rules.slot_granularity_minutes = 60;
    assert_eq!(night.slots().len(), 4);
    assert_eq!(night.slots()[0].start, ts("2025-10-25T23:00:00Z"));
}

#[test]
fn sao_paulo_has_no_dst_any_more() {
    // Brazil used to start DST on the first Sunday of November; since 2019 it does not.
    let hours = weekly(&EVERY_DAY.map(|d| (d, "08:00", "08:30")));
    let case = Case::new(hours, "America/Sao_Paulo", date(2025, 10, 30), date(2025, 11, 5));
    let starts = case.slots();
    assert_eq!(starts.len(), 7);
    for s in starts {
        assert_eq!(case.zone.to_offset(s.start).seconds(), -3 * 3600);
        assert_eq!(case.zone.to_datetime(s.start).time(), time(8, 0, 0, 0));
    }
}

#[test]
fn degenerate_inputs_yield_nothing_instead_of_panicking() {
    let hours = weekly(&[(Weekday::Monday, "08:00", "09:00")]);
    let mut case = Case::new(hours, "UTC", date(2025, 6, 2), date(2025, 6, 2));
    case.minutes = 0;
    assert!(case.slots().is_empty());
    case.minutes = 30;
    case.rules.slot_granularity_minutes = 0; // treated as 1 minute
    assert_eq!(case.slots().len(), 31);
    case.from = date(2025, 6, 3);
    assert!(case.slots().is_empty(), "from after to");
    case.from = Date::MIN;
    case.to = Date::MAX;
    case.now = Timestamp::MAX;
    case.rules.horizon_days = u32::MAX;
    assert!(case.slots().is_empty());
    case.now = Timestamp::MIN;
    case.busy = vec![TimeRange { start: Timestamp::MIN, end: Timestamp::MAX }];
    case.rules.buffer_minutes = u32::MAX;
    case.rules.horizon_days = 30;
    assert!(case.slots().is_empty());
}

#[test]
fn check_start_tells_taken_from_never_bookable() {
    let hours = weekly(&[(Weekday::Monday, "08:00", "12:00")]);
    let mut case = Case::new(hours, "UTC", date(2025, 6, 2), date(2025, 6, 2));
    case.now = ts("2025-06-01T00:00:00Z");
    case.rules.horizon_days = 10;
    case.busy = vec![TimeRange::new(ts("2025-06-02T10:00:00Z"), ts("2025-06-02T10:30:00Z")).unwrap()];
    let req = case.request();
    let slot = check_start(&req, ts("2025-06-02T09:00:00Z")).unwrap();
    assert_eq!(slot.end, ts("2025-06-02T09:30:00Z"));
    assert_eq!(slot.practitioner_id, case.hours.practitioner_id);
    let at = |s: &str| check_start(&req, ts(s)).unwrap_err();
    assert_eq!(at("2025-06-02T09:45:00Z"), SlotRejection::Overlaps);
    assert_eq!(at("2025-06-02T09:05:00Z"), SlotRejection::NotAligned);
    assert_eq!(at("2025-06-02T11:45:00Z"), SlotRejection::OutsideWorkingHours);
    assert_eq!(at("2025-06-02T07:00:00Z"), SlotRejection::OutsideWorkingHours);
    assert_eq!(at("2025-05-31T09:00:00Z"), SlotRejection::TooSoon);
    assert_eq!(at("2025-06-16T09:00:00Z"), SlotRejection::BeyondHorizon);
    assert_eq!(at("2025-06-02T09:00:00.5Z"), SlotRejection::NotAligned);

    let p = case.hours.practitioner_id;
    case.exceptions.push(Exception {
        practitioner_id: Some(p),
        location_id: None,
        kind: ExceptionKind::TimeOffRange {
            start: ts("2025-06-02T11:00:00Z"),
            end: ts("2025-06-02T12:00:00Z"),
        },
        note: None,
    });
    let req = case.request();
    assert_eq!(check_start(&req, ts("2025-06-02T11:00:00Z")), Err(SlotRejection::OutsideWorkingHours));
    assert_eq!(check_start(&req, ts("2025-06-02T10:15:00Z")), Err(SlotRejection::Overlaps));
}

#[test]
fn grouping_by_local_day_uses_the_local_date() {
    let hours = weekly(&EVERY_DAY.map(|d| (d, "22:00", "23:00")));
    let mut case = Case::new(hours, "America/Sao_Paulo", date(2025, 6, 2), date(2025, 6, 3));
    case.minutes = 60;
    let mut slots = case.slots();
    slots.reverse();
    // 22:00 local is already the next day in UTC; grouping must not follow UTC.
    let days = group_by_local_day(&slots, &case.zone);
    assert_eq!(days.len(), 2);
    assert_eq!(days[0].date, date(2025, 6, 2));
    assert_eq!(days[0].slots[0].start, ts("2025-06-03T01:00:00Z"));
    assert!(group_by_local_day(&[], &case.zone).is_empty());
}
