//! Column conversions: timestamps are stored as microseconds since the epoch.

use frontdesk_store::StoreError;
use jiff::Timestamp;

pub fn ts(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn from_ts(micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros).map_err(|e| StoreError::corrupt(format!("timestamp {micros}: {e}")))
}

pub use frontdesk_store_sql::db_err;
