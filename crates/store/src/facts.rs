//! The fact log: every fact, once, in the order it was logged. Analytics, live views and
//! audits read it; a retried logging job changes nothing (facts are unique by id).

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::facts::Fact;

#[async_trait]
pub trait FactStore: Send + Sync {
    /// Logs the fact; `false` when a fact with its id was logged before (nothing changes).
    async fn record_fact(&self, fact: &Fact) -> StoreResult<bool>;
    /// Logs many facts in one transaction, in the order given (an imported history, a
    /// benchmark's seed); facts logged before are skipped. Returns how many were new.
    async fn record_facts(&self, facts: &[Fact]) -> StoreResult<u64>;
    /// The tenant's facts logged after position `after` (0: from the start), oldest first,
    /// each with its position, at most `limit`. A reader resumes from the last position.
    async fn facts_after(&self, tenant: TenantId, after: i64, limit: u32) -> StoreResult<Vec<(i64, Fact)>>;
    /// The position of the tenant's last logged fact (0: none yet): where a reader that
    /// wants only what happens from now on starts.
    async fn last_fact_position(&self, tenant: TenantId) -> StoreResult<i64>;
}
