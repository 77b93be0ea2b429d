//! Tenants, API keys, the audit log, tenant settings, health, sandbox notifications and
//! external ids: the simple aggregates, one statement each.

use crate::DbTime;
use frontdesk_domain::api_key::KeyHash;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::tenant::{Locale, Tenant, TenantSlug, TimeZoneName};
use frontdesk_store::{ApiKeyRecord, StoreError};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    timezone: String,
    locale: String,
    created_at: DbTime,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> Result<Self, StoreError> {
        let bad = |e: frontdesk_domain::tenant::TenantError| StoreError::corrupt(e.to_string());
        Ok(Tenant {
            id: r.id.into(),
            slug: TenantSlug::parse(&r.slug).map_err(bad)?,
            name: r.name,
            timezone: TimeZoneName::parse(&r.timezone).map_err(bad)?,
            locale: Locale::parse(&r.locale).map_err(bad)?,
            created_at: r.created_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct KeyRow {
    id: Uuid,
    tenant_id: Uuid,
    prefix: String,
    name: String,
    key_hash: String,
    created_at: DbTime,
    revoked_at: Option<DbTime>,
}

impl TryFrom<KeyRow> for ApiKeyRecord {
    type Error = StoreError;
    fn try_from(r: KeyRow) -> Result<Self, StoreError> {
        Ok(ApiKeyRecord {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            hash: KeyHash::from_hex(&r.key_hash).ok_or_else(|| StoreError::corrupt("api key hash"))?,
            prefix: r.prefix,
            name: r.name,
            created_at: r.created_at.0,
            revoked_at: r.revoked_at.map(|t| t.0),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AuditRow {
    id: Uuid,
    tenant_id: Uuid,
    actor: String,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    patient_id: Option<Uuid>,
    request_id: Option<String>,
    at: DbTime,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            actor: r.actor,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            patient_id: r.patient_id.map(Into::into),
            request_id: r.request_id,
            at: r.at.0,
        }
    }
}

/// Implements `TenantStore`, `ApiKeyStore`, `AuditStore`, `SettingsStore`, `HealthStore`,
/// `NotificationStore` and `ExternalIdStore` for a backend.
#[macro_export]
macro_rules! tenant_store {
    ($store:ty, $name:literal) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, serde_json, sqlx, uuid};
            use sqlx::types::Json;
            use $crate::{DbTime, SqlBackend as _, db_err, found, truncate};
            use frontdesk_domain::audit::AuditEntry;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::settings::TenantSettings;
            use frontdesk_domain::tenant::{NewTenant, Tenant};
            use frontdesk_domain::{ApiKeyId, PatientId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use uuid::Uuid;

            const TENANT: &str = "SELECT id, slug, name, timezone, locale, created_at FROM tenants ";
            const KEY: &str = "SELECT id, tenant_id, prefix, name, key_hash, created_at, revoked_at FROM api_keys ";

            impl $store {
                /// Why a versioned save of the tenant's row `id` in `table` touched nothing:
                /// `Stale` if the row is there at another version than `expected`, else `NotFound`
                /// (absent, another tenant's, or a precondition of the save failed).
                async fn stale_unless_missing(&self, table: &str, tenant: TenantId, id: Uuid, expected: Option<i64>) -> StoreError {
                    let sql = sqlx::AssertSqlSafe(format!("SELECT version FROM {table} WHERE tenant_id = $1 AND id = $2"));
                    let stored: Result<Option<i64>, _> =
                        sqlx::query_scalar(sql).bind(tenant.0).bind(id).fetch_optional(self.writer()).await;
                    match stored {
                        Ok(Some(v)) if expected.is_some_and(|e| e != v) => StoreError::Conflict(Conflict::Stale),
                        Ok(_) => StoreError::NotFound,
                        Err(e) => db_err(e),
                    }
                }
            }

            #[async_trait::async_trait]
            impl TenantStore for $store {
                async fn create_tenant(&self, new: &NewTenant, now: Timestamp) -> StoreResult<Tenant> {
                    let id = TenantId::new();
                    sqlx::query(
                        "INSERT INTO tenants (id, slug, name, timezone, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id.0)
                    .bind(new.slug.as_str())
                    .bind(&new.name)
                    .bind(new.timezone.as_str())
                    .bind(new.locale.as_str())
                    .bind(DbTime(now))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    let (slug, name, timezone) = (new.slug.clone(), new.name.clone(), new.timezone.clone());
                    Ok(Tenant { id, slug, name, timezone, locale: new.locale, created_at: truncate(now) })
                }

                async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
                    let sql = sqlx::AssertSqlSafe(format!("{TENANT} WHERE slug = $1"));
                    let row: Option<$crate::tenants::TenantRow> =
                        sqlx::query_as(sql).bind(slug).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.map(Tenant::try_from).transpose()
                }

                async fn tenant_by_id(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
                    let sql = sqlx::AssertSqlSafe(format!("{TENANT} WHERE id = $1"));
                    let row: Option<$crate::tenants::TenantRow> =
                        sqlx::query_as(sql).bind(id.0).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.map(Tenant::try_from).transpose()
                }

                async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
                    let sql = sqlx::AssertSqlSafe(format!("{TENANT} ORDER BY slug"));
                    let rows: Vec<$crate::tenants::TenantRow> =
                        sqlx::query_as(sql).fetch_all(self.reader()).await.map_err(db_err)?;
                    rows.into_iter().map(Tenant::try_from).collect()
                }

                async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE tenants SET name = $1, timezone = $2, locale = $3 WHERE id = $4")
                        .bind(&tenant.name)
                        .bind(tenant.timezone.as_str())
                        .bind(tenant.locale.as_str())
                        .bind(tenant.id.0)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    found(done.rows_affected())
                }
            }

            #[async_trait::async_trait]
            impl ApiKeyStore for $store {
                async fn create_api_key(&self, key: &NewApiKey, now: Timestamp) -> StoreResult<ApiKeyRecord> {
                    let id = ApiKeyId::new();
                    sqlx::query(
                        "INSERT INTO api_keys (id, tenant_id, prefix, key_hash, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id.0)
                    .bind(key.tenant_id.0)
                    .bind(&key.prefix)
                    .bind(key.hash.to_hex())
                    .bind(&key.name)
                    .bind(DbTime(now))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(ApiKeyRecord {
                        id,
                        tenant_id: key.tenant_id,
                        prefix: key.prefix.clone(),
                        name: key.name.clone(),
                        hash: key.hash,
                        created_at: truncate(now),
                        revoked_at: None,
                    })
                }

                async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKeyRecord>> {
                    let sql = sqlx::AssertSqlSafe(format!("{KEY} WHERE prefix = $1"));
                    let row: Option<$crate::tenants::KeyRow> =
                        sqlx::query_as(sql).bind(prefix).fetch_optional(self.reader()).await.map_err(db_err)?;
                    row.map(ApiKeyRecord::try_from).transpose()
                }

                async fn revoke_api_key(&self, tenant: TenantId, prefix: &str, now: Timestamp) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE tenant_id = $2 AND prefix = $3",
                    )
                    .bind(DbTime(now))
                    .bind(tenant.0)
                    .bind(prefix)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    found(done.rows_affected())
                }

                async fn list_api_keys(&self, tenant: TenantId) -> StoreResult<Vec<ApiKeyRecord>> {
                    let sql = sqlx::AssertSqlSafe(format!("{KEY} WHERE tenant_id = $1 ORDER BY id"));
                    let rows: Vec<$crate::tenants::KeyRow> =
                        sqlx::query_as(sql).bind(tenant.0).fetch_all(self.reader()).await.map_err(db_err)?;
                    rows.into_iter().map(ApiKeyRecord::try_from).collect()
                }
            }

            #[async_trait::async_trait]
            impl AuditStore for $store {
                async fn record_audit(&self, e: &AuditEntry) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(e.id.0)
                    .bind(e.tenant_id.0)
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(&e.resource_type)
                    .bind(&e.resource_id)
                    .bind(e.patient_id.map(|p| p.0))
                    .bind(&e.request_id)
                    .bind(DbTime(e.at))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn list_audit(&self, tenant: TenantId, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
                    let rows: Vec<$crate::tenants::AuditRow> = sqlx::query_as(
                        "SELECT id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at
                         FROM audit_log WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
                    )
                    .bind(tenant.0)
                    .bind(page.before)
                    .bind(page.fetch_limit())
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    Ok(Page::from_rows(rows.into_iter().map(AuditEntry::from).collect(), page, |e| e.id.0))
                }
            }

            #[async_trait::async_trait]
            impl SettingsStore for $store {
                async fn tenant_settings(&self, tenant: TenantId) -> StoreResult<TenantSettings> {
                    Ok(self.tenant_settings_versioned(tenant).await?.value)
                }

                async fn save_tenant_settings(&self, tenant: TenantId, settings: &TenantSettings) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO tenant_settings (tenant_id, body) VALUES ($1, $2)
                         ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, version = tenant_settings.version + 1",
                    )
                    .bind(tenant.0)
                    .bind(Json(settings))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn tenant_settings_versioned(&self, tenant: TenantId) -> StoreResult<Versioned<TenantSettings>> {
                    let row: Option<(Json<TenantSettings>, i64)> =
                        sqlx::query_as("SELECT body, version FROM tenant_settings WHERE tenant_id = $1")
                            .bind(tenant.0)
                            .fetch_optional(self.reader())
                            .await
                            .map_err(db_err)?;
                    let (value, version) = row.map_or_else(Default::default, |(body, version)| (body.0, version));
                    Ok(Versioned { value, version })
                }

                async fn save_tenant_settings_if(
                    &self,
                    tenant: TenantId,
                    settings: &TenantSettings,
                    expected_version: i64,
                ) -> StoreResult<i64> {
                    // Version 0 is "none saved yet": only an insert can match it.
                    let sql = if expected_version == 0 {
                        "INSERT INTO tenant_settings (tenant_id, body) SELECT $1, $2 WHERE $3 = 0 ON CONFLICT (tenant_id) DO NOTHING"
                    } else {
                        "UPDATE tenant_settings SET body = $2, version = version + 1 WHERE tenant_id = $1 AND version = $3"
                    };
                    let done = sqlx::query(sql)
                        .bind(tenant.0)
                        .bind(Json(settings))
                        .bind(expected_version)
                        .execute(self.writer())
                        .await
                        .map_err(db_err)?;
                    match done.rows_affected() {
                        0 => Err(StoreError::Conflict(Conflict::Stale)),
                        _ => Ok(expected_version + 1),
                    }
                }
            }

            #[async_trait::async_trait]
            impl HealthStore for $store {
                fn backend_name(&self) -> &'static str {
                    $name
                }

                async fn ping(&self) -> StoreResult<()> {
                    sqlx::query("SELECT 1").execute(self.reader()).await.map_err(db_err)?;
                    Ok(())
                }

                async fn schema_version(&self) -> StoreResult<Option<i64>> {
                    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                        .fetch_one(self.reader())
                        .await
                        .map_err(db_err)
                }
            }

            #[async_trait::async_trait]
            impl NotificationStore for $store {
                async fn record_notification(&self, n: &NotificationRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO notifications (id, tenant_id, patient_id, template, variables, channel, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(n.id)
                    .bind(n.tenant_id.0)
                    .bind(n.patient_id.0)
                    .bind(&n.template)
                    .bind(&n.variables)
                    .bind(&n.channel)
                    .bind(DbTime(n.created_at))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn list_notifications(
                    &self,
                    tenant: TenantId,
                    patient: Option<PatientId>,
                ) -> StoreResult<Vec<NotificationRecord>> {
                    let rows: Vec<(Uuid, Uuid, String, serde_json::Value, String, DbTime)> = sqlx::query_as(
                        "SELECT id, patient_id, template, variables, channel, created_at FROM notifications
                         WHERE tenant_id = $1 AND ($2 IS NULL OR patient_id = $2) ORDER BY id DESC LIMIT 500",
                    )
                    .bind(tenant.0)
                    .bind(patient.map(|p| p.0))
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    let record = |(id, patient_id, template, variables, channel, created_at): (_, Uuid, _, _, _, DbTime)| {
                        NotificationRecord {
                            id,
                            tenant_id: tenant,
                            patient_id: patient_id.into(),
                            template,
                            variables,
                            channel,
                            created_at: created_at.0,
                        }
                    };
                    Ok(rows.into_iter().map(record).collect())
                }
            }

            #[async_trait::async_trait]
            impl ExternalIdStore for $store {
                async fn set_external_id(&self, tenant: TenantId, id: &ExternalId) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO external_ids (tenant_id, system, resource, local_id, external_id) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (tenant_id, system, resource, local_id) DO UPDATE SET external_id = excluded.external_id",
                    )
                    .bind(tenant.0)
                    .bind(&id.system)
                    .bind(&id.resource)
                    .bind(id.local_id)
                    .bind(&id.external_id)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn list_external_ids(&self, tenant: TenantId, system: &str) -> StoreResult<Vec<ExternalId>> {
                    let rows: Vec<(String, String, Uuid, String)> = sqlx::query_as(
                        "SELECT system, resource, local_id, external_id FROM external_ids WHERE tenant_id = $1 AND system = $2
                         ORDER BY resource, local_id",
                    )
                    .bind(tenant.0)
                    .bind(system)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    let id = |(system, resource, local_id, external_id)| ExternalId { system, resource, local_id, external_id };
                    Ok(rows.into_iter().map(id).collect())
                }
            }
        };
    };
}
