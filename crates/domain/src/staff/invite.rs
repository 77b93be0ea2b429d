//! A one-time invitation: a link that lets a new person choose their password. The link
//! carries a random token; only its hash is stored, it lapses, and it works once.

use crate::{TenantId, UserId};
use jiff::{SignedDuration, Timestamp};

/// How long an invitation link works.
pub const INVITE_VALID_FOR: SignedDuration = SignedDuration::from_hours(72);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    /// SHA-256 of the link's token, hex.
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

impl Invite {
    pub fn new(tenant_id: TenantId, user_id: UserId, token_hash: String, now: Timestamp) -> Self {
        Self {
            tenant_id,
            user_id,
            token_hash,
            created_at: now,
            expires_at: now + INVITE_VALID_FOR,
            used_at: None,
        }
    }

    /// Unused and not yet lapsed.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lapses_after_72_hours_and_once_used() {
        let now = Timestamp::UNIX_EPOCH;
        let mut invite = Invite::new(TenantId::new(), UserId::new(), "h".into(), now);
        assert!(invite.is_open(now + SignedDuration::from_hours(71)));
        assert!(!invite.is_open(now + SignedDuration::from_hours(72)));
        invite.used_at = Some(now);
        assert!(!invite.is_open(now));
    }
}
