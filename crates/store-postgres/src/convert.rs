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

pub use frontdesk_store_sql::db_err;
