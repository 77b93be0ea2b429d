//! One event sent to one subscription: its state, its attempts, and when the next one is
//! due. A delivery keeps the exact body it sends, so every attempt and every replay signs
//! and sends the same bytes under the same `webhook-id`.

use crate::TenantId;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::EventType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Filed, not attempted yet (or replayed).
    Pending,
    /// The last attempt failed; another is scheduled at `next_attempt_at`.
    Failed,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed (or the subscription is gone): waits for a manual replay.
    Dead,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 4] = [Self::Pending, Self::Failed, Self::Delivered, Self::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Failed => "failed",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Still being worked on by the delivery job.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Failed)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub subscription_id: Uuid,
    /// The fact it reports; one delivery per (fact, subscription).
    pub fact_id: String,
    pub event_type: EventType,
    /// The exact body sent (JSON text).
    pub body: String,
    pub state: DeliveryState,
    /// Attempts made since it was filed or last replayed.
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl WebhookDelivery {
    pub fn new(
        tenant_id: TenantId,
        subscription_id: Uuid,
        fact_id: String,
        event_type: EventType,
        body: String,
        now: Timestamp,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            tenant_id,
            subscription_id,
            fact_id,
            event_type,
            body,
            state: DeliveryState::Pending,
            attempts: 0,
            last_status: None,
            last_error: None,
            next_attempt_at: Some(now),
            created_at: now,
            updated_at: now,
        }
    }

    /// The `webhook-id` header: the same for every attempt and replay, so a receiver
    /// can drop a message it already processed.
    pub fn webhook_id(&self) -> String {
        format!("msg_{}", self.id.simple())
    }

    /// Records a 2xx answer.
    pub fn delivered(&mut self, status: u16, now: Timestamp) {
        self.attempts += 1;
        self.state = DeliveryState::Delivered;
        self.last_status = Some(status);
        self.last_error = None;
        self.next_attempt_at = None;
        self.updated_at = now;
    }

    /// Records a failed attempt (`status` when the receiver answered at all) and what
    /// follows: another attempt at `retry_at`, or dead.
    pub fn failed(
        &mut self,
        status: Option<u16>,
        error: String,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) {
        self.attempts += 1;
        self.last_status = status;
        self.last_error = Some(error);
        self.next_attempt_at = retry_at;
        self.state = if retry_at.is_some() { DeliveryState::Failed } else { DeliveryState::Dead };
        self.updated_at = now;
    }

    /// Gives up without another attempt (the subscription was deleted or disabled).
    pub fn abandon(&mut self, why: &str, now: Timestamp) {
        self.state = DeliveryState::Dead;
        self.last_error = Some(why.to_owned());
        self.next_attempt_at = None;
        self.updated_at = now;
    }

    /// A manual replay of a finished delivery: a fresh round of attempts, at once.
    /// `None` while it is still being worked on.
    pub fn replay(&mut self, now: Timestamp) -> Option<()> {
        if self.state.is_open() {
            return None;
        }
        self.state = DeliveryState::Pending;
        self.attempts = 0;
        self.next_attempt_at = Some(now);
        self.updated_at = now;
        Some(())
    }
}

/// When to try again: exponential back-off (×5 per attempt from `base`, capped at `max`)
/// with ±`jitter`/2 randomisation so that a receiver coming back up is not hit by every
/// clinic's retries at the same second; at most `max_attempts` attempts, then dead.
/// The defaults try for about a day: 10 s, 50 s, ~4 min, ~21 min, ~1.7 h, ~8.7 h, 10 h.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrySchedule {
    pub base: SignedDuration,
    pub max: SignedDuration,
    pub jitter: f64,
    pub max_attempts: u32,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            base: SignedDuration::from_secs(10),
            max: SignedDuration::from_hours(10),
            jitter: 0.5,
            max_attempts: 8,
        }
    }
}

impl RetrySchedule {
    /// Delay after the `attempts_made`-th failure, `unit` uniform in [0, 1).
    pub fn delay(&self, attempts_made: u32, unit: f64) -> SignedDuration {
        let exp = attempts_made.saturating_sub(1).min(20) as i32;
        let raw = (self.base.as_secs_f64() * 5f64.powi(exp)).min(self.max.as_secs_f64());
        let spread = raw * self.jitter.clamp(0.0, 1.0);
        SignedDuration::from_secs_f64((raw - spread / 2.0 + spread * unit.clamp(0.0, 1.0)).max(0.0))
    }

    /// The next attempt's time after `attempts_made` attempts all failed, or `None`: dead.
    pub fn next_attempt(&self, attempts_made: u32, now: Timestamp, unit: f64) -> Option<Timestamp> {
        (attempts_made < self.max_attempts)
            .then(|| now.saturating_add(self.delay(attempts_made, unit)).unwrap_or(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn delivery() -> WebhookDelivery {
        WebhookDelivery::new(
            TenantId::new(),
            Uuid::now_v7(),
            "f".into(),
            EventType::CallEnded,
            "{}".into(),
            Timestamp::UNIX_EPOCH,
        )
    }

    #[test]
    fn the_schedule_grows_then_stops() {
        let s = RetrySchedule { jitter: 0.0, ..RetrySchedule::default() };
        let secs: Vec<i64> = (1..=7).map(|n| s.delay(n, 0.9).as_secs()).collect();
        assert_eq!(secs, vec![10, 50, 250, 1250, 6250, 31250, 36000]);
        let now = Timestamp::UNIX_EPOCH;
        assert!(s.next_attempt(7, now, 0.5).is_some());
        assert_eq!(s.next_attempt(8, now, 0.5), None, "bounded");
    }

    #[test]
    fn attempts_move_the_state() {
        let now = Timestamp::UNIX_EPOCH;
        let mut d = delivery();
        let id = d.webhook_id();
        assert!(d.replay(now).is_none(), "a pending delivery is not replayed");
        d.failed(Some(500), "answered 500".into(), Some(now), now);
        assert_eq!((d.state, d.attempts), (DeliveryState::Failed, 1));
        d.failed(None, "timed out".into(), None, now);
        assert_eq!((d.state, d.attempts, d.last_status), (DeliveryState::Dead, 2, None));
        assert!(d.replay(now).is_some());
        assert_eq!((d.state, d.attempts), (DeliveryState::Pending, 0));
        d.delivered(204, now);
        assert_eq!((d.state, d.last_error.as_deref()), (DeliveryState::Delivered, None));
        assert_eq!(d.webhook_id(), id, "the same id through retries and replays");
        assert!(id.starts_with("msg_"));
    }

    proptest! {
        #[test]
        fn jitter_stays_within_a_quarter_of_the_delay(n in 1u32..12, unit in 0.0f64..1.0) {
            let s = RetrySchedule::default();
            let plain = RetrySchedule { jitter: 0.0, ..s }.delay(n, 0.0).as_secs_f64();
            let d = s.delay(n, unit).as_secs_f64();
            prop_assert!(d >= plain * 0.75 - 1e-6 && d <= plain * 1.25 + 1e-6);
        }
    }
}
