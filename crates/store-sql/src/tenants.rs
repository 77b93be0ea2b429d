//! Tenants, API keys, the audit log, tenant settings, health, sandbox notifications and
//! external ids: the simple aggregates, one statement each.

use crate::DbTime;
use frontdesk_domain::api_key::KeyHash;
use frontdesk_domain::api_key_scope::ScopeSet;
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
    scopes: String,
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
            scopes: ScopeSet::from_csv(&r.scopes).map_err(|e| StoreError::corrupt(e.to_string()))?,
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
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch, found, truncate};
            use frontdesk_domain::audit::AuditEntry;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::settings::TenantSettings;
            use frontdesk_domain::tenant::{NewTenant, Tenant};
            use frontdesk_domain::{ApiKeyId, PatientId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use uuid::Uuid;

            const TENANT: &str = "SELECT id, slug, name, timezone, locale, created_at FROM tenants ";
            const KEY: &str = "SELECT id, tenant_id, prefix, name, key_hash, scopes, created_at, revoked_at FROM api_keys ";

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
                    exec!(
                        self.writer(),
                        "INSERT INTO tenants (id, slug, name, timezone, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        id.0,
                        new.slug.as_str(),
                        &new.name,
                        new.timezone.as_str(),
                        new.locale.as_str(),
                        DbTime(now),
                    )?;
                    let (slug, name, timezone) = (new.slug.clone(), new.name.clone(), new.timezone.clone());
                    Ok(Tenant { id, slug, name, timezone, locale: new.locale, created_at: truncate(now) })
                }

                async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
                    let sql = sqlx::AssertSqlSafe(format!("{TENANT} WHERE slug = $1"));
                    let row: Option<$crate::tenants::TenantRow> = fetch!(fetch_optional(self.reader()), sql, slug)?;
                    row.map(Tenant::try_from).transpose()
                }

                async fn tenant_by_id(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
                    let sql = sqlx::AssertSqlSafe(format!("{TENANT} WHERE id = $1"));
                    let row: Option<$crate::tenants::TenantRow> = fetch!(fetch_optional(self.reader()), sql, id.0)?;
                    row.map(Tenant::try_from).transpose()
                }

                async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
                    let sql = sqlx::AssertSqlSafe(format!("{TENANT} ORDER BY slug"));
                    let rows: Vec<$crate::tenants::TenantRow> = fetch!(fetch_all(self.reader()), sql)?;
                    rows.into_iter().map(Tenant::try_from).collect()
                }

                async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
                    let sql = "UPDATE tenants SET name = $1, timezone = $2, locale = $3 WHERE id = $4";
                    let (timezone, locale) = (tenant.timezone.as_str(), tenant.locale.as_str());
                    found(exec!(self.writer(), sql, &tenant.name, timezone, locale, tenant.id.0)?)
                }
            }

            #[async_trait::async_trait]
            impl ApiKeyStore for $store {
                async fn create_api_key(&self, key: &NewApiKey, now: Timestamp) -> StoreResult<ApiKeyRecord> {
                    let id = ApiKeyId::new();
                    exec!(
                        self.writer(),
                        "INSERT INTO api_keys (id, tenant_id, prefix, key_hash, name, created_at, scopes) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        id.0,
                        key.tenant_id.0,
                        &key.prefix,
                        key.hash.to_hex(),
                        &key.name,
                        DbTime(now),
                        key.scopes.to_csv(),
                    )?;
                    Ok(ApiKeyRecord {
                        id,
                        tenant_id: key.tenant_id,
                        prefix: key.prefix.clone(),
                        name: key.name.clone(),
                        hash: key.hash,
                        scopes: key.scopes.clone(),
                        created_at: truncate(now),
                        revoked_at: None,
                    })
                }

                async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKeyRecord>> {
                    let sql = sqlx::AssertSqlSafe(format!("{KEY} WHERE prefix = $1"));
                    let row: Option<$crate::tenants::KeyRow> = fetch!(fetch_optional(self.reader()), sql, prefix)?;
                    row.map(ApiKeyRecord::try_from).transpose()
                }

                async fn revoke_api_key(&self, tenant: TenantId, prefix: &str, now: Timestamp) -> StoreResult<()> {
                    let sql = "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE tenant_id = $2 AND prefix = $3";
                    found(exec!(self.writer(), sql, DbTime(now), tenant.0, prefix)?)
                }

                async fn list_api_keys(&self, tenant: TenantId) -> StoreResult<Vec<ApiKeyRecord>> {
                    let sql = sqlx::AssertSqlSafe(format!("{KEY} WHERE tenant_id = $1 ORDER BY id"));
                    let rows: Vec<$crate::tenants::KeyRow> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    rows.into_iter().map(ApiKeyRecord::try_from).collect()
                }
            }

            #[async_trait::async_trait]
            impl AuditStore for $store {
                async fn record_audit(&self, e: &AuditEntry) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        e.id.0,
                        e.tenant_id.0,
                        &e.actor,
                        &e.action,
                        &e.resource_type,
                        &e.resource_id,
                        e.patient_id.map(|p| p.0),
                        &e.request_id,
                        DbTime(e.at),
                    )
                    .map(drop)
                }

                async fn list_audit(&self, tenant: TenantId, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
                    let sql = "SELECT id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at
                         FROM audit_log WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3";
                    let rows: Vec<$crate::tenants::AuditRow> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, page.before, page.fetch_limit())?;
                    Ok(Page::from_rows(rows.into_iter().map(AuditEntry::from).collect(), page, |e| e.id.0))
                }
            }

            #[async_trait::async_trait]
            impl SettingsStore for $store {
                async fn tenant_settings(&self, tenant: TenantId) -> StoreResult<TenantSettings> {
                    Ok(self.tenant_settings_versioned(tenant).await?.value)
                }

                async fn save_tenant_settings(&self, tenant: TenantId, settings: &TenantSettings) -> StoreResult<()> {
                    let sql = "INSERT INTO tenant_settings (tenant_id, body) VALUES ($1, $2)
                         ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, version = tenant_settings.version + 1";
                    let sealed = frontdesk_store::at_rest::seal_settings(settings, self.key_ring(), tenant);
                    exec!(self.writer(), sql, tenant.0, Json(sealed)).map(drop)
                }

                async fn tenant_settings_versioned(&self, tenant: TenantId) -> StoreResult<Versioned<TenantSettings>> {
                    let sql = "SELECT body, version FROM tenant_settings WHERE tenant_id = $1";
                    let row: Option<(Json<serde_json::Value>, i64)> = fetch!(fetch_optional(self.reader()), sql, tenant.0)?;
                    let Some((body, version)) = row else {
                        return Ok(Versioned { value: TenantSettings::default(), version: 0 });
                    };
                    let value = frontdesk_store::at_rest::open_settings(body.0, self.key_ring(), tenant)
                        .map_err(StoreError::backend)?;
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
                    let sealed = frontdesk_store::at_rest::seal_settings(settings, self.key_ring(), tenant);
                    match exec!(self.writer(), sql, tenant.0, Json(sealed), expected_version)? {
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
                    exec!(self.reader(), "SELECT 1").map(drop)
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
                    exec!(
                        self.writer(),
                        "INSERT INTO notifications (id, tenant_id, patient_id, template, variables, channel, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        n.id,
                        n.tenant_id.0,
                        n.patient_id.0,
                        &n.template,
                        &n.variables,
                        &n.channel,
                        DbTime(n.created_at),
                    )
                    .map(drop)
                }

                async fn list_notifications(
                    &self,
                    tenant: TenantId,
                    patient: Option<PatientId>,
                ) -> StoreResult<Vec<NotificationRecord>> {
                    let sql = "SELECT id, patient_id, template, variables, channel, created_at FROM notifications
                         WHERE tenant_id = $1 AND ($2 IS NULL OR patient_id = $2) ORDER BY id DESC LIMIT 500";
                    let rows: Vec<(Uuid, Uuid, String, serde_json::Value, String, DbTime)> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, patient.map(|p| p.0))?;
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
                    let sql = "INSERT INTO external_ids (tenant_id, system, resource, local_id, external_id) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (tenant_id, system, resource, local_id) DO UPDATE SET external_id = excluded.external_id";
                    exec!(self.writer(), sql, tenant.0, &id.system, &id.resource, id.local_id, &id.external_id).map(drop)
                }

                async fn list_external_ids(&self, tenant: TenantId, system: &str) -> StoreResult<Vec<ExternalId>> {
                    let sql = "SELECT system, resource, local_id, external_id FROM external_ids WHERE tenant_id = $1 AND system = $2
                         ORDER BY resource, local_id";
                    let rows: Vec<(String, String, Uuid, String)> = fetch!(fetch_all(self.reader()), sql, tenant.0, system)?;
                    let id = |(system, resource, local_id, external_id)| ExternalId { system, resource, local_id, external_id };
                    Ok(rows.into_iter().map(id).collect())
                }
            }
        };
    };
}
