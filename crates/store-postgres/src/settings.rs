use crate::PgStore;
use crate::catalog::{json, unjson};
use crate::convert::db_err;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_store::{SettingsStore, StoreResult};

#[async_trait]
impl SettingsStore for PgStore {
    async fn tenant_settings(&self, tenant: TenantId) -> StoreResult<TenantSettings> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body::text FROM tenant_settings WHERE tenant_id = $1")
                .bind(tenant.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        body.map(|b| unjson(&b, "tenant settings")).transpose().map(Option::unwrap_or_default)
    }

    async fn save_tenant_settings(&self, tenant: TenantId, settings: &TenantSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_id, body) VALUES ($1, $2::jsonb)
             ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body",
        )
        .bind(tenant.0)
        .bind(json(settings)?)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
