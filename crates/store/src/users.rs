//! People who sign into the app, and their sessions.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::staff::{Invite, SessionRecord, User};
use frontdesk_domain::{SessionId, TenantId, UserId};
use jiff::Timestamp;

#[async_trait]
pub trait UserStore: Send + Sync {
    /// `Conflict::Duplicate { what: User }` when the e-mail is taken (in any clinic).
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    /// By sign-in e-mail, compared case-insensitively, across clinics.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn get_user(&self, tenant: TenantId, id: UserId) -> StoreResult<Option<User>>;
    async fn list_users(&self, tenant: TenantId) -> StoreResult<Vec<User>>;
    /// Saves name, role, locale, password hash, disabled state and the second factor's
    /// secret and enabled time (not its last used step: see `use_totp_step`).
    async fn save_user(&self, user: &User) -> StoreResult<()>;
    /// Records that a TOTP code of `step` was accepted; `false` when that step (or a later
    /// one) was already used, so two requests with one code cannot both pass.
    async fn use_totp_step(&self, tenant: TenantId, user: UserId, step: i64) -> StoreResult<bool>;

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// By the hash of the cookie's token.
    async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// The second-factor code was given: the session now opens pages.
    async fn confirm_session(&self, id: SessionId) -> StoreResult<()>;
    async fn touch_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()>;
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    /// Signs the user out everywhere; returns how many sessions ended.
    async fn delete_user_sessions(&self, tenant: TenantId, user: UserId) -> StoreResult<u64>;

    async fn create_invite(&self, invite: &Invite) -> StoreResult<()>;
    /// By the hash of the link's token, used or not.
    async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<Invite>>;
    /// Marks the invite used; `false` when it already was (a second click does nothing).
    async fn use_invite(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool>;
}
