//! FHIR search parameters: parsing the query string into typed searches.
//!
//! Unknown parameters are refused with 400 rather than ignored: a client filtering on
//! something this server does not support would otherwise get more data than it asked
//! for, and believe it was filtered.
//!
//! Dates (`date=`, `start=`) follow FHIR's rule that a value stands for the whole range
//! its precision covers (`2026-06` is all of June). Prefixes `eq` (default), `ge`, `gt`,
//! `le`, `lt` compare that range with the resource's start instant; repeated parameters
//! must all hold (`date=ge2026-06-01&date=le2026-06-30`). Dates and date-times written
//! without an offset are read in the clinic's (or the schedule's location's) time zone.

use super::outcome::FhirError;
use super::resources::statuses_for_code;
use super::schedule::ScheduleId;
use axum::extract::Query;
use axum::http::Uri;
use frontdesk_domain::scheduling::AppointmentStatus;
use frontdesk_domain::{PatientId, PractitionerId, ServiceId};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan};
use uuid::Uuid;

/// The query string as ordered name/value pairs (names may repeat).
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(uri: &Uri) -> Result<Self, FhirError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map_err(|e| FhirError::invalid(format!("unreadable query string: {}", e.body_text())))?;
        Ok(Self(pairs))
    }

    /// Refuses parameters outside `supported` and parameters without a value.
    pub fn only(&self, supported: &[&str]) -> Result<(), FhirError> {
        for (name, value) in &self.0 {
            if !supported.contains(&name.as_str()) {
                return Err(FhirError::not_supported(format!(
                    "search parameter {name:?} is not supported here; supported: {}",
                    supported.join(", ")
                )));
            }
            if value.trim().is_empty() {
                return Err(FhirError::invalid(format!("search parameter {name} has no value")));
            }
        }
        Ok(())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.trim())
    }

    /// A parameter that may appear at most once (the store filters on one value).
    fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, FhirError> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(FhirError::not_supported(format!("search parameter {name} may be given only once")));
        }
        Ok(first)
    }

    fn dates(&self, name: &str) -> Result<Vec<DateParam>, FhirError> {
        self.all(name)
            .map(|v| DateParam::parse(v).map_err(|e| FhirError::invalid(format!("{name}: {e}"))))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

/// The range a date value covers, before or after choosing a time zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DateValue {
    /// A date, or a date-time without an offset: `[start, end)` in local time.
    Local {
        start: DateTime,
        end: DateTime,
    },
    Instant {
        start: Timestamp,
        end: Timestamp,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateParam {
    pub prefix: Prefix,
    pub value: DateValue,
}

impl DateParam {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (prefix, value) = match raw.get(..2) {
            Some(p) if p.chars().all(|c| c.is_ascii_alphabetic()) => (p, &raw[2..]),
            _ => ("eq", raw),
        };
        let prefix = match prefix {
            "eq" => Prefix::Eq,
            "ge" => Prefix::Ge,
            "gt" => Prefix::Gt,
            "le" => Prefix::Le,
            "lt" => Prefix::Lt,
            "ne" | "sa" | "eb" | "ap" => return Err(format!("the {prefix} prefix is not supported")),
            other => return Err(format!("unknown prefix {other:?}")),
        };
        Ok(Self { prefix, value: parse_date_value(value)? })
    }
}

fn parse_date_value(raw: &str) -> Result<DateValue, String> {
    let bad =
        || format!("{raw:?} is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)");
    let local_days = |start: Date, span: Span| {
        let end = start.checked_add(span).map_err(|_| bad())?;
        Ok(DateValue::Local { start: start.to_datetime(jiff::civil::Time::midnight()), end: end.into() })
    };
    if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) {
        let year: i16 = raw.parse().map_err(|_| bad())?;
        return local_days(Date::new(year, 1, 1).map_err(|_| bad())?, 1.year());
    }
    if raw.len() == 7 {
        return local_days(format!("{raw}-01").parse().map_err(|_| bad())?, 1.month());
    }
    if raw.len() == 10 {
        return local_days(raw.parse().map_err(|_| bad())?, 1.day());
    }
    let Some((_, time)) = raw.split_once('T') else { return Err(bad()) };
    // An unencoded `+` in a query string arrives as a space (`T10:00:00 03:00`).
    let raw = raw.replace(' ', "+");
    let time = time.replace(' ', "+");
    let has_offset = time.ends_with(['Z', 'z']) || time.contains(['+', '-']);
    // The value covers its last written unit: `T10:00` is a whole minute.
    let clock = time.split(['Z', 'z', '+', '-']).next().unwrap_or("");
    let precision = match clock.matches(':').count() {
        0 => 1.hour(),
        1 => 1.minute(),
        _ => 1.second(),
    };
    if has_offset {
        let start: Timestamp = raw.parse().map_err(|_| bad())?;
        let end = start.checked_add(precision).map_err(|_| bad())?;
        Ok(DateValue::Instant { start, end })
    } else {
        let start: DateTime = raw.parse().map_err(|_| bad())?;
        let end = start.checked_add(precision).map_err(|_| bad())?;
        Ok(DateValue::Local { start, end })
    }
}

/// `[from, to)` on the resource's start; `None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl Window {
    /// Intersects every parameter's condition, reading local values in `zone`.
    pub fn of(params: &[DateParam], zone: &TimeZone) -> Result<Self, FhirError> {
        let mut w = Self::default();
        for p in params {
            let (start, end) = match p.value {
                DateValue::Instant { start, end } => (start, end),
                DateValue::Local { start, end } => (local(zone, start)?, local(zone, end)?),
            };
            let raise = |from: Option<Timestamp>, t| Some(from.map_or(t, |f: Timestamp| f.max(t)));
            let lower = |to: Option<Timestamp>, t| Some(to.map_or(t, |f: Timestamp| f.min(t)));
            match p.prefix {
                Prefix::Ge => w.from = raise(w.from, start),
                Prefix::Gt => w.from = raise(w.from, end),
                Prefix::Le => w.to = lower(w.to, end),
                Prefix::Lt => w.to = lower(w.to, start),
                Prefix::Eq => {
                    w.from = raise(w.from, start);
                    w.to = lower(w.to, end);
                }
            }
        }
        Ok(w)
    }

    /// True when the conditions contradict each other: nothing can match.
    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f >= t)
    }
}

fn local(zone: &TimeZone, dt: DateTime) -> Result<Timestamp, FhirError> {
    // In a DST gap or fold, "compatible" picks the instant a wall clock would show.
    zone.to_ambiguous_timestamp(dt).compatible().map_err(|_| FhirError::invalid("date out of range"))
}

/// `Patient/{id}`, an absolute URL ending in it, or a bare id.
pub fn reference(raw: &str, resource_type: &str) -> Result<Uuid, FhirError> {
    let (kind, id) = match raw.rsplit_once('/') {
        Some((head, id)) => (head.rsplit('/').next(), id),
        None => (None, raw),
    };
    if kind.is_some_and(|k| k != resource_type) {
        return Err(FhirError::invalid(format!("expected a reference to a {resource_type}")));
    }
    Uuid::parse_str(id).map_err(|_| FhirError::invalid(format!("{resource_type} ids are UUIDs")))
}

pub struct AppointmentSearch {
    pub dates: Vec<DateParam>,
    pub patient: Option<PatientId>,
    pub practitioner: Option<PractitionerId>,
    /// `None`: any status. Otherwise the statuses the requested FHIR codes stand for,
    /// possibly none (`status=proposed` is valid but never used here).
    pub statuses: Option<Vec<AppointmentStatus>>,
}

impl AppointmentSearch {
    pub const PARAMS: &'static [&'static str] = &["date", "patient", "practitioner", "status"];

    pub fn parse(p: &Params) -> Result<Self, FhirError> {
        p.only(Self::PARAMS)?;
        let statuses = match p.one("status")? {
            None => None,
            // A comma means "any of these" in FHIR token searches.
            Some(codes) => Some(codes.split(',').map(status_codes).collect::<Result<Vec<_>, _>>()?.concat()),
        };
        Ok(Self {
            dates: p.dates("date")?,
            patient: p.one("patient")?.map(|r| reference(r, "Patient")).transpose()?.map(PatientId),
            practitioner: p
                .one("practitioner")?
                .map(|r| reference(r, "Practitioner"))
                .transpose()?
                .map(PractitionerId),
            statuses,
        })
    }
}

fn status_codes(code: &str) -> Result<Vec<AppointmentStatus>, FhirError> {
    let code = code.trim().rsplit('|').next().unwrap_or("");
    statuses_for_code(code)
        .map(<[_]>::to_vec)
        .ok_or_else(|| FhirError::invalid(format!("{code:?} is not an R4 appointment status")))
}

pub struct SlotSearch {
    pub schedule: ScheduleId,
    pub starts: Vec<DateParam>,
    pub service: Option<ServiceId>,
    /// False when only non-free statuses were asked for: this server lists free slots only.
    pub wants_free: bool,
}

impl SlotSearch {
    pub const PARAMS: &'static [&'static str] = &["schedule", "start", "service-type", "status"];

    pub fn parse(p: &Params) -> Result<Self, FhirError> {
        p.only(Self::PARAMS)?;
        let Some(schedule) = p.one("schedule")? else {
            return Err(FhirError::invalid(
                "schedule is required (Schedule/{id} from GET /fhir/R4/Schedule)",
            ));
        };
        let schedule = schedule.strip_prefix("Schedule/").unwrap_or(schedule);
        let schedule = schedule.parse().map_err(|_| FhirError::invalid("schedule: not a Schedule id"))?;
        let service = match p.one("service-type")? {
            None => None,
            Some(token) => {
                let code = token.rsplit('|').next().unwrap_or("");
                Some(ServiceId(
                    Uuid::parse_str(code).map_err(|_| FhirError::invalid("service-type: a service id"))?,
                ))
            }
        };
        let wants_free = match p.one("status")? {
            None => true,
            Some(codes) => {
                let mut wants_free = false;
                for code in codes.split(',').map(str::trim) {
                    match code {
                        "free" => wants_free = true,
                        "busy" | "busy-unavailable" | "busy-tentative" | "entered-in-error" => {}
                        other => return Err(FhirError::invalid(format!("{other:?} is not a slot status"))),
                    }
                }
                wants_free
            }
        };
        Ok(Self { schedule, starts: p.dates("start")?, service, wants_free })
    }
}

/// A Schedule's actor to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorFilter {
    Practitioner(Uuid),
    Location(Uuid),
}

pub fn schedule_actor(p: &Params) -> Result<Option<ActorFilter>, FhirError> {
    p.only(&["actor"])?;
    let Some(raw) = p.one("actor")? else { return Ok(None) };
    if raw.contains("Location/") {
        Ok(Some(ActorFilter::Location(reference(raw, "Location")?)))
    } else if raw.contains("Practitioner/") {
        Ok(Some(ActorFilter::Practitioner(reference(raw, "Practitioner")?)))
    } else {
        Err(FhirError::invalid("actor: Practitioner/{id} or Location/{id}"))
    }
}
