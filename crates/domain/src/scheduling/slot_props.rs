//! Slot generation properties, checked against a brute-force oracle: every slot lies in
//! working hours, on the grid, clear of busy time plus buffer; and no free grid position
//! is missed.

use super::slot_tests::{Case, EVERY_DAY, tz};
use super::*;
use crate::{LocationId, PractitionerId};
use jiff::civil::{Date, Time, Weekday, date};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

/// Weeks around DST changes, plus a zone without DST.
const ZONES: [(&str, (i16, i8, i8)); 5] = [
    ("America/New_York", (2025, 3, 5)),
    ("America/New_York", (2025, 10, 29)),
    ("Europe/Lisbon", (2025, 3, 26)),
    ("Europe/Lisbon", (2025, 10, 22)),
    ("America/Sao_Paulo", (2025, 10, 29)),
];

fn minutes_to_time(m: u32) -> Time {
    Time::new(i8::try_from(m / 60).unwrap(), i8::try_from(m % 60).unwrap(), 0, 0).unwrap()
}

prop_compose! {
    /// Up to 3 intervals per weekday within 06:00-22:00, possibly overlapping, so
    /// DST changes (at night) never fall inside one.
    fn arb_week()(raw in prop::collection::vec((0usize..7, 72u32..264, 1u32..48), 0..14)) -> Vec<(Weekday, u32, u32)> {
        raw.into_iter()
            .map(|(d, start5, len5)| (EVERY_DAY[d], start5 * 5, (start5 * 5 + len5 * 5).min(22 * 60)))
            .collect()
    }
}

#[derive(Debug)]
struct Scenario {
    case: Case,
    week: Vec<(Weekday, u32, u32)>,
}

prop_compose! {
    fn arb_scenario()(
        zone in 0usize..ZONES.len(),
        week in arb_week(),
        busy in prop::collection::vec((0i64..14 * 96, 1i64..12), 0..40),
        minutes in 1u32..19,
        granularity in prop::sample::select(vec![5u32, 10, 15, 20, 30, 60]),
        buffer in 0u32..31,
        notice in 0u32..1000,
        horizon in 0u32..20,
        now_offset in -2i64..5 * 96,
    ) -> Scenario {
        let (name, (y, m, d)) = ZONES[zone];
        let from = date(y, m, d);
        let start_of_range = tz(name).to_timestamp(from.to_datetime(Time::midnight())).unwrap();
        let quarter = SignedDuration::from_mins(15);
        let hours = WeeklyHours {
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            intervals: week.iter().map(|(weekday, s, e)| WeeklyInterval {
                weekday: *weekday,
                hours: LocalInterval::new(minutes_to_time(*s), minutes_to_time(*e)).unwrap(),
            }).collect(),
        };
        let mut case = Case::new(hours, name, from, from.checked_add(SignedDuration::from_hours(24 * 13)).unwrap());
        case.minutes = minutes * 5;
        case.rules = BookingRules {
            slot_granularity_minutes: granularity,
            buffer_minutes: buffer,
            min_notice_minutes: notice,
            horizon_days: horizon,
        };
        case.now = start_of_range + quarter * i32::try_from(now_offset).unwrap();
        case.busy = busy.into_iter().map(|(at, len)| {
            let start = start_of_range + quarter * i32::try_from(at).unwrap();
            TimeRange::new(start, start + quarter * i32::try_from(len).unwrap()).unwrap()
        }).collect();
        Scenario { case, week }
    }
}

/// The working intervals of one date as instants, computed from local minutes and
/// merged independently of the implementation.
fn oracle_intervals(s: &Scenario, day: Date) -> Vec<(Timestamp, Timestamp)> {
    let mut local: Vec<(u32, u32)> =
        s.week.iter().filter(|(w, _, _)| *w == day.weekday()).map(|(_, a, b)| (*a, *b)).collect();
    local.sort();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (a, b) in local {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let zone = &s.case.zone;
    let at = |m: u32| zone.to_timestamp(minutes_to_time(m).to_datetime(day)).unwrap();
    merged.into_iter().map(|(a, b)| (at(a), at(b))).collect()
}

fn blocked(s: &Scenario) -> Vec<(Timestamp, Timestamp)> {
    let buffer = SignedDuration::from_mins(i64::from(s.case.rules.buffer_minutes));
    s.case.busy.iter().map(|b| (b.start - buffer, b.end + buffer)).collect()
}

/// Every grid position that the rules allow, by brute force.
fn oracle(s: &Scenario) -> Vec<Timestamp> {
    let c = &s.case;
    let step = SignedDuration::from_mins(i64::from(c.rules.slot_granularity_minutes));
    let duration = SignedDuration::from_mins(i64::from(c.minutes));
    let earliest = c.now + SignedDuration::from_mins(i64::from(c.rules.min_notice_minutes));
    let today = c.zone.to_datetime(c.now).date();
    let last = today.checked_add(SignedDuration::from_hours(24 * i64::from(c.rules.horizon_days))).unwrap();
    let blocked = blocked(s);
    let mut out = Vec::new();
    for day in c.from.series(jiff::Span::new().days(1)).take_while(|d| *d <= c.to && *d <= last) {
        for (a, b) in oracle_intervals(s, day) {
            let mut t = a;
            while t + duration <= b {
                let free = blocked.iter().all(|(x, y)| t + duration <= *x || t >= *y);
                if free && t >= earliest {
                    out.push(t);
                }
                t += step;
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn slots_respect_hours_grid_and_busy_time(s in arb_scenario()) {
        let slots = s.case.slots();
        let blocked = blocked(&s);
        let step = i64::from(s.case.rules.slot_granularity_minutes) * 60;
        for slot in &slots {
            let day = s.case.zone.to_datetime(slot.start).date();
            let intervals = oracle_intervals(&s, day);
            let inside = intervals.iter().find(|(a, b)| *a <= slot.start && slot.end <= *b);
            prop_assert!(inside.is_some(), "outside working hours: {slot:?}");
            if let Some((a, _)) = inside {
                let offset = slot.start.as_second() - a.as_second();
                prop_assert_eq!(offset % step, 0, "off the grid: {:?}", slot);
            }
            for (x, y) in &blocked {
                prop_assert!(slot.end <= *x || slot.start >= *y, "overlaps busy+buffer: {slot:?}");
            }
            prop_assert_eq!(slot.end.duration_since(slot.start), SignedDuration::from_mins(i64::from(s.case.minutes)));
        }
    }

    #[test]
    fn slots_are_exactly_the_free_grid_positions(s in arb_scenario()) {
        let got: Vec<Timestamp> = s.case.slots().iter().map(|x| x.start).collect();
        prop_assert_eq!(got, oracle(&s));
    }

    #[test]
    fn every_generated_slot_passes_check_start(s in arb_scenario()) {
        let req = s.case.request();
        for slot in free_slots(&req).iter().step_by(7) {
            prop_assert_eq!(check_start(&req, slot.start), Ok(*slot));
        }
    }
}
