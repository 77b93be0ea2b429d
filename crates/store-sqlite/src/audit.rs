use crate::SqliteStore;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_store::{AuditStore, StoreError, StoreResult};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    tenant_id: Uuid,
    actor: String,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    patient_id: Option<Uuid>,
    request_id: Option<String>,
    at: i64,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            actor: r.actor,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            patient_id: r.patient_id.map(Into::into),
            request_id: r.request_id,
            at: from_ts(r.at)?,
        })
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn record_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.id.0)
        .bind(e.tenant_id.0)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.resource_type)
        .bind(&e.resource_id)
        .bind(e.patient_id.map(|p| p.0))
        .bind(&e.request_id)
        .bind(ts(e.at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_audit(&self, tenant: TenantId, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at
             FROM audit_log WHERE tenant_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
        )
        .bind(tenant.0)
        .bind(page.before)
        .bind(page.before)
        .bind(page.fetch_limit())
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let entries = rows.into_iter().map(AuditEntry::try_from).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_rows(entries, page, |e| e.id.0))
    }
}
