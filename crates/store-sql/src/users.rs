//! Users of the staff app and their sessions.

use crate::DbTime;
use frontdesk_domain::contact::Email;
use frontdesk_domain::staff::{Invite, Role, SecondFactor, SessionRecord, User};
use frontdesk_domain::tenant::Locale;
use frontdesk_store::StoreError;
use uuid::Uuid;

pub const USER: &str = "SELECT id, tenant_id, email, name, role, locale, password_hash, created_at, disabled_at, totp_secret, totp_enabled_at, totp_last_step FROM users ";
pub const SESSION: &str = "SELECT id, tenant_id, user_id, token_hash, csrf_token, created_at, last_seen_at, awaiting_code FROM sessions ";
pub const INVITE: &str =
    "SELECT tenant_id, user_id, token_hash, created_at, expires_at, used_at FROM invites ";

#[derive(sqlx::FromRow)]
pub struct UserRow {
    id: Uuid,
    tenant_id: Uuid,
    email: String,
    name: String,
    role: String,
    locale: Option<String>,
    password_hash: Option<String>,
    created_at: DbTime,
    disabled_at: Option<DbTime>,
    totp_secret: Option<String>,
    totp_enabled_at: Option<DbTime>,
    totp_last_step: Option<i64>,
}

impl UserRow {
    /// The user, its TOTP seed opened with `ring` (a seed stored before encryption is
    /// read as it is).
    pub fn into_user(mut self, ring: &frontdesk_store::at_rest::KeyRing) -> Result<User, StoreError> {
        if let Some(stored) = self.totp_secret.take() {
            let context = frontdesk_store::at_rest::totp_context(self.id);
            self.totp_secret = Some(ring.open(&stored, &context).map_err(StoreError::backend)?);
        }
        User::try_from(self)
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            email: Email::parse(&r.email).map_err(|_| StoreError::corrupt("user email"))?,
            name: r.name,
            role: Role::parse(&r.role).map_err(|e| StoreError::corrupt(e.to_string()))?,
            locale: r
                .locale
                .as_deref()
                .map(Locale::parse)
                .transpose()
                .map_err(|e| StoreError::corrupt(e.to_string()))?,
            password_hash: r.password_hash,
            created_at: r.created_at.0,
            disabled_at: r.disabled_at.map(|t| t.0),
            totp: SecondFactor {
                secret: r.totp_secret,
                enabled_at: r.totp_enabled_at.map(|t| t.0),
                last_step: r.totp_last_step,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    id: Uuid,
    tenant_id: Uuid,
    user_id: Uuid,
    token_hash: String,
    csrf_token: String,
    created_at: DbTime,
    last_seen_at: DbTime,
    awaiting_code: bool,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            user_id: r.user_id.into(),
            token_hash: r.token_hash,
            csrf_token: r.csrf_token,
            created_at: r.created_at.0,
            last_seen_at: r.last_seen_at.0,
            awaiting_code: r.awaiting_code,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct InviteRow {
    tenant_id: Uuid,
    user_id: Uuid,
    token_hash: String,
    created_at: DbTime,
    expires_at: DbTime,
    used_at: Option<DbTime>,
}

impl From<InviteRow> for Invite {
    fn from(r: InviteRow) -> Self {
        Invite {
            tenant_id: r.tenant_id.into(),
            user_id: r.user_id.into(),
            token_hash: r.token_hash,
            created_at: r.created_at.0,
            expires_at: r.expires_at.0,
            used_at: r.used_at.map(|t| t.0),
        }
    }
}

/// `UserStore` for a backend.
#[macro_export]
macro_rules! user_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx};
            use $crate::users::{INVITE, InviteRow, SESSION, SessionRow, USER, UserRow};
            use $crate::{DbTime, SqlBackend as _, exec, fetch, found};
            use frontdesk_domain::staff::{Invite, SessionRecord, User};
            use frontdesk_domain::{SessionId, TenantId, UserId};
            use frontdesk_store::*;
            use jiff::Timestamp;

            #[async_trait::async_trait]
            impl UserStore for $store {
                async fn create_user(&self, u: &User) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO users (id, tenant_id, email, email_lower, name, role, locale, password_hash, created_at, disabled_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        u.id.0,
                        u.tenant_id.0,
                        u.email.as_str(),
                        u.email.as_str().to_lowercase(),
                        &u.name,
                        u.role.as_str(),
                        u.locale.map(|l| l.as_str()),
                        u.password_hash.as_deref(),
                        DbTime(u.created_at),
                        u.disabled_at.map(DbTime),
                    )
                    .map(drop)
                }

                async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
                    let sql = sqlx::AssertSqlSafe(format!("{USER} WHERE email_lower = $1"));
                    let row: Option<UserRow> = fetch!(fetch_optional(self.reader()), sql, email.trim().to_lowercase())?;
                    row.map(|r| r.into_user(self.key_ring())).transpose()
                }

                async fn get_user(&self, tenant: TenantId, id: UserId) -> StoreResult<Option<User>> {
                    let sql = sqlx::AssertSqlSafe(format!("{USER} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<UserRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id.0)?;
                    row.map(|r| r.into_user(self.key_ring())).transpose()
                }

                async fn list_users(&self, tenant: TenantId) -> StoreResult<Vec<User>> {
                    let sql = sqlx::AssertSqlSafe(format!("{USER} WHERE tenant_id = $1 ORDER BY name, id"));
                    let rows: Vec<UserRow> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    rows.into_iter().map(|r| r.into_user(self.key_ring())).collect()
                }

                async fn save_user(&self, u: &User) -> StoreResult<()> {
                    found(exec!(
                        self.writer(),
                        "UPDATE users SET name = $1, role = $2, locale = $3, password_hash = $4, disabled_at = $5,
                         totp_secret = $8, totp_enabled_at = $9
                         WHERE tenant_id = $6 AND id = $7",
                        &u.name,
                        u.role.as_str(),
                        u.locale.map(|l| l.as_str()),
                        u.password_hash.as_deref(),
                        u.disabled_at.map(DbTime),
                        u.tenant_id.0,
                        u.id.0,
                        u.totp.secret.as_deref().map(|seed| {
                            self.key_ring().seal(seed, &frontdesk_store::at_rest::totp_context(u.id.0))
                        }),
                        u.totp.enabled_at.map(DbTime),
                    )?)
                }

                async fn use_totp_step(&self, tenant: TenantId, user: UserId, step: i64) -> StoreResult<bool> {
                    let done = exec!(
                        self.writer(),
                        "UPDATE users SET totp_last_step = $1
                         WHERE tenant_id = $2 AND id = $3 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                        step,
                        tenant.0,
                        user.0,
                    )?;
                    Ok(done == 1)
                }

                async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO sessions (id, tenant_id, user_id, token_hash, csrf_token, created_at, last_seen_at, awaiting_code)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        s.id.0,
                        s.tenant_id.0,
                        s.user_id.0,
                        &s.token_hash,
                        &s.csrf_token,
                        DbTime(s.created_at),
                        DbTime(s.last_seen_at),
                        s.awaiting_code,
                    )
                    .map(drop)
                }

                async fn confirm_session(&self, id: SessionId) -> StoreResult<()> {
                    found(exec!(self.writer(), "UPDATE sessions SET awaiting_code = $1 WHERE id = $2", false, id.0)?)
                }

                async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
                    let sql = sqlx::AssertSqlSafe(format!("{SESSION} WHERE token_hash = $1"));
                    let row: Option<SessionRow> = fetch!(fetch_optional(self.reader()), sql, token_hash)?;
                    Ok(row.map(SessionRecord::from))
                }

                async fn touch_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()> {
                    let sql = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2";
                    exec!(self.writer(), sql, DbTime(now), id.0).map(drop)
                }

                async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
                    exec!(self.writer(), "DELETE FROM sessions WHERE id = $1", id.0).map(drop)
                }

                async fn delete_user_sessions(&self, tenant: TenantId, user: UserId) -> StoreResult<u64> {
                    exec!(self.writer(), "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2", tenant.0, user.0)
                }

                async fn create_invite(&self, i: &Invite) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO invites (token_hash, tenant_id, user_id, created_at, expires_at, used_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &i.token_hash,
                        i.tenant_id.0,
                        i.user_id.0,
                        DbTime(i.created_at),
                        DbTime(i.expires_at),
                        i.used_at.map(DbTime),
                    )
                    .map(drop)
                }

                async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<Invite>> {
                    let sql = sqlx::AssertSqlSafe(format!("{INVITE} WHERE token_hash = $1"));
                    let row: Option<InviteRow> = fetch!(fetch_optional(self.reader()), sql, token_hash)?;
                    Ok(row.map(Invite::from))
                }

                async fn use_invite(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
                    let done = exec!(
                        self.writer(),
                        "UPDATE invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
                        DbTime(now),
                        token_hash,
                    )?;
                    Ok(done == 1)
                }
            }
        };
    };
}
