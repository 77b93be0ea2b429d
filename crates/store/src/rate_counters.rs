//! Request counts shared by every process on one database, so a rate limit holds for the
//! whole deployment and not per process. Each process batches its counts and adds them
//! in one statement every few hundred milliseconds (never one per request), learning the
//! totals of the keys it added to.

use crate::StoreResult;
use async_trait::async_trait;

/// A count for one key in one fixed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RateCount {
    /// A keyed hash of who is asking and for what; never the caller's address or key.
    pub key: i64,
    /// The window's start, in Unix seconds.
    pub window_start: i64,
    pub count: i64,
}

#[async_trait]
pub trait RateCounterStore: Send + Sync {
    /// Adds each delta to the count of its (key, window), creating it at zero, in one
    /// statement: the totals afterwards, for each (key, window) given, in any order. Each
    /// (key, window) must appear once. Concurrent calls never lose an addition.
    async fn add_rate_counts(&self, deltas: &[RateCount]) -> StoreResult<Vec<RateCount>>;
    /// Deletes the counts of windows starting before `window_start` (they no longer
    /// decide anything); returns how many.
    async fn delete_rate_counts_before(&self, window_start: i64) -> StoreResult<u64>;
}
