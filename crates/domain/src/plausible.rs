//! Dates from outside that cannot be true are refused rather than stored: a birth date in
//! the future or before 1900, a lead "submitted" in year 1 or next month. Stored, they
//! would skew ages, lead scores and speed-to-lead, and break date arithmetic downstream.

use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};

/// Nobody alive was born before this.
pub const EARLIEST_BIRTH: Date = date(1900, 1, 1);
/// Frontdesk records nothing that happened before this (no CRM form is older).
pub const EARLIEST_EVENT: Timestamp = Timestamp::constant(946_684_800, 0); // 2000-01-01T00:00:00Z
/// How far ahead of our clock an outside clock may run: a day covers every time zone and
/// a CRM with a badly set clock, and nothing real is submitted later than that.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_hours(24);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Implausible {
    #[error("birth date {0} is not between 1900-01-01 and today")]
    BirthDate(Date),
    #[error("{0} is not between 2000-01-01 and a day from now")]
    EventTime(Timestamp),
}

/// A birth date between 1900 and today (today anywhere on Earth: `now` plus a day).
pub fn birth_date(d: Date, now: Timestamp) -> Result<Date, Implausible> {
    let latest = (now + CLOCK_SKEW).to_zoned(jiff::tz::TimeZone::UTC).date();
    if (EARLIEST_BIRTH..=latest).contains(&d) { Ok(d) } else { Err(Implausible::BirthDate(d)) }
}

/// When something outside says it happened: after 2000 and at most a day ahead of us.
pub fn event_time(t: Timestamp, now: Timestamp) -> Result<Timestamp, Implausible> {
    if t >= EARLIEST_EVENT && t <= now + CLOCK_SKEW { Ok(t) } else { Err(Implausible::EventTime(t)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn birth_dates_from_1900_to_today_pass() {
        for ok in [date(1900, 1, 1), date(1987, 2, 28), date(2026, 6, 1), date(2026, 6, 2)] {
            assert_eq!(birth_date(ok, now()), Ok(ok));
        }
        for bad in [date(1899, 12, 31), date(2026, 6, 3), date(9999, 12, 31), date(1, 1, 1)] {
            assert_eq!(birth_date(bad, now()), Err(Implausible::BirthDate(bad)), "{bad}");
        }
    }

    #[test]
    fn event_times_from_2000_to_a_day_ahead_pass() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(EARLIEST_EVENT, at("2000-01-01T00:00:00Z"));
        for ok in ["2000-01-01T00:00:00Z", "2026-05-01T14:30:00-03:00", "2026-06-02T11:59:59Z"] {
            assert!(event_time(at(ok), now()).is_ok(), "{ok}");
        }
        for bad in
            ["0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2026-06-02T12:00:01Z", "9999-12-01T00:00:00Z"]
        {
            assert!(event_time(at(bad), now()).is_err(), "{bad}");
        }
    }
}
