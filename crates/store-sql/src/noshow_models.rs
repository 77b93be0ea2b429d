//! Per-clinic trained no-show models.

use crate::DbTime;
use frontdesk_domain::noshow::NoShowModelInfo;
use frontdesk_store::StoreError;
use uuid::Uuid;

pub const NOSHOW_MODEL_INFO: &str =
    "SELECT id, tenant_id, trained_at, examples, no_shows, metrics, kind FROM noshow_models ";

#[derive(sqlx::FromRow)]
pub struct NoShowModelRow {
    id: Uuid,
    tenant_id: Uuid,
    trained_at: DbTime,
    examples: i64,
    no_shows: i64,
    metrics: String,
    kind: String,
}

impl TryFrom<NoShowModelRow> for NoShowModelInfo {
    type Error = StoreError;
    fn try_from(r: NoShowModelRow) -> Result<Self, StoreError> {
        Ok(NoShowModelInfo {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            trained_at: r.trained_at.0,
            examples: r.examples.max(0) as u64,
            no_shows: r.no_shows.max(0) as u64,
            metrics: serde_json::from_str(&r.metrics)
                .map_err(|_| StoreError::corrupt("no-show model metrics"))?,
            kind: r.kind,
        })
    }
}

/// `NoShowModelStore` for a backend.
#[macro_export]
macro_rules! noshow_model_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, serde_json, sqlx, uuid};
            use $crate::noshow_models::{NOSHOW_MODEL_INFO, NoShowModelRow};
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch};
            use frontdesk_domain::TenantId;
            use frontdesk_domain::noshow::{NoShowModelInfo, StoredNoShowModel};
            use frontdesk_store::*;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl NoShowModelStore for $store {
                async fn save_noshow_model(&self, m: &StoredNoShowModel) -> StoreResult<()> {
                    let i = &m.info;
                    let metrics = serde_json::to_string(&i.metrics)
                        .map_err(|e| StoreError::corrupt(format!("no-show model metrics: {e}")))?;
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    exec!(
                        &mut *tx,
                        "INSERT INTO noshow_models (tenant_id, id, trained_at, examples, no_shows, metrics, kind, model)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        i.tenant_id.0,
                        i.id,
                        DbTime(i.trained_at),
                        i.examples as i64,
                        i.no_shows as i64,
                        metrics,
                        &i.kind,
                        &m.model_json,
                    )?;
                    exec!(
                        &mut *tx,
                        "DELETE FROM noshow_models WHERE tenant_id = $1 AND id NOT IN
                           (SELECT id FROM noshow_models WHERE tenant_id = $1
                            ORDER BY trained_at DESC, id DESC LIMIT $2)",
                        i.tenant_id.0,
                        NOSHOW_MODELS_KEPT as i64,
                    )?;
                    tx.commit().await.map_err(db_err)
                }

                async fn latest_noshow_model(&self, tenant: TenantId) -> StoreResult<Option<NoShowModelInfo>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{NOSHOW_MODEL_INFO} WHERE tenant_id = $1 ORDER BY trained_at DESC, id DESC LIMIT 1"
                    ));
                    let row: Option<NoShowModelRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0)?;
                    row.map(NoShowModelInfo::try_from).transpose()
                }

                async fn noshow_model_body(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<String>> {
                    let row: Option<(String,)> = fetch!(
                        fetch_optional(self.reader()),
                        "SELECT model FROM noshow_models WHERE tenant_id = $1 AND id = $2",
                        tenant.0,
                        id
                    )?;
                    Ok(row.map(|(m,)| m))
                }
            }
        };
    };
}
