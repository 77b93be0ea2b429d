//! People who sign into the app, and their sessions.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::staff::{SessionRecord, User};
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
    /// Saves name, role, locale, password hash and disabled state.
    async fn save_user(&self, user: &User) -> StoreResult<()>;

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// By the hash of the cookie's token.
    async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()>;
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    /// Signs the user out everywhere; returns how many sessions ended.
    async fn delete_user_sessions(&self, tenant: TenantId, user: UserId) -> StoreResult<u64>;
}
