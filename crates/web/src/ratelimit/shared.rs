//! Counting across processes: every process sharing a database adds what it accepted to
//! per-key counts of the current fixed window (one minute), in the database, in one
//! statement every flush interval, and learns the deployment-wide totals back. A key
//! whose total (as last learned, plus what this process accepted since) has reached its
//! limit is refused here until the window ends. No request waits for the database.
//!
//! The bound: after a key's total reaches the limit, another process keeps accepting it
//! only until its next flush tells it so, so a window admits at most the limit plus what
//! the processes accept in one flush interval (and one flush's round trip) each: with N
//! processes, flush interval f and a caller sending r requests a second to each, at most
//! about N x f x r over the limit, and never more than each process's own limit allows.
//! If the database does not answer, each process goes on limiting on its own.

use frontdesk_store::{RateCount, RateCounterStore, StoreResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// The fixed window counts are kept for.
pub const WINDOW_SECS: i64 = 60;

/// The start of the window holding `unix_secs`.
pub fn window_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(WINDOW_SECS) * WINDOW_SECS
}

/// Seconds since the Unix epoch by the system clock: windows follow real time, and every
/// process on the database must agree on them (within clock skew).
pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[derive(Default)]
struct State {
    /// Accepted here since the last flush, by (window start, key): (count, the key's limit).
    pending: HashMap<(i64, u64), (u32, u32)>,
    /// The deployment-wide totals last learned, by key: (window start, total).
    totals: HashMap<u64, (i64, i64)>,
}

/// One process's side of the shared counts, for every limiter of the process.
pub struct SharedCounts {
    state: Mutex<State>,
    store: Arc<dyn RateCounterStore>,
    /// Distinct keys kept in each map; past it new keys are decided locally only (the
    /// process's own limit still holds), so a flood of addresses cannot grow memory.
    max_keys: usize,
}

impl SharedCounts {
    pub fn new(store: Arc<dyn RateCounterStore>, max_keys: usize) -> Self {
        Self { state: Mutex::default(), store, max_keys }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one request of `key` (limited to `limit` a window) at `now` if the deployment
    /// has not used the window's budget yet as far as this process knows; otherwise the
    /// seconds until the window ends.
    pub fn admit(&self, key: u64, limit: u32, now: i64) -> Result<(), u64> {
        let window = window_of(now);
        let mut s = self.state();
        let known = s.totals.get(&key).filter(|(w, _)| *w == window).map_or(0, |(_, total)| *total);
        let mine = s.pending.get(&(window, key)).map_or(0, |(n, _)| *n);
        if known + i64::from(mine) >= i64::from(limit) {
            return Err((window + WINDOW_SECS - now).max(1).unsigned_abs());
        }
        if mine > 0 || s.pending.len() < self.max_keys {
            s.pending.entry((window, key)).or_insert((0, limit)).0 += 1;
        }
        Ok(())
    }

    /// Adds what was accepted since the last flush to the shared counts in one statement
    /// and learns the totals; returns how many keys were sent. On an error the counts
    /// taken are lost (the deployment undercounts them; each process's own limit holds).
    pub async fn flush(&self, now: i64) -> StoreResult<usize> {
        let pending = std::mem::take(&mut self.state().pending);
        if pending.is_empty() {
            return Ok(0);
        }
        let mut limits = HashMap::with_capacity(pending.len());
        let deltas: Vec<RateCount> = pending
            .into_iter()
            .map(|((window_start, key), (count, limit))| {
                limits.insert(key, limit);
                RateCount { key: key as i64, window_start, count: i64::from(count) }
            })
            .collect();
        let totals = self.store.add_rate_counts(&deltas).await?;
        let window = window_of(now);
        let mut s = self.state();
        s.totals.retain(|_, (w, _)| *w >= window);
        for t in totals.into_iter().filter(|t| t.window_start >= window) {
            let key = t.key as u64;
            let over = limits.get(&key).is_some_and(|limit| t.count >= i64::from(*limit));
            // Past the cap only keys that must be refused are remembered.
            if s.totals.len() < self.max_keys || over || s.totals.contains_key(&key) {
                s.totals.insert(key, (t.window_start, t.count));
            }
        }
        Ok(deltas.len())
    }

    /// Deletes the counts of windows before the previous one.
    pub async fn delete_old(&self, now: i64) -> StoreResult<u64> {
        self.store.delete_rate_counts_before(window_of(now) - WINDOW_SECS).await
    }

    #[cfg(test)]
    pub fn keys_held(&self) -> (usize, usize) {
        let s = self.state();
        (s.pending.len(), s.totals.len())
    }
}

/// Flushes `shared` every `every` on the current Tokio runtime, until it is dropped.
/// Without a runtime (a router built outside one) counts stay in this process.
pub fn spawn_flusher(shared: &Arc<SharedCounts>, every: Duration) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: rate limits are counted in this process only");
        return;
    };
    let weak: Weak<SharedCounts> = Arc::downgrade(shared);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        let mut cleaned_window = i64::MIN;
        loop {
            tick.tick().await;
            let Some(shared) = weak.upgrade() else { return };
            let now = unix_now();
            match shared.flush(now).await {
                Ok(sent) => {
                    if failing {
                        tracing::info!("rate-limit counts are shared again");
                        failing = false;
                    }
                    // Old windows go once per window, by a process that writes counts.
                    if sent > 0 && window_of(now) != cleaned_window {
                        cleaned_window = window_of(now);
                        if let Err(e) = shared.delete_old(now).await {
                            tracing::warn!(error = %e, "could not delete old rate-limit counts");
                        }
                    }
                }
                Err(e) => {
                    metrics::counter!("frontdesk_rate_limit_flush_failures_total").increment(1);
                    if !failing {
                        tracing::warn!(error = %e, "could not share rate-limit counts; each process limits on its own until the database answers");
                        failing = true;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use frontdesk_store::StoreError;

    /// The database's side, in memory: what every process would share.
    #[derive(Default)]
    struct Counts {
        rows: Mutex<HashMap<(i64, i64), i64>>,
        down: std::sync::atomic::AtomicBool,
    }

    #[async_trait]
    impl RateCounterStore for Counts {
        async fn add_rate_counts(&self, deltas: &[RateCount]) -> StoreResult<Vec<RateCount>> {
            if self.down.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(StoreError::Backend("down".into()));
            }
            let mut rows = self.rows.lock().unwrap();
            Ok(deltas
                .iter()
                .map(|d| {
                    let n = rows.entry((d.key, d.window_start)).or_default();
                    *n += d.count;
                    RateCount { count: *n, ..*d }
                })
                .collect())
        }
        async fn delete_rate_counts_before(&self, window_start: i64) -> StoreResult<u64> {
            let mut rows = self.rows.lock().unwrap();
            let before = rows.len();
            rows.retain(|(_, w), _| *w >= window_start);
            Ok((before - rows.len()) as u64)
        }
    }

    const T: i64 = 1_800_000_000; // a window start (divisible by 60)

    #[tokio::test]
    async fn a_key_used_up_elsewhere_is_refused_after_the_next_flush_until_the_window_ends() {
        let db = Arc::new(Counts::default());
        let (a, b) = (SharedCounts::new(db.clone(), 100), SharedCounts::new(db.clone(), 100));
        for _ in 0..10 {
            a.admit(7, 10, T + 1).unwrap();
        }
        assert!(a.admit(7, 10, T + 1).is_err(), "a process counts what it accepted itself");
        // `b` has not heard yet: it accepts (the overshoot the docs state) ...
        b.admit(7, 10, T + 2).unwrap();
        a.flush(T + 2).await.unwrap();
        b.flush(T + 2).await.unwrap();
        assert_eq!(db.rows.lock().unwrap()[&(7, T)], 11);
        // ... and refuses once it has, with the time left in the window.
        assert_eq!(b.admit(7, 10, T + 20), Err(40));
        assert!(b.admit(8, 10, T + 20).is_ok(), "other keys are not affected");
        // The next window starts afresh.
        assert!(b.admit(7, 10, T + 60).is_ok());
        assert!(a.admit(7, 10, T + 61).is_ok());
    }

    #[tokio::test]
    async fn totals_learned_count_with_what_was_accepted_since() {
        let db = Arc::new(Counts::default());
        let (a, b) = (SharedCounts::new(db.clone(), 100), SharedCounts::new(db.clone(), 100));
        for _ in 0..6 {
            a.admit(1, 10, T).unwrap();
        }
        a.flush(T).await.unwrap();
        b.flush(T).await.unwrap();
        b.admit(1, 10, T).unwrap();
        b.flush(T).await.unwrap(); // b learns 7
        let accepted = (0..10).filter(|_| b.admit(1, 10, T + 1).is_ok()).count();
        assert_eq!(accepted, 3, "7 known + 3 more reaches the limit of 10");
    }

    #[tokio::test]
    async fn without_the_database_a_process_still_limits_on_its_own() {
        let db = Arc::new(Counts::default());
        let a = SharedCounts::new(db.clone(), 100);
        db.down.store(true, std::sync::atomic::Ordering::Relaxed);
        for _ in 0..5 {
            a.admit(1, 5, T).unwrap();
        }
        assert!(a.flush(T).await.is_err());
        // The counts sent in the failed flush are gone; the local limiter (governor) is
        // what still holds here, and sharing resumes with the next flush.
        db.down.store(false, std::sync::atomic::Ordering::Relaxed);
        a.admit(1, 5, T).unwrap();
        assert_eq!(a.flush(T).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn memory_stays_bounded_and_old_windows_are_deleted() {
        let db = Arc::new(Counts::default());
        let a = SharedCounts::new(db.clone(), 50);
        for key in 0..1000u64 {
            a.admit(key, 1, T).unwrap();
        }
        assert_eq!(a.keys_held().0, 50, "keys past the cap are decided locally only");
        a.flush(T).await.unwrap();
        assert_eq!(a.keys_held(), (0, 50));
        // The limit of 1 is reached for those 50 keys; a cap-full map still takes them.
        assert!(a.admit(3, 1, T).is_err());
        for key in 0..50u64 {
            a.admit(key, 1, T + 60).unwrap();
        }
        a.flush(T + 60).await.unwrap();
        assert_eq!(a.keys_held().1, 50, "the old window's totals are dropped");
        a.admit(1, 1, T + 120).unwrap();
        a.flush(T + 120).await.unwrap();
        assert_eq!(a.delete_old(T + 120).await.unwrap(), 50, "the window before the previous one goes");
        assert_eq!(db.rows.lock().unwrap().len(), 51);
    }
}
