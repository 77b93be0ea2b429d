//! Column conversions between jiff (the domain's time type) and timestamptz.

use frontdesk_store::StoreError;
use jiff::Timestamp;
use time::OffsetDateTime;

pub fn ts(t: Timestamp) -> OffsetDateTime {
    // Every jiff timestamp (years -9999..=9999) fits in OffsetDateTime's range.
    OffsetDateTime::from_unix_timestamp_nanos(t.as_nanosecond()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn from_ts(t: OffsetDateTime) -> Result<Timestamp, StoreError> {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos())
        .map_err(|e| StoreError::corrupt(format!("timestamp: {e}")))
}

pub fn from_opt_ts(t: Option<OffsetDateTime>) -> Result<Option<Timestamp>, StoreError> {
    t.map(from_ts).transpose()
}

/// Postgres keeps microseconds; round-trip values through this to compare them.
pub fn truncate(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

/// Maps unique and exclusion violations to `Conflict`, everything else to `Backend`.
pub fn db_err(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() || db.code().as_deref() == Some("23P01") {
            return StoreError::Conflict(db.constraint().unwrap_or_else(|| db.message()).to_owned());
        }
        // Two transactions inserting overlapping appointments each wait on the other's
        // row while checking the exclusion constraint; PostgreSQL aborts one of them. Its
        // slot is being taken by the other, so it reports as the overlap it is.
        let in_overlap_check = db
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .and_then(|pg| pg.r#where())
            .is_some_and(|w| w.contains("exclusion constraint") && w.contains("\"appointments\""));
        if db.code().as_deref() == Some("40P01") && in_overlap_check {
            return StoreError::Conflict("appointments_no_overlap".to_owned());
        }
    }
    StoreError::backend(err)
}
