//! Shared rate-limit counts, written once for both backends.

/// Rows per statement: 3 binds each stays well under both databases' bind limits
/// (32,766 on SQLite, 65,535 on PostgreSQL). A flush is one statement unless this many
/// distinct callers were seen within one flush interval.
pub const ROWS_PER_STATEMENT: usize = 5_000;

/// `INSERT ... VALUES ($1, $2, $3), ($4, $5, $6)... ON CONFLICT ... RETURNING` for `rows` rows.
pub fn upsert_sql(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO rate_counts (key, window_start, count) VALUES ");
    for i in 0..rows {
        let n = i * 3;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${})", n + 1, n + 2, n + 3));
    }
    sql.push_str(
        " ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counts.count + excluded.count
         RETURNING key, window_start, count",
    );
    sql
}

/// `RateCounterStore` for a backend.
#[macro_export]
macro_rules! rate_counter_store {
    ($store:ty) => {
        const _: () = {
            use frontdesk_store::*;
            use $crate::deps::{async_trait, frontdesk_store, sqlx};
            use $crate::{SqlBackend as _, db_err};

            #[async_trait::async_trait]
            impl RateCounterStore for $store {
                async fn add_rate_counts(&self, deltas: &[RateCount]) -> StoreResult<Vec<RateCount>> {
                    // One order for every writer: two flushes touching the same rows in
                    // different orders could deadlock on PostgreSQL's row locks.
                    let mut sorted = deltas.to_vec();
                    sorted.sort_unstable_by_key(|d| (d.window_start, d.key));
                    let mut totals = Vec::with_capacity(sorted.len());
                    for chunk in sorted.chunks($crate::rate_counters::ROWS_PER_STATEMENT) {
                        // Only placeholders are generated; every value is bound.
                        let sql = sqlx::AssertSqlSafe($crate::rate_counters::upsert_sql(chunk.len()));
                        let mut query = sqlx::query_as::<_, (i64, i64, i64)>(sql);
                        for d in chunk {
                            query = query.bind(d.key).bind(d.window_start).bind(d.count);
                        }
                        let rows = query.fetch_all(self.writer()).await.map_err(db_err)?;
                        totals.extend(rows.into_iter().map(|(key, window_start, count)| RateCount {
                            key,
                            window_start,
                            count,
                        }));
                    }
                    Ok(totals)
                }

                async fn delete_rate_counts_before(&self, window_start: i64) -> StoreResult<u64> {
                    $crate::exec!(
                        self.writer(),
                        "DELETE FROM rate_counts WHERE window_start < $1",
                        window_start
                    )
                }
            }
        };
    };
}
