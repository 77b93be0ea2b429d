//! The fact log, written once for both backends.

use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_store::StoreError;

/// A fact's kind back from its stored name.
pub fn kind(name: &str) -> Result<FactKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| StoreError::corrupt(format!("unknown fact kind {name:?}")))
}

pub fn fact(
    (seq, id, tenant_id, kind_name, payload, at): (
        i64,
        String,
        uuid::Uuid,
        String,
        serde_json::Value,
        crate::DbTime,
    ),
) -> Result<(i64, Fact), StoreError> {
    Ok((seq, Fact { id, tenant_id: tenant_id.into(), kind: kind(&kind_name)?, payload, at: at.0 }))
}

/// `FactStore` for a backend.
#[macro_export]
macro_rules! fact_store {
    ($store:ty) => {
        const _: () = {
            use frontdesk_domain::TenantId;
            use frontdesk_domain::facts::Fact;
            use frontdesk_store::*;
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, serde_json, sqlx, uuid};
            use $crate::{DbTime, SqlBackend as _, db_err};

            #[async_trait::async_trait]
            impl FactStore for $store {
                async fn record_fact(&self, f: &Fact) -> StoreResult<bool> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    sqlx::query(<Self as $crate::SqlBackend>::FACT_ORDER_LOCK)
                        .bind(f.tenant_id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    let done = sqlx::query(
                        "INSERT INTO facts (tenant_id, id, kind, payload, at) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (tenant_id, id) DO NOTHING",
                    )
                    .bind(f.tenant_id.0)
                    .bind(&f.id)
                    .bind(f.kind.as_str())
                    .bind(&f.payload)
                    .bind(DbTime(f.at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn record_facts(&self, facts: &[Fact]) -> StoreResult<u64> {
                    if facts.is_empty() {
                        return Ok(0);
                    }
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let mut tenants: Vec<uuid::Uuid> = facts.iter().map(|f| f.tenant_id.0).collect();
                    tenants.sort();
                    tenants.dedup();
                    for tenant in tenants {
                        sqlx::query(<Self as $crate::SqlBackend>::FACT_ORDER_LOCK)
                            .bind(tenant)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    }
                    let mut added = 0;
                    // 5 parameters a row: well under either backend's limit per statement.
                    for chunk in facts.chunks(1_000) {
                        let mut insert = sqlx::QueryBuilder::<<$store as $crate::SqlBackend>::Db>::new(
                            "INSERT INTO facts (tenant_id, id, kind, payload, at) ",
                        );
                        insert.push_values(chunk, |mut row, f| {
                            row.push_bind(f.tenant_id.0)
                                .push_bind(f.id.clone())
                                .push_bind(f.kind.as_str())
                                .push_bind(f.payload.clone())
                                .push_bind(DbTime(f.at));
                        });
                        insert.push(" ON CONFLICT (tenant_id, id) DO NOTHING");
                        added += insert.build().execute(&mut *tx).await.map_err(db_err)?.rows_affected();
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(added)
                }

                async fn facts_after(
                    &self,
                    tenant: TenantId,
                    after: i64,
                    limit: u32,
                ) -> StoreResult<Vec<(i64, Fact)>> {
                    let rows: Vec<(i64, String, uuid::Uuid, String, serde_json::Value, DbTime)> =
                        sqlx::query_as(
                            "SELECT seq, id, tenant_id, kind, payload, at FROM facts
                         WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                        )
                        .bind(tenant.0)
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)?;
                    rows.into_iter().map($crate::facts::fact).collect()
                }

                async fn last_fact_position(&self, tenant: TenantId) -> StoreResult<i64> {
                    let (last,): (Option<i64>,) =
                        sqlx::query_as("SELECT MAX(seq) FROM facts WHERE tenant_id = $1")
                            .bind(tenant.0)
                            .fetch_one(self.reader())
                            .await
                            .map_err(db_err)?;
                    Ok(last.unwrap_or(0))
                }
            }
        };
    };
}
