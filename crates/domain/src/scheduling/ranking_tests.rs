//! Ranked search: seed 002's points, location fallback, variety, determinism, and a
//! timing run of the benchmark's shape.

use super::slot_tests::weekly;
use super::*;
use crate::{LocationId, PractitionerId, ServiceId};
use jiff::civil::{Date, DateTime, Weekday, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, HashSet};

const ZONE: &str = "America/Sao_Paulo";

struct World {
    zones: HashMap<LocationId, TimeZone>,
    zone: TimeZone,
    now: Timestamp,
    service: ServiceId,
}

impl World {
    fn new(locations: &[LocationId]) -> Self {
        let zone = TimeZone::get(ZONE).unwrap();
        Self {
            zones: locations.iter().map(|l| (*l, zone.clone())).collect(),
            zone,
            // Sunday 2025-06-01, 09:00 local.
            now: "2025-06-01T12:00:00Z".parse().unwrap(),
            service: ServiceId::from(uuid::Uuid::nil()),
        }
    }
    fn slot(&self, p: PractitionerId, l: LocationId, local: &str) -> Slot {
        let dt: DateTime = local.parse().unwrap();
        let start = self.zone.to_timestamp(dt).unwrap();
        Slot {
            practitioner_id: p,
            location_id: l,
            service_id: self.service,
            start,
            end: start + SignedDuration::from_mins(30),
        }
    }
    /// Half-hourly slots 08:00-17:30 on each of `days` days from Monday 2025-06-02.
    fn grid(&self, p: PractitionerId, l: LocationId, days: i8) -> Vec<Slot> {
        let mut out = Vec::new();
        for day in 0..days {
            for half in 16..36 {
                let local = date(2025, 6, 2 + day).at(half / 2, (half % 2) * 30, 0, 0);
                out.push(self.slot(p, l, &local.to_string()));
            }
        }
        out
    }
    fn rank(&self, slots: &[Slot], prefs: &SearchPreferences) -> SearchResult {
        let ctx = RankingContext { now: self.now, zones: &self.zones, default_zone: &self.zone };
        rank_slots(slots, prefs, &ctx)
    }
}

fn codes(r: &RankedSlot) -> Vec<ReasonCode> {
    r.reasons.iter().map(|x| x.code).collect()
}

fn local(r: &RankedSlot) -> String {
    r.local_start.to_string()
}

#[test]
fn seed_points_add_up_with_their_reasons() {
    let (home, other) = (LocationId::new(), LocationId::new());
    let (dr_a, dr_b) = (PractitionerId::new(), PractitionerId::new());
    let w = World::new(&[home, other]);
    let slots = vec![
        w.slot(dr_b, other, "2025-06-03T10:00"), // Tuesday, exact time
        w.slot(dr_a, home, "2025-06-09T10:30"),  // Monday, within 1 h, both preferred
        w.slot(dr_a, home, "2025-06-02T11:45"),  // Monday, within 2 h
        w.slot(dr_b, home, "2025-06-02T15:00"),  // Monday, far from 10:00
    ];
    let prefs = SearchPreferences {
        weekdays: vec![Weekday::Monday],
        exact_time: Some(time(10, 0, 0, 0)),
        location_id: Some(home),
        practitioner_id: Some(dr_a),
        limit: 10,
        ..Default::default()
    };
    let result = w.rank(&slots, &prefs);
    assert!(!result.location_fallback);
    let got: Vec<(String, i32)> = result.slots.iter().map(|r| (local(r), r.score)).collect();
    // Sooner: Monday the 2nd is one day after "today" (13 points), the 9th is 8 (6).
    assert_eq!(
        got,
        [
            ("2025-06-09T10:30:00".to_owned(), 100 + 50 + 30 + 40 + 6),
            ("2025-06-02T11:45:00".to_owned(), 100 + 25 + 30 + 40 + 13),
            ("2025-06-02T15:00:00".to_owned(), 100 + 30 + 13),
        ]
    );
    assert_eq!(
        codes(&result.slots[0]),
        [
            ReasonCode::ExactDay,
            ReasonCode::Within1h,
            ReasonCode::PreferredLocation,
            ReasonCode::PreferredPractitioner,
            ReasonCode::SoonerIsBetter
        ]
    );
    for r in &result.slots {
        assert_eq!(r.score, r.reasons.iter().map(|x| x.points).sum::<i32>());
    }
    let json = serde_json::to_value(&result.slots[1].reasons).unwrap();
    assert_eq!(json[1], serde_json::json!({"code": "within_2h", "points": 25}));
}

#[test]
fn falls_back_to_the_department_when_the_location_has_nothing() {
    let (wanted, elsewhere) = (LocationId::new(), LocationId::new());
    let dr = PractitionerId::new();
    let w = World::new(&[wanted, elsewhere]);
    let mut slots = vec![w.slot(dr, elsewhere, "2025-06-02T09:00")];
    let prefs = SearchPreferences { location_id: Some(wanted), ..Default::default() };
    let result = w.rank(&slots, &prefs);
    assert!(result.location_fallback);
    assert_eq!(result.slots.len(), 1);
    assert!(!codes(&result.slots[0]).contains(&ReasonCode::PreferredLocation));

    // Once the location has anything, other locations are left out.
    slots.push(w.slot(dr, wanted, "2025-06-20T09:00"));
    let result = w.rank(&slots, &prefs);
    assert!(!result.location_fallback);
    assert_eq!(result.slots.len(), 1);
    assert_eq!(result.slots[0].slot.location_id, wanted);
}

#[test]
fn loose_preferences_spread_over_days_and_hours() {
    let l = LocationId::new();
    let w = World::new(&[l]);
    let mut slots = Vec::new();
    for _ in 0..3 {
        slots.extend(w.grid(PractitionerId::new(), l, 5));
    }
    let result = w.rank(&slots, &SearchPreferences::default());
    assert_eq!(result.slots.len(), 5);
    let mut per_day: HashMap<Date, usize> = HashMap::new();
    let mut hours = HashSet::new();
    for r in &result.slots {
        *per_day.entry(r.local_start.date()).or_default() += 1;
        assert!(hours.insert(r.local_start.hour()), "hour repeated: {}", local(r));
    }
    assert!(per_day.values().all(|n| *n <= 2), "{per_day:?}");
    // Soonest first: the first pick is the very first slot.
    assert_eq!(local(&result.slots[0]), "2025-06-02T08:00:00");
}

#[test]
fn stated_preferences_still_avoid_five_slots_in_one_hour() {
    let l = LocationId::new();
    let w = World::new(&[l]);
    let mut slots = Vec::new();
    for _ in 0..4 {
        slots.extend(w.grid(PractitionerId::new(), l, 10));
    }
    let prefs = SearchPreferences {
        weekdays: vec![Weekday::Wednesday],
        time_of_day: Some(DayPeriod::Morning),
        ..Default::default()
    };
    let result = w.rank(&slots, &prefs);
    assert_eq!(result.slots.len(), 5);
    let mut seen = HashSet::new();
    for r in &result.slots {
        assert_eq!(r.local_start.date().weekday(), Weekday::Wednesday);
        assert!(r.local_start.hour() < 12);
        assert!(seen.insert((r.local_start.date(), r.local_start.hour())));
    }
}

#[test]
fn variety_never_returns_fewer_slots_than_exist() {
    let l = LocationId::new();
    let dr = PractitionerId::new();
    let w = World::new(&[l]);
    let slots: Vec<Slot> = ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15"]
        .iter()
        .map(|t| w.slot(dr, l, &format!("2025-06-02T{t}")))
        .collect();
    let result = w.rank(&slots, &SearchPreferences::default());
    let got: Vec<String> = result.slots.iter().map(|r| local(r)[11..16].to_owned()).collect();
    // Two varied picks, then the best of the rest in ranking order.
    assert_eq!(got, ["08:00", "08:15", "08:30", "08:45", "09:00"]);
}

#[test]
fn earliest_date_is_a_hard_limit_and_moves_sooner_is_better() {
    let l = LocationId::new();
    let w = World::new(&[l]);
    let slots = w.grid(PractitionerId::new(), l, 10);
    let prefs = SearchPreferences { earliest_date: Some(date(2025, 6, 5)), limit: 50, ..Default::default() };
    let result = w.rank(&slots, &prefs);
    assert_eq!(result.slots.len(), 50);
    assert!(result.slots.iter().all(|r| r.local_start.date() >= date(2025, 6, 5)));
    let first = &result.slots[0];
    assert_eq!(local(first), "2025-06-05T08:00:00");
    assert_eq!(first.reasons, [ScoreReason { code: ReasonCode::SoonerIsBetter, points: 14 }]);
}

#[test]
fn periods_reward_inside_and_near_the_window() {
    let l = LocationId::new();
    let dr = PractitionerId::new();
    let w = World::new(&[l]);
    let slots = vec![
        w.slot(dr, l, "2025-06-02T17:30"),
        w.slot(dr, l, "2025-06-02T18:30"),
        w.slot(dr, l, "2025-06-02T12:00"),
    ];
    let prefs = SearchPreferences { time_of_day: Some(DayPeriod::Evening), ..Default::default() };
    let result = w.rank(&slots, &prefs);
    let got: Vec<(String, Vec<ReasonCode>)> =
        result.slots.iter().map(|r| (local(r)[11..16].to_owned(), codes(r))).collect();
    assert_eq!(
        got,
        [
            ("18:30".into(), vec![ReasonCode::TimeOfDay, ReasonCode::SoonerIsBetter]),
            ("17:30".into(), vec![ReasonCode::NearTimeOfDay, ReasonCode::SoonerIsBetter]),
            ("12:00".into(), vec![ReasonCode::SoonerIsBetter]),
        ]
    );
}

#[test]
fn ranking_is_deterministic_whatever_the_input_order() {
    let l = LocationId::new();
    let w = World::new(&[l]);
    let mut slots = Vec::new();
    for _ in 0..5 {
        slots.extend(w.grid(PractitionerId::new(), l, 3));
    }
    let prefs = SearchPreferences { exact_time: Some(time(14, 0, 0, 0)), limit: 12, ..Default::default() };
    let first = w.rank(&slots, &prefs);
    slots.reverse();
    slots.rotate_left(7);
    assert_eq!(w.rank(&slots, &prefs), first);
    assert!(w.rank(&[], &prefs).slots.is_empty());
}

/// The benchmark shape: 50 practitioners x 14 days with 10,000 existing
/// appointments, free slots and ranking together. Run with
/// `cargo test --release -p frontdesk-domain -- --ignored --nocapture ranked_search_timing`.
#[test]
#[ignore = "timing run; see the doc comment"]
fn ranked_search_timing() {
    let locations = [LocationId::new(), LocationId::new()];
    let w = World::new(&locations);
    let days = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
    ];
    let mut people = Vec::new();
    for i in 0..50 {
        let mut hours = weekly(&days.map(|d| (d, "08:00", "12:00")));
        hours.intervals.extend(weekly(&days.map(|d| (d, "13:00", "18:00"))).intervals);
        hours.location_id = locations[i % 2];
        people.push(hours);
    }
    // 200 half-hour appointments each over the 14 days, spread pseudo-randomly.
    let start: Timestamp = "2025-06-02T11:00:00Z".parse().unwrap();
    let busy: Vec<Vec<TimeRange>> = (0..50u64)
        .map(|p| {
            (0..200u64)
                .map(|k| {
                    let minutes = (p * 7919 + k * 104_729) % (14 * 24 * 60);
                    let at = start + SignedDuration::from_mins(i64::try_from(minutes / 15 * 15).unwrap());
                    TimeRange::new(at, at + SignedDuration::from_mins(30)).unwrap()
                })
                .collect()
        })
        .collect();
    let rules = BookingRules::default();
    let prefs = SearchPreferences {
        weekdays: vec![Weekday::Thursday],
        exact_time: Some(time(10, 0, 0, 0)),
        location_id: Some(locations[0]),
        ..Default::default()
    };
    let mut timings = Vec::new();
    let mut total = 0;
    for _ in 0..200 {
        let began = std::time::Instant::now();
        let mut slots = Vec::new();
        for (hours, busy) in people.iter().zip(&busy) {
            slots.extend(free_slots(&AvailabilityRequest {
                hours,
                time_zone: &w.zone,
                service_id: w.service,
                duration_minutes: 30,
                exceptions: &[],
                busy,
                rules: &rules,
                now: w.now,
                from: date(2025, 6, 2),
                to: date(2025, 6, 15),
            }));
        }
        total = slots.len();
        let result = w.rank(&slots, &prefs);
        assert_eq!(result.slots.len(), 5);
        timings.push(began.elapsed());
    }
    timings.sort();
    let pct = |p: usize| timings[(timings.len() * p / 100).min(timings.len() - 1)];
    println!("{total} candidate slots; p50 {:?}, p99 {:?}", pct(50), pct(99));
}
