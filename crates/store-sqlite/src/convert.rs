//! Column conversions: timestamps are stored as microseconds since the epoch.

use frontdesk_store::StoreError;
use jiff::Timestamp;

pub fn ts(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn from_ts(micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros).map_err(|e| StoreError::corrupt(format!("timestamp {micros}: {e}")))
}

pub fn from_opt_ts(micros: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    micros.map(from_ts).transpose()
}

pub use frontdesk_store_sql::db_err;

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(format!("encode: {e}")))
}

pub(crate) fn unjson<T: serde::de::DeserializeOwned>(raw: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::corrupt(format!("{what}: {e}")))
}
