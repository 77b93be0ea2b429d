//! A period of figures or of a report: whole days in the clinic's time zone, `from` and
//! `to` both included, turned into the half-open instant range `[start of from, start of
//! the day after to)`, which is right across a daylight-saving change (a day is not always
//! 24 hours). The previous period is as many days, just before.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The longest period a report covers: a little over a year, so "last 12 months" fits.
pub const MAX_DAYS: i32 = 400;

#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub tz: TimeZone,
    pub start: Timestamp,
    pub end: Timestamp,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PeriodError {
    #[error("`{0}` is not a date (YYYY-MM-DD)")]
    NotADate(String),
    #[error("`to` ({to}) is before `from` ({from})")]
    Backwards { from: Date, to: Date },
    #[error("the period is {days} days; at most {MAX_DAYS} are allowed")]
    TooLong { days: i32 },
    #[error("`{0}` is not a known time zone (an IANA name such as America/Sao_Paulo)")]
    UnknownZone(String),
}

impl Period {
    pub fn parse(from: &str, to: &str, tz: &TimeZone) -> Result<Period, PeriodError> {
        let date =
            |s: &str| s.parse::<Date>().map_err(|_| PeriodError::NotADate(s.chars().take(40).collect()));
        Period::new(date(from)?, date(to)?, tz.clone())
    }

    pub fn new(from: Date, to: Date, tz: TimeZone) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Backwards { from, to });
        }
        let days = (to - from).get_days() + 1;
        if days > MAX_DAYS {
            return Err(PeriodError::TooLong { days });
        }
        let start_of = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp());
        let start = start_of(from).map_err(|_| PeriodError::NotADate(from.to_string()))?;
        let after = to.tomorrow().map_err(|_| PeriodError::NotADate(to.to_string()))?;
        let end = start_of(after).map_err(|_| PeriodError::NotADate(to.to_string()))?;
        Ok(Period { from, to, tz, start, end })
    }

    /// How many days it spans.
    pub fn days(&self) -> i32 {
        (self.to - self.from).get_days() + 1
    }

    /// The same number of days, ending the day before `from`.
    pub fn previous(&self) -> Result<Period, PeriodError> {
        let to = self.from.yesterday().map_err(|_| PeriodError::NotADate(self.from.to_string()))?;
        let from = to
            .checked_sub(jiff::Span::new().days(i64::from(self.days() - 1)))
            .map_err(|_| PeriodError::NotADate(to.to_string()))?;
        Period::new(from, to, self.tz.clone())
    }

    /// A zone by its IANA name.
    pub fn zone(name: &str) -> Result<TimeZone, PeriodError> {
        TimeZone::get(name).map_err(|_| PeriodError::UnknownZone(name.chars().take(60).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_in_the_zone_across_a_dst_change() {
        let ny = TimeZone::get("America/New_York").unwrap();
        let p = Period::parse("2026-03-08", "2026-03-08", &ny).unwrap();
        assert_eq!(p.start.to_string(), "2026-03-08T05:00:00Z");
        assert_eq!(p.end.to_string(), "2026-03-09T04:00:00Z", "the day the clocks move has 23 hours");
    }

    #[test]
    fn the_previous_period_is_as_long_and_just_before() {
        let p = Period::parse("2026-03-01", "2026-03-31", &TimeZone::UTC).unwrap();
        let before = p.previous().unwrap();
        assert_eq!((before.from, before.to), (date(2026, 1, 29), date(2026, 2, 28)));
        assert_eq!(before.days(), 31);
    }

    #[test]
    fn bad_periods_are_named() {
        let utc = TimeZone::UTC;
        assert_eq!(
            Period::parse("2026-02-30", "2026-03-01", &utc),
            Err(PeriodError::NotADate("2026-02-30".into()))
        );
        assert_eq!(
            Period::parse("2026-03-02", "2026-03-01", &utc),
            Err(PeriodError::Backwards { from: date(2026, 3, 2), to: date(2026, 3, 1) })
        );
        assert_eq!(Period::parse("2025-01-01", "2026-12-31", &utc), Err(PeriodError::TooLong { days: 730 }));
        assert!(matches!(Period::zone("Mars/Olympus"), Err(PeriodError::UnknownZone(_))));
    }
}
