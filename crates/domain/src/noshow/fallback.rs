//! The transparent scorer a clinic gets until it has enough history for a trained model:
//! its own no-show rate, adjusted by how far ahead the appointment was booked, by the
//! patient's own record and by whether the patient confirmed. Every step is one number a
//! receptionist can check.

use super::encode::rate;
use super::odds::{logit, sigmoid};
use super::{AppointmentFeatures, Example, ReminderState, Risk, RiskReason, ScoresNoShow};
use serde::{Deserialize, Serialize};

/// The rate assumed before a clinic has history: outpatient no-show rates are commonly
/// 15–30%; a clinic's own appointments pull it toward theirs.
pub const DEFAULT_RATE: f64 = 0.2;
/// How many appointments the default counts for when blended with a clinic's own.
const PRIOR_WEIGHT: f64 = 50.0;
/// A patient's own record counts as this many appointments at the clinic's rate.
const PATIENT_PRIOR: f64 = 2.0;
/// Log-odds moved by the reminder state (assumed, not fitted: confirmation is rare in
/// history until reminders have run for a while).
const CONFIRMED: f64 = -0.7;
const UNCONFIRMED: f64 = 0.2;

/// Lead-time buckets, in days booked ahead: same day, 1–3, 4–14, 15 or more.
const LEAD_BUCKETS: [u32; 3] = [1, 4, 15];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fallback {
    base_rate: f64,
    lead_rates: [f64; 4],
    examples: usize,
}

impl Default for Fallback {
    fn default() -> Self {
        Self::fit(&[])
    }
}

impl Fallback {
    /// Fitted from a clinic's past appointments (shows and no-shows); with none, the
    /// default rate everywhere.
    pub fn fit(examples: &[Example]) -> Self {
        let observed = rate(examples.iter().map(|e| e.no_show));
        let n = examples.len() as f64;
        let base_rate = (observed * n + DEFAULT_RATE * PRIOR_WEIGHT) / (n + PRIOR_WEIGHT);
        let mut lead_rates = [base_rate; 4];
        for (bucket, lead_rate) in lead_rates.iter_mut().enumerate() {
            let in_bucket: Vec<bool> = examples
                .iter()
                .filter(|e| lead_bucket(e.features.lead_time_days) == bucket)
                .map(|e| e.no_show)
                .collect();
            let count = in_bucket.len() as f64;
            *lead_rate =
                (rate(in_bucket.into_iter()) * count + base_rate * PRIOR_WEIGHT) / (count + PRIOR_WEIGHT);
        }
        Self { base_rate, lead_rates, examples: examples.len() }
    }

    pub fn base_rate(&self) -> f64 {
        self.base_rate
    }

    pub fn examples(&self) -> usize {
        self.examples
    }
}

impl ScoresNoShow for Fallback {
    fn score(&self, f: &AppointmentFeatures) -> Risk {
        let base = logit(self.base_rate);
        let lead = logit(self.lead_rates[lead_bucket(f.lead_time_days)]) - base;
        let h = &f.history;
        let seen = f64::from(h.prior_shows + h.prior_no_shows);
        let own_rate =
            (f64::from(h.prior_no_shows) + PATIENT_PRIOR * self.base_rate) / (seen + PATIENT_PRIOR);
        let record = logit(own_rate) - base;
        let reminder = match f.reminder {
            ReminderState::Confirmed => CONFIRMED,
            ReminderState::Sent => UNCONFIRMED,
            ReminderState::NotSent | ReminderState::Unknown => 0.0,
        };
        let mut reasons: Vec<RiskReason> =
            [("long_lead_time", lead), ("prior_no_shows", record), ("not_confirmed", reminder)]
                .into_iter()
                .filter(|(_, weight)| *weight > 0.01)
                .map(|(code, weight)| RiskReason { code: code.to_owned(), weight })
                .collect();
        reasons.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        Risk { probability: sigmoid(base + lead + record + reminder), reasons }
    }
}

fn lead_bucket(days: u32) -> usize {
    LEAD_BUCKETS.iter().filter(|edge| days >= **edge).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noshow::PatientHistory;
    use jiff::civil::date;

    fn example(lead: u32, no_show: bool) -> Example {
        Example {
            features: AppointmentFeatures { lead_time_days: lead, ..Default::default() },
            day: date(2026, 3, 2),
            no_show,
        }
    }

    #[test]
    fn without_history_it_is_the_default_rate() {
        let risk = Fallback::default().score(&AppointmentFeatures::default());
        assert!((risk.probability - DEFAULT_RATE).abs() < 1e-9);
        assert!(risk.reasons.is_empty());
    }

    #[test]
    fn the_clinics_rate_and_lead_times_pull_it_with_reasons() {
        // 200 same-day bookings that all came, 200 booked a month ahead of which half missed.
        let mut examples: Vec<Example> = (0..200).map(|_| example(0, false)).collect();
        examples.extend((0..200).map(|i| example(30, i % 2 == 0)));
        let fallback = Fallback::fit(&examples);
        assert!((fallback.base_rate() - (100.0 + 10.0) / 450.0).abs() < 1e-9);
        let soon = fallback.score(&AppointmentFeatures { lead_time_days: 0, ..Default::default() });
        let far = fallback.score(&AppointmentFeatures { lead_time_days: 30, ..Default::default() });
        assert!(soon.probability < fallback.base_rate() && far.probability > 0.4, "{soon:?} {far:?}");
        assert_eq!(far.reasons[0].code, "long_lead_time");
    }

    #[test]
    fn a_patients_own_misses_raise_it_and_a_confirmation_lowers_it() {
        let fallback = Fallback::default();
        let missed = AppointmentFeatures {
            history: PatientHistory { prior_no_shows: 3, ..Default::default() },
            reminder: ReminderState::Sent,
            ..Default::default()
        };
        let risk = fallback.score(&missed);
        assert!(risk.probability > 0.5, "{risk:?}");
        let codes: Vec<&str> = risk.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["prior_no_shows", "not_confirmed"]);
        let reliable = AppointmentFeatures {
            history: PatientHistory { prior_shows: 6, ..Default::default() },
            reminder: ReminderState::Confirmed,
            ..Default::default()
        };
        assert!(fallback.score(&reliable).probability < 0.06);
    }
}
