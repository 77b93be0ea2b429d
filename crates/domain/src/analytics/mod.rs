//! The clinic's figures, defined once (docs/metrics.md). Facts become per-day counters
//! ([`counters::increments`]), which the store sums into daily rollups as facts arrive; a
//! period's figures ([`overview::Overview`]) are computed from the summed counters of its
//! days, never from the raw records, so reading them costs the same for a clinic of a
//! hundred patients or a million.

pub mod breakdown;
pub mod counters;
pub mod labels;
pub mod overview;
pub mod period;
pub mod schedule;
pub mod series;
pub mod speed;

pub use breakdown::{Dimension, Split};
pub use counters::{Counter, Increment, Prices, increments};
pub use overview::{Figure, Overview, Totals};
pub use period::{Period, PeriodError};
pub use series::{Granularity, MetricKind};
