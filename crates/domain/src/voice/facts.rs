//! Telephony facts for analytics, computed from per-outcome tallies the stores aggregate.

use super::outcome::CallOutcome;
use serde::{Deserialize, Serialize};

/// Calls of one outcome (`None`: not ended or not classified yet) in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeTally {
    pub outcome: Option<CallOutcome>,
    pub calls: u64,
    pub duration_seconds: f64,
    pub cost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TelephonyFacts {
    pub calls: u64,
    /// Calls with an outcome (ended and classified).
    pub ended: u64,
    pub answered: u64,
    pub booked: u64,
    /// answered / ended; `None` before any call ended.
    pub answer_rate: Option<f64>,
    /// Mean duration of answered calls, in seconds.
    pub average_handle_seconds: Option<f64>,
    pub total_cost: f64,
    pub cost_per_call: Option<f64>,
    pub cost_per_booking: Option<f64>,
}

impl TelephonyFacts {
    pub fn from_tallies(tallies: &[OutcomeTally]) -> Self {
        let sum = |f: &dyn Fn(&OutcomeTally) -> bool| tallies.iter().filter(|t| f(t)).map(|t| t.calls).sum();
        let calls: u64 = sum(&|_| true);
        let ended: u64 = sum(&|t| t.outcome.is_some());
        let answered: u64 = sum(&|t| t.outcome.is_some_and(|o| o.was_answered()));
        let booked: u64 = sum(&|t| t.outcome == Some(CallOutcome::Booked));
        let answered_seconds: f64 = tallies
            .iter()
            .filter(|t| t.outcome.is_some_and(|o| o.was_answered()))
            .map(|t| t.duration_seconds)
            .sum();
        let total_cost: f64 = tallies.iter().map(|t| t.cost).sum();
        let ratio = |a: f64, b: u64| (b > 0).then(|| a / b as f64);
        Self {
            calls,
            ended,
            answered,
            booked,
            answer_rate: ratio(answered as f64, ended),
            average_handle_seconds: ratio(answered_seconds, answered),
            total_cost,
            cost_per_call: ratio(total_cost, calls),
            cost_per_booking: ratio(total_cost, booked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios() {
        let t =
            |outcome, calls, duration_seconds, cost| OutcomeTally { outcome, calls, duration_seconds, cost };
        let f = TelephonyFacts::from_tallies(&[
            t(Some(CallOutcome::Booked), 2, 300.0, 1.0),
            t(Some(CallOutcome::NoAnswer), 5, 0.0, 0.5),
            t(Some(CallOutcome::Completed), 1, 60.0, 0.5),
            t(None, 2, 0.0, 0.0),
        ]);
        assert_eq!((f.calls, f.ended, f.answered, f.booked), (10, 8, 3, 2));
        assert_eq!(f.answer_rate, Some(3.0 / 8.0));
        assert_eq!(f.average_handle_seconds, Some(120.0));
        assert_eq!(f.cost_per_call, Some(0.2));
        assert_eq!(f.cost_per_booking, Some(1.0));
        let empty = TelephonyFacts::from_tallies(&[]);
        assert_eq!((empty.answer_rate, empty.cost_per_booking), (None, None));
    }
}
