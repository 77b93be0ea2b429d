//! Durable jobs: their states and the retry maths. The runner (engine) and the queue
//! (stores) both follow these rules.

use crate::{JobId, TenantId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker that holds a lease until `lease_until`.
    Running,
    Succeeded,
    /// Exhausted its attempts (or failed permanently); kept with its last error for staff.
    Dead,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] =
        [Self::Queued, Self::Running, Self::Succeeded, Self::Dead, Self::Cancelled];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    /// A live job still holds its dedupe key.
    pub fn is_live(&self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| format!("unknown job status {s:?}"))
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    pub id: JobId,
    pub tenant_id: TenantId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: Timestamp,
    pub max_attempts: u32,
    /// While a live job holds this key (per tenant), enqueueing the same key is a no-op.
    pub dedupe_key: Option<String>,
}

pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

impl NewJob {
    pub fn new(
        tenant_id: TenantId,
        kind: impl Into<String>,
        payload: serde_json::Value,
        run_at: Timestamp,
    ) -> Self {
        Self {
            id: JobId::new(),
            tenant_id,
            kind: kind.into(),
            payload,
            run_at,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            dedupe_key: None,
        }
    }
    pub fn with_dedupe_key(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub tenant_id: TenantId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub status: JobStatus,
    pub run_at: Timestamp,
    /// Attempts started so far, including the one running now.
    pub attempts: u32,
    pub max_attempts: u32,
    pub dedupe_key: Option<String>,
    pub last_error: Option<String>,
    pub lease_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Exponential back-off with jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: SignedDuration,
    pub max: SignedDuration,
    /// Fraction of the delay that is randomised (0.0 = none, 0.5 = ±25%).
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: SignedDuration::from_secs(5), max: SignedDuration::from_hours(1), jitter: 0.5 }
    }
}

impl Backoff {
    /// Delay before the attempt after `attempts_made` failures, given a uniform random
    /// `unit` in [0, 1). Grows as base·2^(n-1), capped at `max`, then jittered so that a
    /// burst of failures does not retry in lockstep.
    pub fn delay(&self, attempts_made: u32, unit: f64) -> SignedDuration {
        let exp = attempts_made.saturating_sub(1).min(30);
        let raw = self.base.as_secs_f64() * f64::from(1u32 << exp.min(31));
        let capped = raw.min(self.max.as_secs_f64());
        let spread = capped * self.jitter.clamp(0.0, 1.0);
        let jittered = capped - spread / 2.0 + spread * unit.clamp(0.0, 1.0);
        SignedDuration::from_secs_f64(jittered.max(0.0))
    }
}

/// What to do after an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AfterFailure {
    RetryAt(Timestamp),
    Dead,
}

/// Decides between another attempt and the dead-letter state.
pub fn after_failure(
    attempts_made: u32,
    max_attempts: u32,
    permanent: bool,
    now: Timestamp,
    backoff: &Backoff,
    unit: f64,
) -> AfterFailure {
    if permanent || attempts_made >= max_attempts {
        AfterFailure::Dead
    } else {
        let delay = backoff.delay(attempts_made, unit);
        AfterFailure::RetryAt(now.saturating_add(delay).unwrap_or(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_doubles_without_jitter() {
        let b =
            Backoff { base: SignedDuration::from_secs(2), max: SignedDuration::from_secs(60), jitter: 0.0 };
        let secs: Vec<i64> = (1..=7).map(|n| b.delay(n, 0.3).as_secs()).collect();
        assert_eq!(secs, vec![2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn dead_after_max_attempts_or_permanent() {
        let now = Timestamp::UNIX_EPOCH;
        let b = Backoff::default();
        assert_eq!(after_failure(3, 3, false, now, &b, 0.5), AfterFailure::Dead);
        assert_eq!(after_failure(1, 3, true, now, &b, 0.5), AfterFailure::Dead);
        assert!(matches!(after_failure(1, 3, false, now, &b, 0.5), AfterFailure::RetryAt(t) if t > now));
    }

    #[test]
    fn status_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(s.as_str().parse::<JobStatus>().unwrap(), s);
        }
        assert!("zombie".parse::<JobStatus>().is_err());
    }

    proptest! {
        #[test]
        fn jitter_stays_within_its_band(n in 1u32..40, unit in 0.0f64..1.0) {
            let b = Backoff::default();
            let d = b.delay(n, unit).as_secs_f64();
            let nominal = (b.base.as_secs_f64() * 2f64.powi((n - 1).min(30) as i32)).min(b.max.as_secs_f64());
            prop_assert!(d >= nominal * 0.75 - 1e-6 && d <= nominal * 1.25 + 1e-6);
        }

        #[test]
        fn backoff_never_shrinks_nominally(n in 1u32..40) {
            let b = Backoff { jitter: 0.0, ..Backoff::default() };
            prop_assert!(b.delay(n + 1, 0.0) >= b.delay(n, 0.0));
        }
    }
}
