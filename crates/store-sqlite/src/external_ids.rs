use crate::SqliteStore;
use crate::convert::db_err;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_store::{ExternalId, ExternalIdStore, StoreResult};
use uuid::Uuid;

#[async_trait]
impl ExternalIdStore for SqliteStore {
    async fn set_external_id(&self, tenant: TenantId, id: &ExternalId) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO external_ids (tenant_id, system, resource, local_id, external_id) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (tenant_id, system, resource, local_id) DO UPDATE SET external_id = excluded.external_id",
        )
        .bind(tenant.0)
        .bind(&id.system)
        .bind(&id.resource)
        .bind(id.local_id)
        .bind(&id.external_id)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_external_ids(&self, tenant: TenantId, system: &str) -> StoreResult<Vec<ExternalId>> {
        let rows: Vec<(String, String, Uuid, String)> = sqlx::query_as(
            "SELECT system, resource, local_id, external_id FROM external_ids WHERE tenant_id = ? AND system = ?
             ORDER BY resource, local_id",
        )
        .bind(tenant.0)
        .bind(system)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|(system, resource, local_id, external_id)| ExternalId {
                system,
                resource,
                local_id,
                external_id,
            })
            .collect())
    }
}
