//! Daily counter rollups and their fact-log cursor. Days are stored as `YYYY-MM-DD` text,
//! which sorts and compares as dates on both backends.

/// `AnalyticsStore` for a backend.
#[macro_export]
macro_rules! analytics_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff};
            use $crate::{SqlBackend as _, db_err, exec, fetch};
            use frontdesk_domain::TenantId;
            use frontdesk_domain::analytics::Increment;
            use frontdesk_store::*;
            use std::collections::BTreeMap;

            #[async_trait::async_trait]
            impl AnalyticsStore for $store {
                async fn rollup_cursor(&self, tenant: TenantId) -> StoreResult<i64> {
                    let row: Option<(i64,)> = fetch!(
                        fetch_optional(self.reader()),
                        "SELECT fact_seq FROM metric_cursors WHERE tenant_id = $1",
                        tenant.0
                    )?;
                    Ok(row.map_or(0, |r| r.0))
                }

                async fn apply_rollup(
                    &self,
                    tenant: TenantId,
                    from: i64,
                    to: i64,
                    increments: &[Increment],
                ) -> StoreResult<bool> {
                    // One row per (day, counter) however many facts moved it.
                    let mut sums: BTreeMap<(String, String), f64> = BTreeMap::new();
                    for i in increments {
                        *sums.entry((i.day.to_string(), i.stored_name())).or_default() += i.value;
                    }
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    exec!(
                        &mut *tx,
                        "INSERT INTO metric_cursors (tenant_id, fact_seq) VALUES ($1, 0) ON CONFLICT (tenant_id) DO NOTHING",
                        tenant.0
                    )?;
                    let moved = exec!(
                        &mut *tx,
                        "UPDATE metric_cursors SET fact_seq = $3 WHERE tenant_id = $1 AND fact_seq = $2",
                        tenant.0,
                        from,
                        to
                    )?;
                    if moved != 1 {
                        tx.rollback().await.map_err(db_err)?;
                        return Ok(false);
                    }
                    // Many rows a statement (the sums hold each key once, as one upsert
                    // statement requires); 4 parameters a row.
                    let sums: Vec<((String, String), f64)> = sums.into_iter().collect();
                    for chunk in sums.chunks(2_000) {
                        let mut upsert = $crate::deps::sqlx::QueryBuilder::<<$store as $crate::SqlBackend>::Db>::new(
                            "INSERT INTO metric_days (tenant_id, day, counter, value) ",
                        );
                        upsert.push_values(chunk, |mut row, ((day, counter), value)| {
                            row.push_bind(tenant.0).push_bind(day.clone()).push_bind(counter.clone()).push_bind(*value);
                        });
                        upsert.push(
                            " ON CONFLICT (tenant_id, day, counter) DO UPDATE SET value = metric_days.value + excluded.value",
                        );
                        upsert.build().execute(&mut *tx).await.map_err(db_err)?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(true)
                }

                async fn rollup_totals(
                    &self,
                    tenant: TenantId,
                    from: jiff::civil::Date,
                    to: jiff::civil::Date,
                ) -> StoreResult<Vec<(String, f64)>> {
                    fetch!(
                        fetch_all(self.reader()),
                        "SELECT counter, SUM(value) FROM metric_days WHERE tenant_id = $1 AND day >= $2 AND day <= $3
                         GROUP BY counter ORDER BY counter",
                        tenant.0,
                        from.to_string(),
                        to.to_string()
                    )
                }

                async fn rollup_totals_named(
                    &self,
                    tenant: TenantId,
                    from: jiff::civil::Date,
                    to: jiff::civil::Date,
                    names: &[String],
                ) -> StoreResult<Vec<(String, f64)>> {
                    if names.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut q = $crate::deps::sqlx::QueryBuilder::<<$store as $crate::SqlBackend>::Db>::new(
                        "SELECT counter, SUM(value) FROM metric_days WHERE tenant_id = ",
                    );
                    q.push_bind(tenant.0)
                        .push(" AND day >= ")
                        .push_bind(from.to_string())
                        .push(" AND day <= ")
                        .push_bind(to.to_string())
                        .push(format!(" AND {} IN (", <$store as $crate::SqlBackend>::COUNTER_BYTES));
                    let mut list = q.separated(", ");
                    for name in names {
                        list.push_bind(name.clone());
                    }
                    q.push(") GROUP BY counter ORDER BY counter");
                    q.build_query_as().fetch_all(self.reader()).await.map_err(db_err)
                }

                async fn rollup_totals_prefixed(
                    &self,
                    tenant: TenantId,
                    from: jiff::civil::Date,
                    to: jiff::civil::Date,
                    prefix: &str,
                ) -> StoreResult<Vec<(String, f64)>> {
                    // Every name starting with `prefix` sorts in [prefix, prefix with its last
                    // byte raised), byte-wise.
                    let mut end = prefix.to_owned();
                    let Some(last) = end.pop() else {
                        return self.rollup_totals(tenant, from, to).await;
                    };
                    end.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX));
                    let bytes = <$store as $crate::SqlBackend>::COUNTER_BYTES;
                    let sql = format!(
                        "SELECT counter, SUM(value) FROM metric_days WHERE tenant_id = $1 AND {bytes} >= $2 AND {bytes} < $3
                         AND day >= $4 AND day <= $5 GROUP BY counter ORDER BY counter"
                    );
                    $crate::deps::sqlx::query_as($crate::deps::sqlx::AssertSqlSafe(sql))
                        .bind(tenant.0)
                        .bind(prefix.to_owned())
                        .bind(end)
                        .bind(from.to_string())
                        .bind(to.to_string())
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)
                }

                async fn rollup_days(
                    &self,
                    tenant: TenantId,
                    from: jiff::civil::Date,
                    to: jiff::civil::Date,
                    counter: &str,
                ) -> StoreResult<Vec<(String, f64)>> {
                    let sql = format!(
                        "SELECT day, value FROM metric_days WHERE tenant_id = $1 AND {} = $2 AND day >= $3 AND day <= $4
                         ORDER BY day",
                        <$store as $crate::SqlBackend>::COUNTER_BYTES
                    );
                    $crate::deps::sqlx::query_as($crate::deps::sqlx::AssertSqlSafe(sql))
                        .bind(tenant.0)
                        .bind(counter.to_owned())
                        .bind(from.to_string())
                        .bind(to.to_string())
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)
                }
            }
        };
    };
}
