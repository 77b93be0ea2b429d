//! A person of the clinic who signs into the app.

use super::role::Role;
use crate::contact::Email;
use crate::tenant::Locale;
use crate::{TenantId, UserId};
use jiff::Timestamp;

#[derive(Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    /// Sign-in name; unique across all clinics, compared lower-cased.
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// The app's language for this person; `None` follows the clinic.
    pub locale: Option<Locale>,
    /// The argon2id PHC string; `None` until the invitation is accepted.
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
    /// The second factor (owners and admins only). See [`SecondFactor`].
    pub totp: SecondFactor,
}

/// A user's TOTP second factor: the secret (base32) is kept from enrolment on, but asked
/// for at sign-in only once a code confirmed the person's app has it (`enabled_at`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecondFactor {
    pub secret: Option<String>,
    pub enabled_at: Option<Timestamp>,
    /// The last time step whose code was accepted: no code is accepted twice.
    pub last_step: Option<i64>,
}

// The secret is a credential: never in a log line.
impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactor")
            .field("enrolled", &self.secret.is_some())
            .field("enabled_at", &self.enabled_at)
            .field("last_step", &self.last_step)
            .finish()
    }
}

impl SecondFactor {
    pub fn is_enabled(&self) -> bool {
        self.enabled_at.is_some() && self.secret.is_some()
    }
}

// The e-mail and name are personal data: ids and the role are enough in logs.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("role", &self.role)
            .field("disabled", &self.disabled_at.is_some())
            .finish_non_exhaustive()
    }
}

impl User {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    /// The first word of the name, for greetings.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

/// What it takes to add a user.
pub struct NewUser {
    pub tenant_id: TenantId,
    pub email: Email,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("the name must not be empty")]
    EmptyName,
    #[error("the password must have at least {0} characters")]
    PasswordTooShort(usize),
    #[error("the password is too long")]
    PasswordTooLong,
}

impl NewUser {
    pub fn into_user(self, now: Timestamp) -> Result<User, UserError> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(UserError::EmptyName);
        }
        Ok(User {
            id: UserId::new(),
            tenant_id: self.tenant_id,
            email: self.email,
            name,
            role: self.role,
            locale: None,
            password_hash: None,
            created_at: now,
            disabled_at: None,
            totp: SecondFactor::default(),
        })
    }
}

/// Shortest password accepted (NIST SP 800-63B's minimum for chosen passwords).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted: hashing cost stays bounded.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Checks a chosen password's length (no composition rules: length is what counts).
pub fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::PasswordTooShort(MIN_PASSWORD_CHARS));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(UserError::PasswordTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_personal_data() {
        let user = NewUser {
            tenant_id: TenantId::new(),
            email: Email::parse("ana.lima@clinica.com.br").unwrap(),
            name: "Ana Lima".into(),
            role: Role::Staff,
        }
        .into_user(Timestamp::UNIX_EPOCH)
        .unwrap();
        let shown = format!("{user:?}");
        assert!(!shown.contains("ana") && !shown.contains("Lima"), "{shown}");
        assert_eq!(user.first_name(), "Ana");
    }

    #[test]
    fn passwords_need_length_only() {
        assert_eq!(check_password("short"), Err(UserError::PasswordTooShort(8)));
        assert!(check_password("correct horse").is_ok());
        assert!(check_password(&"x".repeat(300)).is_err());
    }
}
