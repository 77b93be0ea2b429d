//! CSV lead imports started from the app.

use crate::DbTime;
use frontdesk_domain::leads::{ImportStatus, LeadImport};
use frontdesk_store::StoreError;
use uuid::Uuid;

pub const LEAD_IMPORT: &str = "SELECT id, tenant_id, actor, status, rows_total, rows_done, summary, error, created_at, updated_at FROM lead_imports ";

#[derive(sqlx::FromRow)]
pub struct LeadImportRow {
    id: Uuid,
    tenant_id: Uuid,
    actor: String,
    status: String,
    rows_total: i64,
    rows_done: i64,
    summary: Option<String>,
    error: Option<String>,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<LeadImportRow> for LeadImport {
    type Error = StoreError;
    fn try_from(r: LeadImportRow) -> Result<Self, StoreError> {
        Ok(LeadImport {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            actor: r.actor,
            status: ImportStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt("lead import status"))?,
            rows: r.rows_total.max(0) as u64,
            done: r.rows_done.max(0) as u64,
            summary: r
                .summary
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|_| StoreError::corrupt("lead import summary"))?,
            error: r.error,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// `LeadImportStore` for a backend.
#[macro_export]
macro_rules! lead_import_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, sqlx, uuid};
            use $crate::lead_imports::{LEAD_IMPORT, LeadImportRow};
            use $crate::{DbTime, SqlBackend as _, exec, fetch, found};
            use frontdesk_domain::TenantId;
            use frontdesk_domain::leads::LeadImport;
            use frontdesk_store::*;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl LeadImportStore for $store {
                async fn create_lead_import(&self, i: &LeadImport, file: &str) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO lead_imports (id, tenant_id, actor, status, rows_total, rows_done, summary, error, file, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        i.id,
                        i.tenant_id.0,
                        &i.actor,
                        i.status.as_str(),
                        i.rows as i64,
                        i.done as i64,
                        i.summary.as_ref().map(|s| s.to_string()),
                        i.error.as_deref(),
                        file,
                        DbTime(i.created_at),
                        DbTime(i.updated_at),
                    )
                    .map(drop)
                }

                async fn get_lead_import(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<LeadImport>> {
                    let sql = sqlx::AssertSqlSafe(format!("{LEAD_IMPORT} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<LeadImportRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id)?;
                    row.map(LeadImport::try_from).transpose()
                }

                async fn lead_import_file(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<String>> {
                    let row: Option<(String,)> = fetch!(
                        fetch_optional(self.reader()),
                        "SELECT file FROM lead_imports WHERE tenant_id = $1 AND id = $2",
                        tenant.0,
                        id
                    )?;
                    Ok(row.map(|(f,)| f))
                }

                async fn save_lead_import(&self, i: &LeadImport) -> StoreResult<()> {
                    found(exec!(
                        self.writer(),
                        "UPDATE lead_imports SET status = $1, rows_done = $2, summary = $3, error = $4, updated_at = $5
                         WHERE tenant_id = $6 AND id = $7",
                        i.status.as_str(),
                        i.done as i64,
                        i.summary.as_ref().map(|s| s.to_string()),
                        i.error.as_deref(),
                        DbTime(i.updated_at),
                        i.tenant_id.0,
                        i.id,
                    )?)
                }
            }
        };
    };
}
