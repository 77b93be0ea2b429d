//! Ranking free slots against a patient's preferences (seed 002's scoring), with
//! variety when the patient has not said when.
//!
//! Points: preferred weekday +100 (`exact_day`); exact time within 1 h +50
//! (`within_1h`) or within 2 h +25 (`within_2h`); inside the preferred part of the day
//! +50 (`time_of_day`) or within 1 h of it +25 (`near_time_of_day`); preferred location
//! +30; preferred practitioner +40; and `sooner_is_better`, 14 points for the first
//! eligible day down to 0 two weeks later, small enough never to outweigh a stated
//! preference.
//!
//! Ties, in order: closer to the preferred time, earlier start, then practitioner,
//! location and service ids, so equal inputs always give equal answers.
//!
//! Variety rule, applied in passes over the ranking, each pass only adding picks:
//! 1. loose preferences only: at most 2 picks per local day, no two picks in the same
//!    local hour of the day (so a no-preference patient sees mornings and afternoons);
//! 2. no two picks in the same local hour of the same date (plus the 2-per-day cap when
//!    loose);
//! 3. the best remaining slots, so variety never returns fewer slots than exist.
//!
//! Picks are returned in ranking order.

use super::model::Slot;
use super::search::SearchPreferences;
use crate::LocationId;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, date};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

pub const EXACT_DAY: i32 = 100;
pub const WITHIN_1H: i32 = 50;
pub const WITHIN_2H: i32 = 25;
pub const TIME_OF_DAY: i32 = 50;
pub const NEAR_TIME_OF_DAY: i32 = 25;
pub const PREFERRED_LOCATION: i32 = 30;
pub const PREFERRED_PRACTITIONER: i32 = 40;
pub const SOONER_MAX: i32 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReasonCode {
    #[serde(rename = "exact_day")]
    ExactDay,
    #[serde(rename = "within_1h")]
    Within1h,
    #[serde(rename = "within_2h")]
    Within2h,
    #[serde(rename = "time_of_day")]
    TimeOfDay,
    #[serde(rename = "near_time_of_day")]
    NearTimeOfDay,
    #[serde(rename = "preferred_location")]
    PreferredLocation,
    #[serde(rename = "preferred_practitioner")]
    PreferredPractitioner,
    #[serde(rename = "sooner_is_better")]
    SoonerIsBetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreReason {
    pub code: ReasonCode,
    pub points: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedSlot {
    pub slot: Slot,
    /// Wall-clock start at the slot's location, for "Monday 10:00" replies.
    pub local_start: DateTime,
    pub score: i32,
    pub reasons: Vec<ScoreReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub slots: Vec<RankedSlot>,
    /// A location was preferred but had nothing free, so the whole department was used.
    pub location_fallback: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct RankingContext<'a> {
    pub now: Timestamp,
    pub zones: &'a HashMap<LocationId, TimeZone>,
    /// For slots whose location is missing from `zones` (normally the tenant's zone).
    pub default_zone: &'a TimeZone,
}

const DAY: i64 = 86_400;
const EPOCH: Date = date(1970, 1, 1);

fn day_number(d: Date) -> i64 {
    d.duration_since(EPOCH).as_hours().div_euclid(24)
}

/// Local calendar facts of a slot, derived from its UTC offset with integer maths so
/// that scoring thousands of slots costs one offset lookup each.
#[derive(Debug, Clone, Copy)]
struct Local {
    day: i64,
    minute: u32,
    /// Monday = 0.
    weekday: u8,
}

impl Local {
    fn of(ts: Timestamp, tz: &TimeZone) -> Self {
        let local = ts.as_second() + i64::from(tz.to_offset(ts).seconds());
        let day = local.div_euclid(DAY);
        // 1970-01-01 was a Thursday, three days after a Monday.
        let weekday = u8::try_from((day + 3).rem_euclid(7)).unwrap_or(0);
        let minute = u32::try_from(local.rem_euclid(DAY) / 60).unwrap_or(0);
        Self { day, minute, weekday }
    }
    fn hour(&self) -> u32 {
        self.minute / 60
    }
}

/// Preferences digested once per search rather than once per slot.
struct Criteria<'p> {
    prefs: &'p SearchPreferences,
    weekday_mask: u8,
    earliest_day: Option<i64>,
}

impl<'p> Criteria<'p> {
    fn new(prefs: &'p SearchPreferences) -> Self {
        let weekday_mask = prefs.weekdays.iter().fold(0u8, |mask, d| {
            mask | 1u8.checked_shl(d.to_monday_zero_offset().unsigned_abs().into()).unwrap_or(0)
        });
        Self { prefs, weekday_mask, earliest_day: prefs.earliest_date.map(day_number) }
    }

    /// Feeds each earned reason to `add` and returns the distance in minutes from the
    /// preferred time (0 without one), the first tie-breaker.
    fn score(
        &self,
        slot: &Slot,
        local: &Local,
        reference_day: i64,
        mut add: impl FnMut(ReasonCode, i32),
    ) -> u32 {
        let prefs = self.prefs;
        if self.weekday_mask & (1 << local.weekday) != 0 {
            add(ReasonCode::ExactDay, EXACT_DAY);
        }
        let mut distance = 0;
        if let Some(t) = prefs.exact_time {
            let wanted = u32::try_from(i32::from(t.hour()) * 60 + i32::from(t.minute())).unwrap_or(0);
            distance = local.minute.abs_diff(wanted);
            if distance <= 60 {
                add(ReasonCode::Within1h, WITHIN_1H);
            } else if distance <= 120 {
                add(ReasonCode::Within2h, WITHIN_2H);
            }
        } else if let Some(period) = prefs.time_of_day {
            let (from, to) = period.window();
            distance = if local.minute < from {
                from - local.minute
            } else if local.minute >= to {
                local.minute + 1 - to
            } else {
                0
            };
            if distance == 0 {
                add(ReasonCode::TimeOfDay, TIME_OF_DAY);
            } else if distance <= 60 {
                add(ReasonCode::NearTimeOfDay, NEAR_TIME_OF_DAY);
            }
        }
        if prefs.location_id == Some(slot.location_id) {
            add(ReasonCode::PreferredLocation, PREFERRED_LOCATION);
        }
        if prefs.practitioner_id == Some(slot.practitioner_id) {
            add(ReasonCode::PreferredPractitioner, PREFERRED_PRACTITIONER);
        }
        let days_ahead = local.day.saturating_sub(reference_day).max(0);
        let sooner = i32::try_from((i64::from(SOONER_MAX) - days_ahead).max(0)).unwrap_or(0);
        if sooner > 0 {
            add(ReasonCode::SoonerIsBetter, sooner);
        }
        distance
    }
}

#[derive(Debug, Clone, Copy)]
struct Scored {
    score: i32,
    distance: u32,
    /// Index into the caller's slots.
    slot: usize,
    day: i64,
    hour: u32,
}

/// Resolves a location's zone once per run of same-location slots.
struct Zones<'a> {
    ctx: &'a RankingContext<'a>,
    last: Option<(LocationId, &'a TimeZone, i64)>,
}

impl<'a> Zones<'a> {
    /// The zone and its local "today" as a day number.
    fn get(&mut self, location: LocationId) -> (&'a TimeZone, i64) {
        match self.last {
            Some((l, tz, today)) if l == location => (tz, today),
            _ => {
                let tz = self.ctx.zones.get(&location).unwrap_or(self.ctx.default_zone);
                let today = Local::of(self.ctx.now, tz).day;
                self.last = Some((location, tz, today));
                (tz, today)
            }
        }
    }
}

/// Ranks `slots` (all practitioners and locations of the search plan) and picks the
/// best `prefs.limit` with variety; see the module docs for the rules.
pub fn rank_slots(slots: &[Slot], prefs: &SearchPreferences, ctx: &RankingContext<'_>) -> SearchResult {
    let criteria = Criteria::new(prefs);
    let mut zones = Zones { ctx, last: None };
    let preferred_here = |s: &Slot| prefs.location_id.is_none_or(|l| l == s.location_id);
    let eligible = |local: &Local| criteria.earliest_day.is_none_or(|d| local.day >= d);

    // Fall back to the whole department only when the preferred location has nothing.
    let any_at_location = prefs.location_id.is_none()
        || slots
            .iter()
            .any(|s| preferred_here(s) && eligible(&Local::of(s.start, zones.get(s.location_id).0)));
    let location_fallback = !any_at_location;

    let mut scored = Vec::with_capacity(slots.len());
    for (i, slot) in slots.iter().enumerate() {
        if !location_fallback && !preferred_here(slot) {
            continue;
        }
        let (tz, today) = zones.get(slot.location_id);
        let local = Local::of(slot.start, tz);
        if !eligible(&local) {
            continue;
        }
        let reference = criteria.earliest_day.map_or(today, |d| d.max(today));
        let mut score = 0;
        let distance = criteria.score(slot, &local, reference, |_, p| score += p);
        scored.push(Scored { score, distance, slot: i, day: local.day, hour: local.hour() });
    }

    let rank = |a: &Scored, b: &Scored| rank_order(a, b, slots);
    let picks = pick_with_variety(&mut scored, prefs, &rank);
    let slots = picks
        .into_iter()
        .filter_map(|p| {
            let slot = *slots.get(p.slot)?;
            let (tz, today) = zones.get(slot.location_id);
            let local = Local::of(slot.start, tz);
            let reference = criteria.earliest_day.map_or(today, |d| d.max(today));
            let mut reasons = Vec::new();
            criteria
                .score(&slot, &local, reference, |code, points| reasons.push(ScoreReason { code, points }));
            Some(RankedSlot { slot, local_start: tz.to_datetime(slot.start), score: p.score, reasons })
        })
        .collect();
    SearchResult { slots, location_fallback }
}

fn rank_order(a: &Scored, b: &Scored, slots: &[Slot]) -> Ordering {
    let key =
        |s: &Scored| slots.get(s.slot).map(|x| (x.start, x.practitioner_id, x.location_id, x.service_id));
    b.score.cmp(&a.score).then(a.distance.cmp(&b.distance)).then_with(|| key(a).cmp(&key(b)))
}

struct Pass {
    max_per_day: Option<usize>,
    distinct_hour_of_day: bool,
    distinct_hour_of_date: bool,
}

fn pick_with_variety(
    scored: &mut [Scored],
    prefs: &SearchPreferences,
    rank: &impl Fn(&Scored, &Scored) -> Ordering,
) -> Vec<Scored> {
    let limit = prefs.effective_limit();
    let cap = prefs.is_loose().then_some(2);
    let passes = [
        prefs.is_loose().then_some(Pass {
            max_per_day: cap,
            distinct_hour_of_day: true,
            distinct_hour_of_date: true,
        }),
        Some(Pass { max_per_day: cap, distinct_hour_of_day: false, distinct_hour_of_date: true }),
    ];

    // Variety passes never take two slots of one (date, hour), and a bucket rejected
    // once stays rejected as picks accumulate, so only each bucket's best slot matters.
    let mut bests = bucket_bests(scored, rank);
    bests.sort_unstable_by(|a, b| rank(a, b));

    let mut picks: Vec<Scored> = Vec::with_capacity(limit);
    for pass in passes.iter().flatten() {
        for candidate in &bests {
            if picks.len() >= limit {
                break;
            }
            if accepts(pass, candidate, &picks) {
                picks.push(*candidate);
            }
        }
    }

    // Whatever is left comes from the overall ranking; only its top `limit + picks`
    // entries can be needed, so a selection avoids sorting everything.
    let wanted = (limit + picks.len()).min(scored.len());
    if picks.len() < limit && wanted > 0 {
        scored.select_nth_unstable_by(wanted - 1, |a, b| rank(a, b));
        let top = &mut scored[..wanted];
        top.sort_unstable_by(|a, b| rank(a, b));
        for candidate in top.iter() {
            if picks.len() >= limit {
                break;
            }
            if !picks.iter().any(|p| p.slot == candidate.slot) {
                picks.push(*candidate);
            }
        }
    }
    picks.sort_by(|a, b| rank(a, b));
    picks
}

fn accepts(pass: &Pass, c: &Scored, picks: &[Scored]) -> bool {
    let same_day = picks.iter().filter(|p| p.day == c.day).count();
    let clash = picks.iter().any(|p| {
        p.slot == c.slot
            || (pass.distinct_hour_of_date && p.day == c.day && p.hour == c.hour)
            || (pass.distinct_hour_of_day && p.hour == c.hour)
    });
    !clash && pass.max_per_day.is_none_or(|max| same_day < max)
}

/// The best slot of every (local date, hour) bucket.
fn bucket_bests(scored: &[Scored], rank: &impl Fn(&Scored, &Scored) -> Ordering) -> Vec<Scored> {
    let Some(first_day) = scored.iter().map(|s| s.day).min() else {
        return Vec::new();
    };
    let last_day = scored.iter().map(|s| s.day).max().unwrap_or(first_day);
    let better = |slot: &mut Option<Scored>, s: &Scored| {
        if slot.is_none_or(|b| rank(s, &b) == Ordering::Less) {
            *slot = Some(*s);
        }
    };
    // A dense table is the fast path for the usual span of days; a map keeps memory
    // bounded when a caller passes slots spread over years.
    let span = usize::try_from(last_day - first_day + 1).unwrap_or(usize::MAX);
    if span <= 4 * 366 {
        let mut table: Vec<Option<Scored>> = vec![None; span * 24];
        for s in scored {
            let index = usize::try_from(s.day - first_day).unwrap_or(0) * 24 + s.hour.min(23) as usize;
            if let Some(slot) = table.get_mut(index) {
                better(slot, s);
            }
        }
        table.into_iter().flatten().collect()
    } else {
        let mut map: HashMap<(i64, u32), Option<Scored>> = HashMap::new();
        for s in scored {
            better(map.entry((s.day, s.hour)).or_default(), s);
        }
        map.into_values().flatten().collect()
    }
}
