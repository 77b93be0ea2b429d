//! Redacting `Debug` for events and commands that carry phone numbers, names, emails or
//! message text: a stray `{:?}` in a log line must not put a patient in the logs. The
//! shapes stay visible (which fields are set, how long a text is), the values do not.

use std::fmt;

/// Shows that a value is there, never what it is.
pub struct Redacted<'a, T: ?Sized>(pub &'a T);

impl fmt::Debug for Redacted<'_, str> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {} chars>", self.0.chars().count())
    }
}

impl fmt::Debug for Redacted<'_, String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted(self.0.as_str()).fmt(f)
    }
}

impl fmt::Debug for Redacted<'_, Option<String>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "Some({:?})", Redacted(s.as_str())),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for Redacted<'_, serde_json::Value> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            serde_json::Value::Null => f.write_str("null"),
            serde_json::Value::Object(m) => write!(f, "<redacted object of {} keys>", m.len()),
            _ => f.write_str("<redacted>"),
        }
    }
}
