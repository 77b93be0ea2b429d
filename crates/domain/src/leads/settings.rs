//! The leads section of a tenant's settings document: how long duplicates are merged,
//! the scoring rules, the follow-up cadence of a lead nobody has reached yet, the
//! reactivation cadence after a no-show, and whether new leads are called at once.

use super::scoring::LeadScoring;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const MAX_FOLLOW_UP_STEPS: usize = 10;
pub const MAX_DEDUPE_WINDOW_HOURS: u32 = 720;
pub const MAX_REACTIVATION_STEPS: usize = 10;
const MAX_FOLLOW_UP_MINUTES: u32 = 30 * 24 * 60;
const MAX_REACTIVATION_DAYS: u32 = 365;
const MAX_RECENT_MINUTES: u32 = 7 * 24 * 60;
const MAX_HIGH_VALUE_SERVICES: usize = 100;
const MAX_POINTS: i32 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeadSettings {
    /// A new form from a patient whose last lead was created less than this many hours
    /// ago is merged into that lead instead of opening another.
    pub dedupe_window_hours: u32,
    pub scoring: LeadScoring,
    /// Follow-ups of a lead still `new` or `contacted`, counted from its creation. The
    /// default: after 1 hour a call and a message (the speed-to-lead call went
    /// unanswered or was not placed), then a message after 1 day and after 3 days; calling
    /// again and again a patient who did not answer reads as pressure.
    pub follow_up: Vec<FollowUpStep>,
    /// Days after a no-show on which the patient is invited to book again (0: the same day).
    pub reactivation_days: Vec<u32>,
    /// Call a new lead as soon as it arrives (within calling hours).
    pub speed_to_lead: bool,
}

impl Default for LeadSettings {
    fn default() -> Self {
        Self {
            dedupe_window_hours: 72,
            scoring: LeadScoring::default(),
            follow_up: vec![
                FollowUpStep { after_minutes: 60, call: true, message: true },
                FollowUpStep { after_minutes: 24 * 60, call: false, message: true },
                FollowUpStep { after_minutes: 3 * 24 * 60, call: false, message: true },
            ],
            reactivation_days: vec![0, 2, 7],
            speed_to_lead: true,
        }
    }
}

/// One follow-up of a lead: what to do this long after it was created. A step written
/// without `call` or `message` sends a message and does not call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpStep {
    pub after_minutes: u32,
    #[serde(default)]
    pub call: bool,
    #[serde(default = "yes")]
    pub message: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LeadSettingsError {
    #[error("leads.dedupe_window_hours must be at most {MAX_DEDUPE_WINDOW_HOURS}")]
    DedupeWindowTooLong,
    #[error("leads.follow_up has at most {MAX_FOLLOW_UP_STEPS} steps")]
    TooManyFollowUps,
    #[error("leads.follow_up steps must come in increasing after_minutes, from 1 to {MAX_FOLLOW_UP_MINUTES}")]
    FollowUpOrder,
    #[error("leads.follow_up step {0} neither calls nor sends a message")]
    EmptyFollowUp(usize),
    #[error(
        "leads.reactivation_days has at most {MAX_REACTIVATION_STEPS} days, increasing, each at most {MAX_REACTIVATION_DAYS}"
    )]
    ReactivationDays,
    #[error("leads.scoring points must be between -{MAX_POINTS} and {MAX_POINTS}")]
    PointsOutOfRange,
    #[error("leads.scoring.warm_threshold must not exceed hot_threshold")]
    Thresholds,
    #[error("leads.scoring.recent_minutes must be at most {MAX_RECENT_MINUTES}")]
    RecentTooLong,
    #[error(
        "leads.scoring.high_value_services has at most {MAX_HIGH_VALUE_SERVICES} names, none of them blank"
    )]
    HighValueServices,
    #[error("leads.scoring.high_value_price_cents must not be negative")]
    NegativePrice,
}

impl LeadSettings {
    pub fn validate(&self) -> Result<(), LeadSettingsError> {
        use LeadSettingsError as E;
        if self.dedupe_window_hours > MAX_DEDUPE_WINDOW_HOURS {
            return Err(E::DedupeWindowTooLong);
        }
        if self.follow_up.len() > MAX_FOLLOW_UP_STEPS {
            return Err(E::TooManyFollowUps);
        }
        let mut previous = 0;
        for (i, step) in self.follow_up.iter().enumerate() {
            if step.after_minutes <= previous || step.after_minutes > MAX_FOLLOW_UP_MINUTES {
                return Err(E::FollowUpOrder);
            }
            if !step.call && !step.message {
                return Err(E::EmptyFollowUp(i + 1));
            }
            previous = step.after_minutes;
        }
        let days = &self.reactivation_days;
        if days.len() > MAX_REACTIVATION_STEPS
            || days.windows(2).any(|w| w[0] >= w[1])
            || days.iter().any(|d| *d > MAX_REACTIVATION_DAYS)
        {
            return Err(E::ReactivationDays);
        }
        let s = &self.scoring;
        let points = s.source_points.all().into_iter().chain([
            s.high_value_points,
            s.recent_points,
            s.booking_intent_points,
            s.urgency_points,
        ]);
        if points.into_iter().any(|p| !(-MAX_POINTS..=MAX_POINTS).contains(&p)) {
            return Err(E::PointsOutOfRange);
        }
        if s.warm_threshold > s.hot_threshold {
            return Err(E::Thresholds);
        }
        if s.recent_minutes > MAX_RECENT_MINUTES {
            return Err(E::RecentTooLong);
        }
        if s.high_value_services.len() > MAX_HIGH_VALUE_SERVICES
            || s.high_value_services.iter().any(|n| n.trim().is_empty())
        {
            return Err(E::HighValueServices);
        }
        if s.high_value_price_cents.is_some_and(|p| p < 0) {
            return Err(E::NegativePrice);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadSettingsError as E;

    fn step(after_minutes: u32) -> FollowUpStep {
        FollowUpStep { after_minutes, call: false, message: true }
    }

    #[test]
    fn defaults_are_valid_and_documented() {
        let s = LeadSettings::default();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.dedupe_window_hours, 72);
        assert_eq!(s.follow_up.iter().map(|f| f.after_minutes).collect::<Vec<_>>(), vec![60, 1440, 4320]);
        assert!(s.follow_up[0].call && s.follow_up.iter().all(|f| f.message));
        assert!(!s.follow_up[1].call && !s.follow_up[2].call);
        assert_eq!(s.reactivation_days, vec![0, 2, 7]);
        assert!(s.speed_to_lead);
        let empty: LeadSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, s);
    }

    #[test]
    fn steps_parse_with_defaults_and_reject_unknown_fields() {
        let s: LeadSettings = serde_json::from_str(
            r#"{"follow_up": [{"after_minutes": 5, "call": true}, {"after_minutes": 90}]}"#,
        )
        .unwrap();
        assert_eq!(
            s.follow_up,
            vec![
                FollowUpStep { after_minutes: 5, call: true, message: true },
                FollowUpStep { after_minutes: 90, call: false, message: true }
            ]
        );
        assert!(serde_json::from_str::<LeadSettings>(r#"{"follow_up": [{"call": true}]}"#).is_err());
        assert!(
            serde_json::from_str::<LeadSettings>(r#"{"follow_up": [{"after_minutes": 1, "sms": true}]}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<LeadSettings>(r#"{"dedupe_hours": 1}"#).is_err());
    }

    #[test]
    fn window_and_follow_up_limits() {
        let ok = |s: &LeadSettings| s.validate();
        let mut s = LeadSettings { dedupe_window_hours: 720, ..Default::default() };
        assert_eq!(ok(&s), Ok(()));
        s.dedupe_window_hours = 721;
        assert_eq!(ok(&s), Err(E::DedupeWindowTooLong));

        let mut s = LeadSettings { follow_up: (1..=10).map(step).collect(), ..Default::default() };
        assert_eq!(ok(&s), Ok(()));
        s.follow_up.push(step(11));
        assert_eq!(ok(&s), Err(E::TooManyFollowUps));
        s.follow_up = vec![step(60), step(60)];
        assert_eq!(ok(&s), Err(E::FollowUpOrder));
        s.follow_up = vec![step(0)];
        assert_eq!(ok(&s), Err(E::FollowUpOrder));
        s.follow_up = vec![step(30 * 24 * 60 + 1)];
        assert_eq!(ok(&s), Err(E::FollowUpOrder));
        s.follow_up = vec![step(10), FollowUpStep { after_minutes: 20, call: false, message: false }];
        assert_eq!(ok(&s), Err(E::EmptyFollowUp(2)));
        s.follow_up = Vec::new();
        assert_eq!(ok(&s), Ok(()), "no follow-ups is a choice");
    }

    #[test]
    fn reactivation_days_limits() {
        let with = |days: Vec<u32>| LeadSettings { reactivation_days: days, ..Default::default() }.validate();
        assert_eq!(with(vec![]), Ok(()));
        assert_eq!(with(vec![0, 365]), Ok(()));
        assert_eq!(with(vec![2, 2]), Err(E::ReactivationDays));
        assert_eq!(with(vec![7, 2]), Err(E::ReactivationDays));
        assert_eq!(with(vec![366]), Err(E::ReactivationDays));
        assert_eq!(with((0..11).collect()), Err(E::ReactivationDays));
    }

    #[test]
    fn scoring_limits() {
        let with = |f: &dyn Fn(&mut LeadScoring)| {
            let mut s = LeadSettings::default();
            f(&mut s.scoring);
            s.validate()
        };
        assert_eq!(with(&|s| s.source_points.import = -100), Ok(()));
        assert_eq!(with(&|s| s.source_points.crm = 101), Err(E::PointsOutOfRange));
        assert_eq!(with(&|s| s.urgency_points = -101), Err(E::PointsOutOfRange));
        assert_eq!(with(&|s| s.warm_threshold = 61), Err(E::Thresholds));
        assert_eq!(with(&|s| s.warm_threshold = 60), Ok(()));
        assert_eq!(with(&|s| s.recent_minutes = 7 * 24 * 60 + 1), Err(E::RecentTooLong));
        assert_eq!(with(&|s| s.high_value_services = vec![" ".into()]), Err(E::HighValueServices));
        assert_eq!(with(&|s| s.high_value_price_cents = Some(-1)), Err(E::NegativePrice));
        assert_eq!(with(&|s| s.high_value_price_cents = Some(0)), Ok(()));
    }
}

/// How the clinic first reaches a new lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstReach {
    /// The patient is already in conversation (they wrote or called): the dialogue answers.
    InConversation,
    /// A hot lead: call and message at once.
    SpeedToLead,
    /// The first step of the follow-up cadence, after this many minutes.
    FollowUp { after_minutes: u32 },
    /// The clinic set no automatic follow-up.
    Nothing,
}

impl LeadSettings {
    pub fn first_reach(&self, temperature: super::Temperature, in_conversation: bool) -> FirstReach {
        if in_conversation {
            FirstReach::InConversation
        } else if temperature == super::Temperature::Hot && self.speed_to_lead {
            FirstReach::SpeedToLead
        } else if let Some(step) = self.follow_up.first() {
            FirstReach::FollowUp { after_minutes: step.after_minutes }
        } else {
            FirstReach::Nothing
        }
    }
}

#[cfg(test)]
mod first_reach_tests {
    use super::*;
    use crate::leads::Temperature;

    #[test]
    fn hot_leads_are_reached_at_once_others_by_the_cadence() {
        let s = LeadSettings::default();
        assert_eq!(s.first_reach(Temperature::Hot, true), FirstReach::InConversation);
        assert_eq!(s.first_reach(Temperature::Hot, false), FirstReach::SpeedToLead);
        let first = s.follow_up.first().map(|f| f.after_minutes);
        match s.first_reach(Temperature::Warm, false) {
            FirstReach::FollowUp { after_minutes } => assert_eq!(Some(after_minutes), first),
            other => assert_eq!(first, None, "{other:?}"),
        }
        let quiet = LeadSettings { follow_up: Vec::new(), speed_to_lead: false, ..LeadSettings::default() };
        assert_eq!(quiet.first_reach(Temperature::Hot, false), FirstReach::Nothing);
    }
}
