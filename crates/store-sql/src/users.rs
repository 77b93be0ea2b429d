//! Users of the staff app and their sessions.

use crate::DbTime;
use frontdesk_domain::contact::Email;
use frontdesk_domain::staff::{Role, SessionRecord, User};
use frontdesk_domain::tenant::Locale;
use frontdesk_store::StoreError;
use uuid::Uuid;

pub const USER: &str =
    "SELECT id, tenant_id, email, name, role, locale, password_hash, created_at, disabled_at FROM users ";
pub const SESSION: &str =
    "SELECT id, tenant_id, user_id, token_hash, csrf_token, created_at, last_seen_at FROM sessions ";

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
        }
    }
}

/// `UserStore` for a backend.
#[macro_export]
macro_rules! user_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx};
            use $crate::users::{SESSION, SessionRow, USER, UserRow};
            use $crate::{DbTime, SqlBackend as _, db_err, found};
            use frontdesk_domain::staff::{SessionRecord, User};
            use frontdesk_domain::{SessionId, TenantId, UserId};
            use frontdesk_store::*;
            use jiff::Timestamp;

            #[async_trait::async_trait]
            impl UserStore for $store {
                async fn create_user(&self, u: &User) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO users (id, tenant_id, email, email_lower, name, role, locale, password_hash, created_at, disabled_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(u.id.0)
                    .bind(u.tenant_id.0)
                    .bind(u.email.as_str())
                    .bind(u.email.as_str().to_lowercase())
                    .bind(&u.name)
                    .bind(u.role.as_str())
                    .bind(u.locale.map(|l| l.as_str()))
                    .bind(u.password_hash.as_deref())
                    .bind(DbTime(u.created_at))
                    .bind(u.disabled_at.map(DbTime))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
                    let sql = sqlx::AssertSqlSafe(format!("{USER} WHERE email_lower = $1"));
                    let row: Option<UserRow> = sqlx::query_as(sql)
                        .bind(email.trim().to_lowercase())
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                    row.map(User::try_from).transpose()
                }

                async fn get_user(&self, tenant: TenantId, id: UserId) -> StoreResult<Option<User>> {
                    let sql = sqlx::AssertSqlSafe(format!("{USER} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<UserRow> =
                        sqlx::query_as(sql).bind(tenant.0).bind(id.0).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.map(User::try_from).transpose()
                }

                async fn list_users(&self, tenant: TenantId) -> StoreResult<Vec<User>> {
                    let sql = sqlx::AssertSqlSafe(format!("{USER} WHERE tenant_id = $1 ORDER BY name, id"));
                    let rows: Vec<UserRow> =
                        sqlx::query_as(sql).bind(tenant.0).fetch_all(self.reader()).await.map_err(db_err)?;
                    rows.into_iter().map(User::try_from).collect()
                }

                async fn save_user(&self, u: &User) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE users SET name = $1, role = $2, locale = $3, password_hash = $4, disabled_at = $5
                         WHERE tenant_id = $6 AND id = $7",
                    )
                    .bind(&u.name)
                    .bind(u.role.as_str())
                    .bind(u.locale.map(|l| l.as_str()))
                    .bind(u.password_hash.as_deref())
                    .bind(u.disabled_at.map(DbTime))
                    .bind(u.tenant_id.0)
                    .bind(u.id.0)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    found(done.rows_affected())
                }

                async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO sessions (id, tenant_id, user_id, token_hash, csrf_token, created_at, last_seen_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(s.id.0)
                    .bind(s.tenant_id.0)
                    .bind(s.user_id.0)
                    .bind(&s.token_hash)
                    .bind(&s.csrf_token)
                    .bind(DbTime(s.created_at))
                    .bind(DbTime(s.last_seen_at))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn session_by_token(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
                    let sql = sqlx::AssertSqlSafe(format!("{SESSION} WHERE token_hash = $1"));
                    let row: Option<SessionRow> =
                        sqlx::query_as(sql).bind(token_hash).fetch_optional(self.reader()).await.map_err(db_err)?;
                    Ok(row.map(SessionRecord::from))
                }

                async fn touch_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                        .bind(DbTime(now))
                        .bind(id.0)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.0).execute(self.writer()).await.map_err(db_err)?;
                    Ok(())
                }

                async fn delete_user_sessions(&self, tenant: TenantId, user: UserId) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2")
                        .bind(tenant.0)
                        .bind(user.0)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    Ok(done.rows_affected())
                }
            }
        };
    };
}
