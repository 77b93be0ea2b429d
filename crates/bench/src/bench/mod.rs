//! `frontdesk-bench ...`: measurements on this machine, printed as small tables.
//!
//! Shared here: which backends to measure, a fresh throwaway store per run, progress bars
//! and the order statistics every report uses (medians and percentiles, never means, so
//! one slow outlier does not move the headline figure).

mod analytics;
mod campaign_enroll;
mod jobs;
mod jobs_fairness;
mod pages;
mod search;
mod search_http;
mod search_seed;
mod speed_to_lead;
mod voice;
mod webhooks;

pub use analytics::{AnalyticsBenchArgs, analytics};
pub use campaign_enroll::{CampaignEnrollArgs, campaign_enroll};
pub use jobs::{JobsBenchArgs, jobs};
pub use pages::{PagesBenchArgs, pages};
pub use search::{SearchBenchArgs, search};
pub use speed_to_lead::{SpeedToLeadBenchArgs, speed_to_lead};
pub use voice::{VoiceBenchArgs, voice};
pub use webhooks::{WebhooksBenchArgs, webhooks};

use anyhow::Context;
use frontdesk_server::backend::open_store;
use frontdesk_store::DynStore;
use frontdesk_store_postgres::PgStore;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The PostgreSQL server benches use unless told otherwise (trust auth on a dev machine).
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backends {
    Sqlite,
    Postgres,
    Both,
}

impl Backends {
    /// Backend names in the order they are measured.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self != Backends::Postgres {
            names.push("sqlite");
        }
        if self != Backends::Sqlite {
            names.push("postgres");
        }
        names
    }
}

/// A directory removed when dropped, so repeated bench runs do not fill the temp dir.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A new empty directory under the system temp dir, named `{prefix}-{uuid}`.
    pub fn new(prefix: &str) -> std::io::Result<Self> {
        let dir = Self(std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple())));
        std::fs::create_dir_all(&dir.0)?;
        Ok(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a bench's throwaway store leaves to remove: its SQLite directory, or its
/// PostgreSQL schema (dropped when this guard drops, so repeated runs do not pile up
/// schemas of a few hundred MB each).
#[derive(Default)]
pub struct Scratch {
    _dir: Option<ScratchDir>,
    schema: Option<(String, String)>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let Some((url, schema)) = self.schema.take() else { return };
        // Drop runs inside the bench's runtime, which cannot block on itself: a short-lived
        // thread with its own runtime does the SQL.
        let dropped = std::thread::spawn(move || -> anyhow::Result<()> {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(PgStore::drop_isolated(&url, &schema))?;
            anyhow::Ok(())
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("the bench's scratch schema was left behind (drop it by hand)");
        }
    }
}

/// A new, migrated, empty store: SQLite in a fresh temp directory, or PostgreSQL in a
/// throwaway schema so nothing real is touched; both removed when the guard drops (drop
/// the store's servers first).
pub async fn fresh_store(
    backend: &str,
    postgres_url: &str,
    pg_connections: u32,
) -> anyhow::Result<(DynStore, Scratch)> {
    if backend == "sqlite" {
        let dir = ScratchDir::new("frontdesk-bench")?;
        let store = open_store(&format!("sqlite://{}/bench.db?mode=rwc", dir.0.display()), 8).await?;
        Ok((store, Scratch { _dir: Some(dir), schema: None }))
    } else {
        let (store, schema) = PgStore::connect_isolated(postgres_url, pg_connections)
            .await
            .with_context(|| "connecting to PostgreSQL (set --postgres-url)".to_string())?;
        let scratch = Scratch { _dir: None, schema: Some((postgres_url.to_owned(), schema)) };
        store.migrate().await?;
        Ok((Arc::new(store), scratch))
    }
}

/// A bar in the style every bench uses; cleared when the measurement ends.
pub fn progress_bar(len: u64, message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{spinner} {msg:<18} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message.into());
    bar
}

/// The middle value (the upper one of an even count); `NaN` for no values.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Order statistics of a set of latencies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Latency {
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Self {
            count: samples.len(),
            p50: percentile(&samples, 50.0),
            p99: percentile(&samples, 99.0),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

/// Nearest-rank percentile of sorted samples: the smallest sample with at least `p`% of
/// all samples at or below it, so it is always a latency that really happened.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals: in-process searches take well under a millisecond to
/// a few milliseconds, so whole milliseconds would hide the differences that matter.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted = millis(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&millis(&[7]), 99.0), Duration::from_millis(7));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
        let l = Latency::of(millis(&[5, 1, 3]));
        assert_eq!((l.count, l.p50, l.max), (3, Duration::from_millis(3), Duration::from_millis(5)));
    }

    #[test]
    fn median_takes_the_upper_middle() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
        assert!(median(vec![]).is_nan());
    }
}
