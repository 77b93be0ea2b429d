//! Roles, from most to least powerful, and what each may do.

use serde::{Deserialize, Serialize};

/// What a signed-in person is allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including other owners and admins.
    Owner,
    /// Settings, templates, providers, and users below owner.
    Admin,
    /// The daily work: inbox, calendar, leads, calls, patients.
    Staff,
    /// Reads everything staff reads, changes nothing.
    Viewer,
}

/// One kind of action the app checks before doing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See conversations, the calendar, leads, calls and patients.
    Read,
    /// Reply, book, move leads, edit patients.
    Work,
    /// Clinic settings, units, practitioners, services, templates, providers, API keys.
    Configure,
    /// Add, change and remove users (never above one's own role).
    ManageUsers,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: owner, admin, staff or viewer")]
pub struct RoleError(pub String);

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Staff, Role::Viewer];

    pub fn parse(raw: &str) -> Result<Self, RoleError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Self::Owner),
            "admin" => Ok(Self::Admin),
            "staff" => Ok(Self::Staff),
            "viewer" => Ok(Self::Viewer),
            _ => Err(RoleError(raw.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Staff => "staff",
            Self::Viewer => "viewer",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Work => self != Self::Viewer,
            Permission::Configure | Permission::ManageUsers => matches!(self, Self::Owner | Self::Admin),
        }
    }

    /// Whether someone with this role may give `other` to a user (or change a user who has
    /// it): owners anything, admins only roles below owner.
    pub fn may_assign(self, other: Role) -> bool {
        self.allows(Permission::ManageUsers) && (self == Self::Owner || other != Self::Owner)
    }

    /// Owners and admins may protect their sign-in with a second factor.
    pub fn may_use_totp(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_by_role() {
        assert!(Role::Viewer.allows(Permission::Read));
        assert!(!Role::Viewer.allows(Permission::Work));
        assert!(Role::Staff.allows(Permission::Work));
        assert!(!Role::Staff.allows(Permission::Configure));
        assert!(Role::Admin.allows(Permission::ManageUsers));
        assert!(Role::Admin.may_assign(Role::Staff));
        assert!(!Role::Admin.may_assign(Role::Owner));
        assert!(Role::Owner.may_assign(Role::Owner));
        assert!(!Role::Staff.may_assign(Role::Viewer));
    }

    #[test]
    fn parse_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse(" Admin "), Ok(Role::Admin));
        assert!(Role::parse("root").is_err());
    }
}
