//! How long a sign-in lasts: it ends after a stretch without use (idle) and, however busy,
//! after a fixed time (absolute), so a shared reception computer does not stay signed in.

use crate::{SessionId, TenantId, UserId};
use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: SignedDuration,
    pub absolute: SignedDuration,
    /// Last-use times are written at most this often (not on every page view).
    pub touch_every: SignedDuration,
    /// How long a half-signed-in session waits for its second-factor code.
    pub second_factor: SignedDuration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: SignedDuration::from_hours(8),
            absolute: SignedDuration::from_hours(24 * 7),
            touch_every: SignedDuration::from_mins(5),
            second_factor: SignedDuration::from_mins(5),
        }
    }
}

/// A stored session. The browser holds a random token; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    /// Forms carry this; a POST without it is refused.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// Password given, second-factor code not yet: such a session opens no page, and
    /// lapses after [`SessionPolicy::second_factor`].
    pub awaiting_code: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Valid { touch: bool },
    IdleExpired,
    AbsoluteExpired,
}

impl SessionPolicy {
    pub fn check(&self, s: &SessionRecord, now: Timestamp) -> SessionState {
        if s.awaiting_code && now.duration_since(s.created_at) >= self.second_factor {
            return SessionState::AbsoluteExpired;
        }
        if now.duration_since(s.created_at) >= self.absolute {
            return SessionState::AbsoluteExpired;
        }
        let idle_for = now.duration_since(s.last_seen_at);
        if idle_for >= self.idle {
            return SessionState::IdleExpired;
        }
        SessionState::Valid { touch: idle_for >= self.touch_every }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_hours(h)
    }

    fn session(created: i64, seen: i64) -> SessionRecord {
        SessionRecord {
            id: SessionId::new(),
            tenant_id: TenantId::new(),
            user_id: UserId::new(),
            token_hash: String::new(),
            csrf_token: String::new(),
            created_at: at(created),
            last_seen_at: at(seen),
            awaiting_code: false,
        }
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let p = SessionPolicy::default();
        assert_eq!(p.check(&session(0, 0), at(0)), SessionState::Valid { touch: false });
        assert_eq!(p.check(&session(0, 0), at(1)), SessionState::Valid { touch: true });
        assert_eq!(p.check(&session(0, 0), at(8)), SessionState::IdleExpired);
        // Busy all week, still signed out at the end of it.
        assert_eq!(p.check(&session(0, 24 * 7 - 1), at(24 * 7)), SessionState::AbsoluteExpired);
        // Waiting for a second-factor code: minutes, not hours.
        let half = SessionRecord { awaiting_code: true, ..session(0, 0) };
        assert_eq!(
            p.check(&half, Timestamp::UNIX_EPOCH + SignedDuration::from_mins(6)),
            SessionState::AbsoluteExpired
        );
    }
}
