//! Daily rollups of the clinic's counters (`frontdesk_domain::analytics`), advanced by a
//! cursor over the fact log: each batch of facts is counted and the cursor moved in one
//! transaction, so no fact is counted twice or missed, whoever rolls up and whenever.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::Increment;
use jiff::civil::Date;

#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// The fact-log position (`facts_after`'s sequence) the tenant's rollups have counted
    /// up to; 0 before the first roll-up.
    async fn rollup_cursor(&self, tenant: TenantId) -> StoreResult<i64>;
    /// Adds `increments` to the daily rollups and moves the cursor from `from` to `to`, in
    /// one transaction. `false`, and nothing changed, when the cursor is no longer at
    /// `from` (another process counted these facts first).
    async fn apply_rollup(
        &self,
        tenant: TenantId,
        from: i64,
        to: i64,
        increments: &[Increment],
    ) -> StoreResult<bool>;
    /// Every counter's sum over the local days `from..=to`, by counter name.
    async fn rollup_totals(&self, tenant: TenantId, from: Date, to: Date) -> StoreResult<Vec<(String, f64)>>;
    /// The sums over `from..=to` of the counters named exactly `names`.
    async fn rollup_totals_named(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
        names: &[String],
    ) -> StoreResult<Vec<(String, f64)>>;
    /// The sums over `from..=to` of the counters whose name starts with `prefix` (an ASCII
    /// prefix such as `appointments_no_show@practitioner=`), by name.
    async fn rollup_totals_prefixed(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
        prefix: &str,
    ) -> StoreResult<Vec<(String, f64)>>;
    /// Each day's value of `counter` over `from..=to`, by day (`YYYY-MM-DD`); days without
    /// one are absent.
    async fn rollup_days(
        &self,
        tenant: TenantId,
        from: Date,
        to: Date,
        counter: &str,
    ) -> StoreResult<Vec<(String, f64)>>;
}
