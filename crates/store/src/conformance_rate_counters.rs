//! Shared rate-limit counts: additions from many processes at once sum exactly, each
//! (key, window) counts on its own, and old windows are deleted.

use crate::{DynStore, RateCount};

fn c(key: i64, window_start: i64, count: i64) -> RateCount {
    RateCount { key, window_start, count }
}

/// The totals `add_rate_counts` returned, sorted, for comparing.
async fn add(store: &DynStore, deltas: &[RateCount]) -> Vec<RateCount> {
    let mut totals = store.add_rate_counts(deltas).await.unwrap();
    totals.sort();
    totals
}

pub async fn rate_counts_add_up_per_key_and_window(store: DynStore) {
    assert_eq!(add(&store, &[]).await, vec![]);
    // Keys are hashes: negative ones and the extremes are keys like any other.
    let first = add(&store, &[c(i64::MIN, 60, 2), c(-7, 60, 1), c(i64::MAX, 60, 5)]).await;
    assert_eq!(first, vec![c(i64::MIN, 60, 2), c(-7, 60, 1), c(i64::MAX, 60, 5)]);
    let second = add(&store, &[c(-7, 60, 3), c(-7, 120, 4)]).await;
    assert_eq!(second, vec![c(-7, 60, 4), c(-7, 120, 4)], "each window counts on its own");
    // A zero delta reads the total without changing it.
    assert_eq!(add(&store, &[c(i64::MAX, 60, 0)]).await, vec![c(i64::MAX, 60, 5)]);

    assert_eq!(store.delete_rate_counts_before(120).await.unwrap(), 3);
    assert_eq!(add(&store, &[c(-7, 60, 1), c(-7, 120, 0)]).await, vec![c(-7, 60, 1), c(-7, 120, 4)]);
}

pub async fn concurrent_rate_count_additions_sum_exactly(store: DynStore) {
    const TASKS: i64 = 8;
    const ROUNDS: i64 = 40;
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let store = store.clone();
        tasks.spawn(async move {
            for r in 0..ROUNDS {
                // Every task adds to the same hot keys (in the same order, as a flush
                // sorts them) and to one key of its own.
                let deltas = [c(1, 600, 1), c(2, 600, r % 3), c(3, 600, 2), c(100 + t, 600, 1)];
                let totals = store.add_rate_counts(&deltas).await.unwrap();
                assert_eq!(totals.len(), 4);
                let own = totals.iter().find(|x| x.key == 100 + t).unwrap();
                assert_eq!(own.count, r + 1, "a task's own key counts only its additions");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let per_task_key2: i64 = (0..ROUNDS).map(|r| r % 3).sum();
    let totals = add(&store, &[c(1, 600, 0), c(2, 600, 0), c(3, 600, 0)]).await;
    assert_eq!(
        totals,
        vec![c(1, 600, TASKS * ROUNDS), c(2, 600, TASKS * per_task_key2), c(3, 600, 2 * TASKS * ROUNDS)]
    );
}
