//! The store implementation shared by `frontdesk-store-sqlite` and `frontdesk-store-postgres`.
//!
//! Each query is written once, in SQL both dialects accept (`$1`-style placeholders bind by
//! number on SQLite too, see sqlx-sqlite's `arguments.rs`). What differs between the
//! backends is kept small and explicit: column encodings (`DbTime`, `DbDate`: one Rust
//! type, each backend's own column type), the pools (`SqlBackend`), and the few operations
//! whose guarantees come from different mechanisms (job claiming, the no-overlap rule,
//! wake-ups, group commit), which stay in the backends.
//!
//! The trait implementations are macros (`sql_store!(SqliteStore, "sqlite")`) expanded in
//! each backend crate: sqlx's executors and codecs are resolved per database at compile time,
//! and a macro gives each backend concrete types without restating a dozen trait bounds
//! on every function.

#[doc(hidden)]
pub mod analytics;
#[doc(hidden)]
pub mod appointments;
#[doc(hidden)]
pub mod calls;
#[doc(hidden)]
pub mod campaigns;
#[doc(hidden)]
pub mod catalog;
mod codec;
#[doc(hidden)]
pub mod data_rights;
#[doc(hidden)]
pub mod erasure;
mod error;
#[doc(hidden)]
pub mod events;
#[doc(hidden)]
pub mod facts;
#[doc(hidden)]
pub mod jobs;
#[doc(hidden)]
pub mod lead_imports;
pub mod leads;
#[doc(hidden)]
pub mod messaging;
#[doc(hidden)]
pub mod noshow_models;
#[doc(hidden)]
pub mod rate_counters;
#[doc(hidden)]
pub mod secrets;
#[doc(hidden)]
pub mod tenants;
#[doc(hidden)]
pub mod users;
#[doc(hidden)]
pub mod waitlist;
#[doc(hidden)]
pub mod webhooks;

pub use codec::{DbDate, DbTime, truncate};
pub use error::db_err;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::scheduling::TimeRange;
use frontdesk_domain::{PractitionerId, TenantId};
use frontdesk_store::{NewInboundEvent, RecordedEvent, StoreResult};
use jiff::Timestamp;
use std::sync::Arc;
use tokio::sync::Notify;

/// Implements every store trait for a backend named `$name` (its `HealthStore` name).
#[macro_export]
macro_rules! sql_store {
    ($store:ty, $name:literal) => {
        $crate::tenant_store!($store, $name);
        $crate::catalog_store!($store);
        $crate::job_store!($store);
        $crate::event_store!($store);
        $crate::appointment_store!($store);
        $crate::messaging_store!($store);
        $crate::call_store!($store);
        $crate::lead_store!($store);
        $crate::user_store!($store);
        $crate::fact_store!($store);
        $crate::lead_import_store!($store);
        $crate::webhook_store!($store);
        $crate::secret_store!($store);
        $crate::data_rights_store!($store, $name);
        $crate::rate_counter_store!($store);
        $crate::waitlist_store!($store);
        $crate::noshow_model_store!($store);
        $crate::analytics_store!($store);
        $crate::campaign_store!($store);
    };
}

/// Runs the statement `$sql` on `$on` (a pool or a connection), binding the `$arg`s as
/// `$1`, `$2`... in order: how many rows it touched.
#[doc(hidden)]
#[macro_export]
macro_rules! exec {
    ($on:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::deps::sqlx::query($sql)
            $(.bind($arg))*
            .execute($on)
            .await
            .map(|done| done.rows_affected())
            .map_err($crate::db_err)
    };
}

/// Reads rows (`FromRow` types or tuples) with `$sql`, binding the `$arg`s in order, by
/// `$how` (`fetch_optional`, `fetch_all`...) on `$on`.
#[doc(hidden)]
#[macro_export]
macro_rules! fetch {
    ($how:ident($on:expr), $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::deps::sqlx::query_as($sql)$(.bind($arg))*.$how($on).await.map_err($crate::db_err)
    };
}

/// The crates the macros' expansions name, so a backend needs no matching versions.
#[doc(hidden)]
pub mod deps {
    pub use {async_trait, frontdesk_domain, frontdesk_store, jiff, serde_json, sqlx, tokio, uuid};
}

/// A practitioner's busy `[start, end)` range.
pub type Busy = (PractitionerId, TimeRange);

/// Which live appointments `SqlBackend::live_ranges` reads: the tenant's, of these
/// practitioners, whose blocked range overlaps `range`.
#[derive(Clone, Copy)]
pub struct BusyQuery<'a> {
    pub tenant: TenantId,
    pub practitioners: &'a [PractitionerId],
    pub range: TimeRange,
}

/// What a backend gives the shared implementation: its pools, its dialect's few words, and
/// the operations whose guarantees it provides its own way.
pub trait SqlBackend: Send + Sync {
    type Db: sqlx::Database;
    /// Where writes go (on SQLite a single connection, so writers queue in-process).
    fn writer(&self) -> &sqlx::Pool<Self::Db>;
    /// The keys secrets are sealed and opened with (see `frontdesk_store::at_rest`).
    fn key_ring(&self) -> &frontdesk_store::at_rest::KeyRing;
    /// Where plain reads go (on SQLite a pool of read-only connections, which never wait
    /// on the writer).
    fn reader(&self) -> &sqlx::Pool<Self::Db> {
        self.writer()
    }
    /// The function that finds text in text, `f(haystack, needle)` > 0 when found
    /// (`instr` on SQLite, `strpos` on PostgreSQL: neither has the other's).
    const FIND: &str;
    /// What locks the rows a `SELECT` reads until commit (` FOR UPDATE`); empty on SQLite,
    /// whose single writer already runs write transactions one at a time.
    const FOR_UPDATE: &str;
    /// A subquery selecting the ids in `$2`, bound as a JSON array of simple-hex UUIDs
    /// (one bind for any number of ids; neither dialect's array form works in the other).
    const IDS_IN_2: &str;
    /// Whether bookings must check for overlapping appointments themselves (SQLite), or
    /// the database refuses them (PostgreSQL's exclusion constraint).
    const CHECKS_OVERLAP: bool;
    /// Run before a fact is logged, in its transaction, with the tenant as `$1`: makes the
    /// tenant's facts commit in the order of their positions, so a live reader polling
    /// "after my last position" never passes a fact that commits late. PostgreSQL takes
    /// a per-tenant advisory lock held to commit; SQLite's single writer already orders
    /// them.
    const FACT_ORDER_LOCK: &str;
    /// The rollups' `counter` column compared byte-wise, as the `metric_days_by_counter`
    /// index orders it (PostgreSQL's default collation may not): a split counter's rows are
    /// read by a range over their names' prefix.
    const COUNTER_BYTES: &str;

    /// Opens the transaction a booking or an appointment change runs in: on SQLite
    /// `BEGIN IMMEDIATE` (so no other writer slips in between the overlap check and the
    /// write) with foreign keys checked at commit (the idempotency key is claimed before
    /// its appointment exists).
    fn begin_booking(&self)
    -> impl Future<Output = StoreResult<sqlx::Transaction<'static, Self::Db>>> + Send;
    /// `[start, end)` of the live appointments of these practitioners whose blocked range
    /// overlaps `range`, in any order: each backend packs the many rows its own way.
    fn live_ranges(&self, q: BusyQuery<'_>) -> impl Future<Output = StoreResult<Vec<Busy>>> + Send;

    /// Which running jobs whose lease ran out (`lease_until <= $1`) a claim returns to the
    /// queue first, in the claim's transaction; `None` when `CLAIM_DUE` hands expired
    /// leases over itself (PostgreSQL: one statement, no transaction round trips).
    const EXPIRED_LEASES: Option<&str>;
    /// Takes up to `$4` jobs due at `$3` for lease `$1` until `$2` (the shared code adds
    /// `RETURNING` the job columns): how rows are taken without two workers getting the
    /// same one is each backend's own (`FOR UPDATE SKIP LOCKED`; SQLite's single writer).
    /// With `CLAIM_COMPLETES`, it first marks succeeded the jobs in `$5` (a JSON id list,
    /// as `IDS_IN_2` reads) still held by lease `$6`.
    const CLAIM_DUE: &str;
    /// Whether `CLAIM_DUE` completes the previous batch in the same statement (`$5`,
    /// `$6`); otherwise completing and claiming are two statements.
    const CLAIM_COMPLETES: bool;
    /// Runs inside a transaction that made jobs due: PostgreSQL NOTIFYs every process
    /// (delivered at commit); SQLite has nothing to do here.
    fn announce_jobs(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Runs after such a transaction committed: SQLite wakes this process's idle workers
    /// (PostgreSQL's listener does it on the NOTIFY).
    fn jobs_committed(&self);
    /// Records a provider event a faster way than one transaction per delivery, when the
    /// backend has one for this case (PostgreSQL's group commit); `None` to take the
    /// ordinary path.
    fn record_event_grouped(
        &self,
        _event: &NewInboundEvent,
        _follow_ups: &[NewJob],
        _now: Timestamp,
    ) -> impl Future<Output = Option<StoreResult<RecordedEvent>>> + Send {
        async { None }
    }
    /// What idle workers wait on.
    fn wakeups(&self) -> Arc<Notify>;
}

/// `NotFound` when a statement touched no row: the row is not there (or is another tenant's).
pub fn found(rows: u64) -> StoreResult<()> {
    if rows == 0 { Err(frontdesk_store::StoreError::NotFound) } else { Ok(()) }
}

/// A stored enum value (status, channel...) back to its domain type.
pub fn parse<T: std::str::FromStr>(raw: &str, what: &str) -> StoreResult<T> {
    raw.parse().map_err(|_| frontdesk_store::StoreError::corrupt(format!("{what} {raw:?}")))
}
