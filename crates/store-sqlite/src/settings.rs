use crate::SqliteStore;
use crate::catalog::{json, unjson};
use crate::convert::db_err;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_store::{SettingsStore, StoreResult};

#[async_trait]
impl SettingsStore for SqliteStore {
    async fn tenant_settings(&self, tenant: TenantId) -> StoreResult<TenantSettings> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM tenant_settings WHERE tenant_id = ?")
            .bind(tenant.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        body.map(|b| unjson(&b, "tenant settings")).transpose().map(Option::unwrap_or_default)
    }

    async fn save_tenant_settings(&self, tenant: TenantId, settings: &TenantSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_id, body) VALUES (?, ?)
             ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body",
        )
        .bind(tenant.0)
        .bind(json(settings)?)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
