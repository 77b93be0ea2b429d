//! The calendar's nouns: where (locations), who (practitioners), what (services), the
//! house rules for booking, and the time ranges slots are made of.

use crate::tenant::TimeZoneName;
use crate::{LocationId, PractitionerId, ServiceId, TenantId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SchedulingError {
    #[error("an interval must end after it starts")]
    EmptyInterval,
    #[error("a date range must not end before it starts")]
    InvertedDates,
    #[error("duration must be between 1 and {max} minutes")]
    InvalidDuration { max: u32 },
    #[error("{field} must be between {min} and {max}")]
    RuleOutOfRange { field: &'static str, min: u32, max: u32 },
    #[error("name must not be empty")]
    EmptyName,
}

/// A place where patients are seen. Its time zone, not the tenant's, decides what
/// "09:00" means for the practitioners working there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: LocationId,
    pub tenant_id: TenantId,
    pub name: String,
    pub address: Option<String>,
    pub timezone: TimeZoneName,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Practitioner {
    pub id: PractitionerId,
    pub tenant_id: TenantId,
    pub name: String,
    /// The department (specialty) that triage routes patients to, e.g. "Cardiology".
    #[serde(alias = "specialty")]
    pub department: String,
    pub location_ids: Vec<LocationId>,
    /// Inactive practitioners keep their history but are never offered.
    pub active: bool,
}

impl Practitioner {
    pub fn works_at(&self, location: LocationId) -> bool {
        self.location_ids.contains(&location)
    }
}

/// A bookable appointment type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub tenant_id: TenantId,
    pub name: String,
    pub department: String,
    pub duration_minutes: u32,
    /// In the tenant's currency's minor unit; absent when the clinic does not quote prices.
    pub price_cents: Option<i64>,
}

/// A day of back-to-back appointments is the longest thing a clinic books.
pub const MAX_SERVICE_MINUTES: u32 = 24 * 60;

impl Service {
    pub fn validate(&self) -> Result<(), SchedulingError> {
        if self.name.trim().is_empty() {
            return Err(SchedulingError::EmptyName);
        }
        if !(1..=MAX_SERVICE_MINUTES).contains(&self.duration_minutes) {
            return Err(SchedulingError::InvalidDuration { max: MAX_SERVICE_MINUTES });
        }
        Ok(())
    }
}

/// Departments are typed by staff and by triage, so "cardiology " and "Cardiology" must
/// be the same department.
pub fn same_department(a: &str, b: &str) -> bool {
    fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
        s.trim().chars().flat_map(char::to_lowercase)
    }
    fold(a).eq(fold(b))
}

/// A tenant's booking rules. Every field has a default so that partial JSON/TOML (or an
/// older row) still yields sensible rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BookingRules {
    /// Candidate start times are this far apart, counted from the start of each working
    /// interval.
    pub slot_granularity_minutes: u32,
    /// Kept free before and after every existing appointment (cleaning, notes).
    pub buffer_minutes: u32,
    /// No slot starts sooner than this after "now", so staff can prepare.
    pub min_notice_minutes: u32,
    /// Slots are offered on local dates up to this many days after today.
    pub horizon_days: u32,
}

impl Default for BookingRules {
    fn default() -> Self {
        Self { slot_granularity_minutes: 15, buffer_minutes: 0, min_notice_minutes: 120, horizon_days: 60 }
    }
}

/// Ten years: longer horizons only make slot generation walk more empty days.
pub const MAX_HORIZON_DAYS: u32 = 3660;

impl BookingRules {
    pub fn validate(&self) -> Result<(), SchedulingError> {
        let check = |field, value: u32, min, max| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(SchedulingError::RuleOutOfRange { field, min, max })
            }
        };
        check("slot_granularity_minutes", self.slot_granularity_minutes, 1, 24 * 60)?;
        check("buffer_minutes", self.buffer_minutes, 0, 24 * 60)?;
        check("min_notice_minutes", self.min_notice_minutes, 0, 366 * 24 * 60)?;
        check("horizon_days", self.horizon_days, 0, MAX_HORIZON_DAYS)
    }
}

/// A half-open span of time `[start, end)`, so back-to-back appointments do not overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl TimeRange {
    /// `None` for an empty or inverted range.
    pub fn new(start: Timestamp, end: Timestamp) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A bookable start for one service with one practitioner at one location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub practitioner_id: PractitionerId,
    pub location_id: LocationId,
    pub service_id: ServiceId,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Slot {
    pub fn range(&self) -> TimeRange {
        TimeRange { start: self.start, end: self.end }
    }
}

/// jiff's `Weekday` has no serde support; the API spells weekdays in lower-case English.
pub mod weekday_serde {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    const NAMES: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    pub fn name(day: Weekday) -> &'static str {
        let index = usize::try_from(day.to_monday_zero_offset()).unwrap_or(0);
        NAMES.get(index).copied().unwrap_or("monday")
    }

    /// Accepts full names and three-letter abbreviations, in any case.
    pub fn parse(raw: &str) -> Option<Weekday> {
        let raw = raw.trim().to_ascii_lowercase();
        let index =
            NAMES.iter().position(|n| *n == raw || (raw.len() == 3 && n.starts_with(raw.as_str())))?;
        Weekday::from_monday_zero_offset(i8::try_from(index).ok()?).ok()
    }

    pub fn serialize<S: Serializer>(day: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name(*day))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let raw = String::deserialize(d)?;
        parse(&raw).ok_or_else(|| D::Error::custom(format!("unknown weekday {raw:?}")))
    }

    /// The same, for a list of weekdays.
    pub mod list {
        use jiff::civil::Weekday;
        use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::SerializeSeq};

        pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(days.len()))?;
            for day in days {
                seq.serialize_element(super::name(*day))?;
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|raw| {
                    super::parse(raw).ok_or_else(|| D::Error::custom(format!("unknown weekday {raw:?}")))
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;

    #[test]
    fn rules_default_and_fill_missing_fields() {
        let rules: BookingRules = serde_json::from_str(r#"{"buffer_minutes": 10}"#).unwrap();
        assert_eq!(rules.buffer_minutes, 10);
        assert_eq!(rules.slot_granularity_minutes, 15);
        assert_eq!(rules.min_notice_minutes, 120);
        assert_eq!(rules.horizon_days, 60);
        assert!(rules.validate().is_ok());
        let zero = BookingRules { slot_granularity_minutes: 0, ..rules };
        assert!(matches!(
            zero.validate(),
            Err(SchedulingError::RuleOutOfRange { field: "slot_granularity_minutes", .. })
        ));
    }

    #[test]
    fn departments_compare_loosely() {
        assert!(same_department(" Cardiology", "cardiology "));
        assert!(same_department("Ortopedia", "ORTOPEDIA"));
        assert!(same_department("Odontologia estética", "ODONTOLOGIA ESTÉTICA"));
        assert!(!same_department("Cardiology", "Dermatology"));
    }

    #[test]
    fn weekday_names_round_trip() {
        for n in 0..7 {
            let day = Weekday::from_monday_zero_offset(n).unwrap();
            assert_eq!(weekday_serde::parse(weekday_serde::name(day)), Some(day));
        }
        assert_eq!(weekday_serde::parse("TUE"), Some(Weekday::Tuesday));
        assert_eq!(weekday_serde::parse("mo"), None);
        assert_eq!(weekday_serde::parse(""), None);
    }

    #[test]
    fn service_validation() {
        let mut s = Service {
            id: ServiceId::new(),
            tenant_id: TenantId::new(),
            name: "Consulta".into(),
            department: "Cardiology".into(),
            duration_minutes: 30,
            price_cents: Some(25_000),
        };
        assert!(s.validate().is_ok());
        s.duration_minutes = 0;
        assert!(s.validate().is_err());
    }

    #[test]
    fn ranges_are_half_open() {
        let t = |s| Timestamp::from_second(s).unwrap();
        let a = TimeRange::new(t(0), t(60)).unwrap();
        let b = TimeRange::new(t(60), t(120)).unwrap();
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&TimeRange::new(t(59), t(61)).unwrap()));
        assert!(TimeRange::new(t(5), t(5)).is_none());
    }
}
