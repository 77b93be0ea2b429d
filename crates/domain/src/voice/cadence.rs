//! When to call again after nobody answered: +10 minutes, +2 hours, then the next day at
//! 10:00 local by default, each moved out of the clinic's quiet hours.

use crate::messaging::{QuietHours, next_allowed};
use crate::scheduling::wall_clock_instant;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// One step of the cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RetryStep {
    /// This many minutes after the unanswered call ended.
    AfterMinutes(u32),
    /// The next day at this local time.
    NextDayAt(Time),
}

/// The tenant's retry policy for unanswered calls (settings `voice.retry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryCadence {
    pub steps: Vec<RetryStep>,
    /// Calls in one sequence, the first included.
    pub max_attempts: u32,
}

impl Default for RetryCadence {
    fn default() -> Self {
        Self {
            steps: vec![
                RetryStep::AfterMinutes(10),
                RetryStep::AfterMinutes(120),
                RetryStep::NextDayAt(Time::constant(10, 0, 0, 0)),
            ],
            max_attempts: 4,
        }
    }
}

/// The decision for an unanswered call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryPlan {
    /// Call again at this instant (already outside quiet hours).
    At { attempt: u32, at: Timestamp, reason: String },
    /// The sequence is over.
    GiveUp { reason: String },
}

/// The next attempt after attempt `attempt` (1-based) went unanswered at `ended_at`.
pub fn next_attempt(
    cadence: &RetryCadence,
    quiet: &QuietHours,
    tz: &TimeZone,
    attempt: u32,
    ended_at: Timestamp,
) -> RetryPlan {
    let next = attempt + 1;
    if next > cadence.max_attempts {
        return RetryPlan::GiveUp { reason: format!("{attempt} of {} attempts made", cadence.max_attempts) };
    }
    let Some(step) = cadence.steps.get(attempt as usize - 1).or(cadence.steps.last()) else {
        return RetryPlan::GiveUp { reason: "no retry steps are configured".into() };
    };
    let (wanted, why) = match step {
        RetryStep::AfterMinutes(m) => {
            (ended_at + SignedDuration::from_mins(i64::from(*m)), format!("retry {next} after {m} minutes"))
        }
        RetryStep::NextDayAt(t) => {
            let local = ended_at.to_zoned(tz.clone()).date();
            let day = local.checked_add(1.day()).unwrap_or(local);
            let wanted = wall_clock_instant(tz, day.to_datetime(*t))
                .unwrap_or(ended_at + SignedDuration::from_hours(24));
            (wanted, format!("retry {next} the next day at {t}"))
        }
    };
    let at = next_allowed(wanted, tz, quiet);
    let reason = if at == wanted { why } else { format!("{why}, moved out of quiet hours") };
    RetryPlan::At { attempt: next, at, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> TimeZone {
        TimeZone::get("America/Sao_Paulo").unwrap()
    }
    fn at(local: &str) -> Timestamp {
        local.parse::<jiff::civil::DateTime>().unwrap().to_zoned(sp()).unwrap().timestamp()
    }

    #[test]
    fn default_cadence_in_calling_hours() {
        let c = RetryCadence::default();
        let q = QuietHours::default();
        // Monday 2026-06-01 09:00 local.
        let first = at("2026-06-01T09:00");
        let RetryPlan::At { attempt: 2, at: a2, .. } = next_attempt(&c, &q, &sp(), 1, first) else {
            panic!()
        };
        assert_eq!(a2, at("2026-06-01T09:10"));
        let RetryPlan::At { attempt: 3, at: a3, .. } = next_attempt(&c, &q, &sp(), 2, a2) else { panic!() };
        assert_eq!(a3, at("2026-06-01T11:10"));
        let RetryPlan::At { attempt: 4, at: a4, .. } = next_attempt(&c, &q, &sp(), 3, a3) else { panic!() };
        assert_eq!(a4, at("2026-06-02T10:00"));
        assert!(matches!(next_attempt(&c, &q, &sp(), 4, a4), RetryPlan::GiveUp { .. }));
    }

    #[test]
    fn retries_leave_quiet_hours() {
        let c = RetryCadence::default();
        let q = QuietHours::default();
        // 19:00 + 2 h = 21:00, quiet: moved to the next morning 08:00.
        let RetryPlan::At { at: a, reason, .. } = next_attempt(&c, &q, &sp(), 2, at("2026-06-01T19:00"))
        else {
            panic!()
        };
        assert_eq!(a, at("2026-06-02T08:00"));
        assert!(reason.contains("quiet"), "{reason}");
        // Saturday's next day is Sunday, a day off: Monday 08:00.
        let RetryPlan::At { at: a, .. } = next_attempt(&c, &q, &sp(), 3, at("2026-06-06T15:00")) else {
            panic!()
        };
        assert_eq!(a, at("2026-06-08T08:00"));
    }
}
