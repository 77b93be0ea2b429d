//! Staff accounts: adding people, their passwords (argon2id), signing in and out.
//!
//! A session is a random token in an `HttpOnly` cookie; the store keeps only its SHA-256,
//! so a copy of the database cannot be replayed as a sign-in. Each session also carries a
//! CSRF token that every form of the app posts back.

use crate::Ctx;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use frontdesk_domain::staff::totp::{self, TotpError};
use frontdesk_domain::staff::{
    Invite, NewUser, SessionPolicy, SessionRecord, SessionState, User, UserError, check_password,
};
use frontdesk_domain::{SessionId, TenantId, UserId};
use frontdesk_store::{StoreError, StoreResult};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] UserError),
    #[error("someone already signs in with that e-mail")]
    EmailTaken,
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => Self::EmailTaken,
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown e-mail, wrong password, no password yet or a disabled account: one answer
    /// for all, so the form does not reveal who has an account.
    #[error("wrong e-mail or password")]
    WrongCredentials,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new sign-in: the cookie's token is only here, never stored.
pub struct SignedIn {
    pub user: User,
    pub session: SessionRecord,
    pub token: String,
}

/// Adds a user, with a password when one is given (otherwise they cannot sign in until one
/// is set).
pub async fn add_user(ctx: &Ctx, new: NewUser, password: Option<&str>) -> Result<User, AccountError> {
    let mut user = new.into_user(ctx.clock.now())?;
    if let Some(password) = password {
        check_password(password)?;
        user.password_hash = Some(hash_password(password));
    }
    ctx.store.create_user(&user).await?;
    Ok(user)
}

/// Sets a new password and ends every session of the user.
pub async fn set_password(
    ctx: &Ctx,
    tenant: TenantId,
    id: UserId,
    password: &str,
) -> Result<User, AccountError> {
    check_password(password)?;
    let mut user = ctx.store.get_user(tenant, id).await?.ok_or(AccountError::NotFound)?;
    user.password_hash = Some(hash_password(password));
    ctx.store.save_user(&user).await?;
    ctx.store.delete_user_sessions(tenant, id).await?;
    Ok(user)
}

pub async fn sign_in(ctx: &Ctx, email: &str, password: &str) -> Result<SignedIn, SignInError> {
    let user = ctx.store.user_by_email(email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    // An unknown e-mail costs the same hashing as a known one: timing tells nothing.
    let matches = verify_password(stored.unwrap_or(&DUMMY_HASH), password) && stored.is_some();
    let Some(user) = user.filter(|u| matches && u.is_active()) else {
        return Err(SignInError::WrongCredentials);
    };
    start_session(ctx, user).await
}

/// A new session; it waits for a second-factor code when the user has one switched on.
async fn start_session(ctx: &Ctx, user: User) -> Result<SignedIn, SignInError> {
    let now = ctx.clock.now();
    let token = random_token();
    let session = SessionRecord {
        id: SessionId::new(),
        tenant_id: user.tenant_id,
        user_id: user.id,
        token_hash: token_hash(&token),
        csrf_token: random_token(),
        created_at: now,
        last_seen_at: now,
        awaiting_code: user.totp.is_enabled(),
    };
    ctx.store.create_session(&session).await?;
    Ok(SignedIn { user, session, token })
}

/// The signed-in user behind a cookie's token, if the session is still valid (expired
/// sessions are deleted on sight). A session still waiting for its second-factor code is
/// not signed in: it opens no page.
pub async fn resume(
    ctx: &Ctx,
    token: &str,
    policy: &SessionPolicy,
) -> StoreResult<Option<(User, SessionRecord)>> {
    Ok(load_session(ctx, token, policy).await?.filter(|(_, s)| !s.awaiting_code))
}

/// The half-signed-in session behind a cookie's token: password given, code not yet.
pub async fn awaiting_code(
    ctx: &Ctx,
    token: &str,
    policy: &SessionPolicy,
) -> StoreResult<Option<(User, SessionRecord)>> {
    Ok(load_session(ctx, token, policy).await?.filter(|(_, s)| s.awaiting_code))
}

async fn load_session(
    ctx: &Ctx,
    token: &str,
    policy: &SessionPolicy,
) -> StoreResult<Option<(User, SessionRecord)>> {
    let Some(session) = ctx.store.session_by_token(&token_hash(token)).await? else { return Ok(None) };
    let now = ctx.clock.now();
    match policy.check(&session, now) {
        SessionState::IdleExpired | SessionState::AbsoluteExpired => {
            ctx.store.delete_session(session.id).await?;
            return Ok(None);
        }
        SessionState::Valid { touch: true } => ctx.store.touch_session(session.id, now).await?,
        SessionState::Valid { touch: false } => {}
    }
    let user = ctx.store.get_user(session.tenant_id, session.user_id).await?;
    Ok(user.filter(User::is_active).map(|u| (u, session)))
}

/// Whether a session resumed earlier still holds (not signed out, not expired, the person
/// still active), without touching it: a long-lived connection (the live updates) checks
/// this now and then, and must not keep an idle session alive by itself.
pub async fn still_signed_in(ctx: &Ctx, token_hash: &str, policy: &SessionPolicy) -> StoreResult<bool> {
    let Some(session) = ctx.store.session_by_token(token_hash).await? else { return Ok(false) };
    if !matches!(policy.check(&session, ctx.clock.now()), SessionState::Valid { .. }) {
        return Ok(false);
    }
    let user = ctx.store.get_user(session.tenant_id, session.user_id).await?;
    Ok(user.is_some_and(|u| u.is_active()))
}

pub async fn sign_out(ctx: &Ctx, session: SessionId) -> StoreResult<()> {
    ctx.store.delete_session(session).await
}

pub async fn sign_out_everywhere(ctx: &Ctx, tenant: TenantId, user: UserId) -> StoreResult<u64> {
    ctx.store.delete_user_sessions(tenant, user).await
}

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error(transparent)]
    Code(#[from] TotpError),
    /// No secret, or (for sign-in and switching off) the factor is not on.
    #[error("no second factor to check")]
    NotEnrolled,
    #[error("only owners and admins use a second factor")]
    NotAllowed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a code against the user's secret and spends its time step, atomically in the
/// store, so the same code cannot pass twice even in two requests at once.
async fn spend_code(ctx: &Ctx, user: &User, code: &str) -> Result<(), CodeError> {
    let secret = user.totp.secret.as_deref().and_then(totp::base32_decode).ok_or(CodeError::NotEnrolled)?;
    let step = totp::verify(&secret, code, ctx.clock.now(), user.totp.last_step)?;
    if !ctx.store.use_totp_step(user.tenant_id, user.id, step).await? {
        return Err(TotpError::Replayed.into());
    }
    Ok(())
}

/// The second step of signing in: the code turns the half-signed-in session into a full one.
pub async fn confirm_sign_in(
    ctx: &Ctx,
    user: &User,
    session: &SessionRecord,
    code: &str,
) -> Result<(), CodeError> {
    if !user.totp.is_enabled() {
        return Err(CodeError::NotEnrolled);
    }
    spend_code(ctx, user, code).await?;
    ctx.store.confirm_session(session.id).await?;
    Ok(())
}

/// Starts enrolment: a fresh secret, kept (not yet asked for) until a code confirms it.
/// Asking again before confirming keeps the same secret, so a reload does not invalidate
/// what the person just scanned.
pub async fn start_totp(ctx: &Ctx, user: &User) -> Result<User, CodeError> {
    if !user.role.may_use_totp() {
        return Err(CodeError::NotAllowed);
    }
    let mut user = user.clone();
    if user.totp.secret.is_none() {
        user.totp.secret = Some(totp::base32_encode(&rand::random::<[u8; totp::SECRET_BYTES]>()));
        user.totp.enabled_at = None;
        ctx.store.save_user(&user).await?;
    }
    Ok(user)
}

/// Switches the second factor on once a code from the person's app matches the secret.
pub async fn enable_totp(ctx: &Ctx, user: &User, code: &str) -> Result<User, CodeError> {
    if !user.role.may_use_totp() {
        return Err(CodeError::NotAllowed);
    }
    spend_code(ctx, user, code).await?;
    let mut user = user.clone();
    user.totp.enabled_at = Some(ctx.clock.now());
    ctx.store.save_user(&user).await?;
    Ok(user)
}

/// Switches it off; needs a current code, so a session left open cannot weaken the account.
pub async fn disable_totp(ctx: &Ctx, user: &User, code: &str) -> Result<User, CodeError> {
    if !user.totp.is_enabled() {
        return Err(CodeError::NotEnrolled);
    }
    spend_code(ctx, user, code).await?;
    let mut user = user.clone();
    user.totp.secret = None;
    user.totp.enabled_at = None;
    ctx.store.save_user(&user).await?;
    Ok(user)
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// Unknown, lapsed or already used: one answer, the link tells nothing more.
    #[error("this invitation link is no longer valid")]
    Closed,
    #[error(transparent)]
    Invalid(#[from] UserError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A one-time invitation for a user; returns the link's token (only its hash is stored).
pub async fn invite(ctx: &Ctx, user: &User) -> StoreResult<String> {
    let token = random_token();
    let invite = Invite::new(user.tenant_id, user.id, token_hash(&token), ctx.clock.now());
    ctx.store.create_invite(&invite).await?;
    Ok(token)
}

/// The invited person behind a link's token, while the link is still good.
pub async fn open_invite(ctx: &Ctx, token: &str) -> Result<User, InviteError> {
    let invite = ctx.store.invite_by_token(&token_hash(token)).await?.ok_or(InviteError::Closed)?;
    if !invite.is_open(ctx.clock.now()) {
        return Err(InviteError::Closed);
    }
    let user = ctx.store.get_user(invite.tenant_id, invite.user_id).await?;
    user.filter(User::is_active).ok_or(InviteError::Closed)
}

/// Sets the invited person's password, spends the link and signs them in.
pub async fn accept_invite(ctx: &Ctx, token: &str, password: &str) -> Result<SignedIn, InviteError> {
    let mut user = open_invite(ctx, token).await?;
    check_password(password)?;
    // Spent before the password is set: of two submits, one wins.
    if !ctx.store.use_invite(&token_hash(token), ctx.clock.now()).await? {
        return Err(InviteError::Closed);
    }
    user.password_hash = Some(hash_password(password));
    ctx.store.save_user(&user).await?;
    start_session(ctx, user).await.map_err(|e| match e {
        SignInError::Store(e) => InviteError::Store(e),
        SignInError::WrongCredentials => InviteError::Closed,
    })
}

fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes is a valid salt");
    // Argon2id with the crate's defaults (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing a bounded password")
        .to_string()
}

fn verify_password(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash to verify against when the e-mail is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("no-such-user-password"));

/// 256 random bits, hex.
fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_salt_and_verify() {
        let a = hash_password("correct horse battery");
        let b = hash_password("correct horse battery");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password(&a, "correct horse battery"));
        assert!(!verify_password(&a, "correct horse battery!"));
        assert!(!verify_password("not a hash", "x"));
    }
}
