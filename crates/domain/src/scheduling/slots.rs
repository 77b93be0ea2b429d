//! Free-slot generation for one practitioner at one location.
//!
//! Alignment: candidate starts are `interval_start + k * granularity`, where the
//! interval is a merged working interval of that day (weekly hours united with extra
//! hours) turned into instants. Counting from each interval's own start, rather than
//! from midnight, means a practitioner who starts at 08:10 is offered 08:10, 08:25...;
//! after a lunch break the grid restarts at the afternoon's first minute. Steps are in
//! elapsed time, so a 30-minute slot is 30 real minutes even across a DST change.
//!
//! Cost: O(days * intervals + slots * log(busy)). Busy time is sorted and merged once;
//! each candidate finds the next busy block by binary search and, on a clash, jumps
//! straight past it instead of stepping through it.

use super::hours::{SecondsRange, merge_ranges, working_ranges};
use super::model::{BookingRules, MAX_HORIZON_DAYS, Slot, TimeRange};
use super::{Exception, ExceptionKind, WeeklyHours};
use crate::ServiceId;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Everything needed to list one practitioner's free slots at one location.
#[derive(Debug, Clone, Copy)]
pub struct AvailabilityRequest<'a> {
    /// Names the practitioner and location the slots are for.
    pub hours: &'a WeeklyHours,
    /// The location's time zone.
    pub time_zone: &'a TimeZone,
    pub service_id: ServiceId,
    pub duration_minutes: u32,
    /// May include exceptions for others; only those that apply are used.
    pub exceptions: &'a [Exception],
    /// The practitioner's active appointments at every location (they cannot be in two
    /// places at once), in any order.
    pub busy: &'a [TimeRange],
    pub rules: &'a BookingRules,
    pub now: Timestamp,
    /// Local dates, inclusive.
    pub from: Date,
    pub to: Date,
}

/// Why a requested start is not bookable, most fundamental first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotRejection {
    InvalidDuration,
    TooSoon,
    BeyondHorizon,
    OutsideWorkingHours,
    /// Inside working hours but between two grid positions.
    NotAligned,
    /// A valid slot, but an appointment (or its buffer) is in the way. Time off in the
    /// way is `OutsideWorkingHours`: the practitioner is not working then.
    Overlaps,
}

const MINUTE: i64 = 60;

fn ceil_second(t: Timestamp) -> i64 {
    t.as_second() + i64::from(t.subsec_nanosecond() > 0)
}

/// Blocked time, sorted and merged, so "what blocks `[t, e)`?" is one binary search.
struct BusyIndex(Vec<SecondsRange>);

/// Which blocked time `generate` honours; `check_start` switches them off one by one to
/// explain a refusal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Blocking {
    All,
    TimeOffOnly,
    Nothing,
}

impl BusyIndex {
    fn new(req: &AvailabilityRequest<'_>, applicable: &[&Exception], blocking: Blocking) -> Self {
        let buffer = i64::from(req.rules.buffer_minutes) * MINUTE;
        let busy = if blocking == Blocking::All { req.busy } else { &[] };
        let applicable = if blocking == Blocking::Nothing { &[] } else { applicable };
        // Busy ends are rounded up and starts down: rounding must only ever block more.
        let appointments = busy.iter().map(|b| SecondsRange {
            start: b.start.as_second().saturating_sub(buffer),
            end: ceil_second(b.end).saturating_add(buffer),
        });
        // Time off is not an appointment, so the cleaning buffer does not apply to it.
        let time_off = applicable.iter().filter_map(|e| match e.kind {
            ExceptionKind::TimeOffRange { start, end } => {
                Some(SecondsRange { start: start.as_second(), end: ceil_second(end) })
            }
            _ => None,
        });
        let mut ranges: Vec<_> = appointments.chain(time_off).collect();
        merge_ranges(&mut ranges);
        Self(ranges)
    }

    /// End of the first blocked range overlapping `[start, end)`, if any.
    fn blocked_until(&self, start: i64, end: i64) -> Option<i64> {
        let i = self.0.partition_point(|b| b.end <= start);
        self.0.get(i).filter(|b| b.start < end).map(|b| b.end)
    }
}

/// The first grid position at or after `target` on the grid starting at `origin`.
fn align_up(origin: i64, step: i64, target: i64) -> Option<i64> {
    if target <= origin {
        return Some(origin);
    }
    let steps = (target - origin).checked_add(step - 1)? / step;
    origin.checked_add(steps.checked_mul(step)?)
}

/// Calls `emit(start, end)` (Unix seconds) for every free candidate, in time order.
fn generate(req: &AvailabilityRequest<'_>, blocking: Blocking, mut emit: impl FnMut(i64, i64)) {
    let duration = i64::from(req.duration_minutes) * MINUTE;
    if duration <= 0 {
        return;
    }
    let step = i64::from(req.rules.slot_granularity_minutes.max(1)) * MINUTE;
    let practitioner = req.hours.practitioner_id;
    let location = req.hours.location_id;
    let applicable: Vec<&Exception> =
        req.exceptions.iter().filter(|e| e.applies_to(practitioner, location)).collect();
    let busy = BusyIndex::new(req, &applicable, blocking);
    let earliest = ceil_second(req.now).saturating_add(i64::from(req.rules.min_notice_minutes) * MINUTE);

    // Dates before today's local date lie wholly in the past, so start at today.
    let today = req.time_zone.to_datetime(req.now).date();
    let horizon = SignedDuration::from_hours(24 * i64::from(req.rules.horizon_days.min(MAX_HORIZON_DAYS)));
    let last_bookable = today.checked_add(horizon).unwrap_or(Date::MAX);
    let last = req.to.min(last_bookable);
    let mut date = req.from.max(today);

    let mut ranges = Vec::new();
    while date <= last {
        working_ranges(req.hours, &applicable, req.time_zone, date, &mut ranges);
        for range in &ranges {
            let mut t = align_up(range.start, step, earliest.max(range.start));
            while let Some(start) = t {
                let Some(end) = start.checked_add(duration).filter(|e| *e <= range.end) else {
                    break;
                };
                t = match busy.blocked_until(start, end) {
                    Some(free_from) => align_up(range.start, step, free_from),
                    None => {
                        emit(start, end);
                        start.checked_add(step)
                    }
                };
            }
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
}

fn to_slot(req: &AvailabilityRequest<'_>, start: i64, end: i64) -> Option<Slot> {
    Some(Slot {
        practitioner_id: req.hours.practitioner_id,
        location_id: req.hours.location_id,
        service_id: req.service_id,
        start: Timestamp::from_second(start).ok()?,
        end: Timestamp::from_second(end).ok()?,
    })
}

/// Free slots in time order: inside working hours, on the grid, clear of every busy
/// range widened by the buffer on both sides, at least `min_notice` after `now`, and
/// on local dates no later than today + `horizon_days`.
pub fn free_slots(req: &AvailabilityRequest<'_>) -> Vec<Slot> {
    let mut out = Vec::new();
    generate(req, Blocking::All, |start, end| out.extend(to_slot(req, start, end)));
    out
}

/// Checks a start time a client asked to book, telling "taken" (409) apart from
/// "never bookable" (422). Only the start's local date is examined; `from`/`to` of the
/// request are ignored.
pub fn check_start(req: &AvailabilityRequest<'_>, start: Timestamp) -> Result<Slot, SlotRejection> {
    if req.duration_minutes == 0 {
        return Err(SlotRejection::InvalidDuration);
    }
    let earliest = req
        .now
        .checked_add(SignedDuration::from_mins(i64::from(req.rules.min_notice_minutes)))
        .unwrap_or(Timestamp::MAX);
    if start < earliest {
        return Err(SlotRejection::TooSoon);
    }
    let date = req.time_zone.to_datetime(start).date();
    let today = req.time_zone.to_datetime(req.now).date();
    let horizon = SignedDuration::from_hours(24 * i64::from(req.rules.horizon_days.min(MAX_HORIZON_DAYS)));
    if date > today.checked_add(horizon).unwrap_or(Date::MAX) {
        return Err(SlotRejection::BeyondHorizon);
    }
    let day = AvailabilityRequest { from: date, to: date, ..*req };
    let wanted = start.as_second();
    let exact = start.subsec_nanosecond() == 0;
    let mut free = None;
    generate(&day, Blocking::All, |s, e| {
        if exact && s == wanted {
            free = Some((s, e));
        }
    });
    if let Some((s, e)) = free {
        return to_slot(req, s, e).ok_or(SlotRejection::OutsideWorkingHours);
    }
    let mut free_but_for_appointments = false;
    generate(&day, Blocking::TimeOffOnly, |s, _| free_but_for_appointments |= exact && s == wanted);
    if free_but_for_appointments {
        return Err(SlotRejection::Overlaps);
    }
    let mut on_grid = false;
    generate(&day, Blocking::Nothing, |s, _| on_grid |= exact && s == wanted);
    if on_grid {
        // Only time off is in the way.
        return Err(SlotRejection::OutsideWorkingHours);
    }
    let duration = i64::from(req.duration_minutes) * MINUTE;
    let mut ranges = Vec::new();
    let applicable: Vec<&Exception> = req
        .exceptions
        .iter()
        .filter(|e| e.applies_to(req.hours.practitioner_id, req.hours.location_id))
        .collect();
    working_ranges(req.hours, &applicable, req.time_zone, date, &mut ranges);
    let fits = ranges.iter().any(|r| r.start <= wanted && wanted.saturating_add(duration) <= r.end);
    Err(if fits { SlotRejection::NotAligned } else { SlotRejection::OutsideWorkingHours })
}

/// Slots of one local date, for "availability grouped by day" answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySlots {
    pub date: Date,
    pub slots: Vec<Slot>,
}

/// Groups slots by their start's local date in `tz`, dates ascending and slots in time
/// order within each date.
pub fn group_by_local_day(slots: &[Slot], tz: &TimeZone) -> Vec<DaySlots> {
    let mut sorted: Vec<(Date, Slot)> = slots.iter().map(|s| (tz.to_datetime(s.start).date(), *s)).collect();
    sorted.sort_by(|a, b| {
        (a.0, a.1.start, a.1.practitioner_id, a.1.location_id).cmp(&(
            b.0,
            b.1.start,
            b.1.practitioner_id,
            b.1.location_id,
        ))
    });
    let mut days: Vec<DaySlots> = Vec::new();
    for (date, slot) in sorted {
        match days.last_mut() {
            Some(day) if day.date == date => day.slots.push(slot),
            _ => days.push(DaySlots { date, slots: vec![slot] }),
        }
    }
    days
}
