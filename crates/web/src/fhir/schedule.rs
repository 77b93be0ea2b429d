//! Schedules and free slots. Frontdesk has no stored schedule: a practitioner's weekly
//! hours at one location *are* their schedule there, so a Schedule is identified by
//! that (practitioner, location) pair, and its Slots are computed, never stored.

use super::resources::{Links, concept, reference};
use frontdesk_domain::scheduling::{Location, Practitioner, Service, Slot, WeeklyHours, weekday_serde};
use frontdesk_domain::{LocationId, PractitionerId};
use jiff::Timestamp;
use serde_json::{Value, json};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// `{practitioner}{location}`: both UUIDs in 32-digit hex, concatenated (64 characters).
///
/// Why not `{practitioner}.{location}` with hyphenated UUIDs: that is 73 characters,
/// and a FHIR id is at most 64 (`[A-Za-z0-9\-\.]{1,64}`). The dotted form is still
/// accepted on input for clients that build ids by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScheduleId {
    pub practitioner: PractitionerId,
    pub location: LocationId,
}

impl fmt::Display for ScheduleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.practitioner.0.simple(), self.location.0.simple())
    }
}

impl FromStr for ScheduleId {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (p, l) = match s.split_once('.') {
            Some(pair) => pair,
            None if s.len() == 64 && s.is_ascii() => s.split_at(32),
            None => return Err(()),
        };
        let parse = |x: &str| Uuid::try_parse(x).map_err(|_| ());
        Ok(Self { practitioner: PractitionerId(parse(p)?), location: LocationId(parse(l)?) })
    }
}

fn service_type(links: &Links, s: &Service) -> Value {
    json!({
        "coding": [{ "system": links.service_system(), "code": s.id.to_string(), "display": s.name }],
        "text": s.name,
    })
}

/// "Monday 08:00-12:00, 13:00-17:00; Wednesday 08:00-12:00 (America/Sao_Paulo)".
/// R4's Schedule has no structured weekly hours, so they travel as its comment.
pub fn hours_text(hours: &WeeklyHours, location: &Location) -> String {
    let mut intervals = hours.intervals.clone();
    intervals.sort_by_key(|i| (i.weekday.to_monday_zero_offset(), i.hours));
    let mut days: Vec<(jiff::civil::Weekday, Vec<String>)> = Vec::new();
    for i in intervals {
        let span = format!("{}-{}", i.hours.start().strftime("%H:%M"), i.hours.end().strftime("%H:%M"));
        match days.last_mut() {
            Some((day, spans)) if *day == i.weekday => spans.push(span),
            _ => days.push((i.weekday, vec![span])),
        }
    }
    let days: Vec<String> = days
        .into_iter()
        .map(|(day, spans)| {
            let name = weekday_serde::name(day);
            let mut chars = name.chars();
            let name: String =
                chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect();
            format!("{name} {}", spans.join(", "))
        })
        .collect();
    if days.is_empty() {
        return "No weekly hours".to_owned();
    }
    format!("{} ({})", days.join("; "), location.timezone.as_str())
}

/// A Schedule: one practitioner at one location, bookable for `services` (those of the
/// practitioner's department), from now to the tenant's booking horizon.
pub fn schedule(
    links: &Links,
    p: &Practitioner,
    l: &Location,
    hours: &WeeklyHours,
    services: &[&Service],
    horizon: (Timestamp, Timestamp),
) -> Value {
    let id = ScheduleId { practitioner: p.id, location: l.id };
    json!({
        "resourceType": "Schedule",
        "id": id.to_string(),
        "active": p.active,
        "serviceType": services.iter().map(|s| service_type(links, s)).collect::<Vec<_>>(),
        "specialty": [concept(&p.department)],
        "actor": [
            reference("Practitioner", &p.id.to_string(), Some(&p.name)),
            reference("Location", &l.id.to_string(), Some(&l.name)),
        ],
        "planningHorizon": { "start": horizon.0.to_string(), "end": horizon.1.to_string() },
        "comment": hours_text(hours, l),
    })
}

/// A computed free slot. Its id is derived from what makes it unique (practitioner,
/// location, service, start), so the same free slot has the same id in every search.
pub fn slot(links: &Links, slot: &Slot, service: &Service) -> Value {
    let schedule = ScheduleId { practitioner: slot.practitioner_id, location: slot.location_id };
    json!({
        "resourceType": "Slot",
        "id": slot_id(slot).to_string(),
        "schedule": { "reference": format!("Schedule/{schedule}") },
        "status": "free",
        "start": slot.start.to_string(),
        "end": slot.end.to_string(),
        "serviceType": [service_type(links, service)],
        "specialty": [concept(&service.department)],
    })
}

/// A version 8 (custom) UUID from two FNV-1a hashes. Not a security boundary: it only
/// has to be stable and practically collision-free, and FNV is stable across Rust
/// releases where `std`'s hasher is not.
pub fn slot_id(slot: &Slot) -> Uuid {
    let mut bytes = Vec::with_capacity(56);
    bytes.extend_from_slice(slot.practitioner_id.0.as_bytes());
    bytes.extend_from_slice(slot.location_id.0.as_bytes());
    bytes.extend_from_slice(slot.service_id.0.as_bytes());
    bytes.extend_from_slice(&slot.start.as_second().to_be_bytes());
    let fnv =
        |basis: u64| bytes.iter().fold(basis, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3));
    let (hi, lo) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142));
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&hi.to_be_bytes());
    out[8..].copy_from_slice(&lo.to_be_bytes());
    uuid::Builder::from_custom_bytes(out).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_domain::scheduling::{LocalInterval, WeeklyInterval};
    use frontdesk_domain::tenant::TimeZoneName;
    use frontdesk_domain::{ServiceId, TenantId};
    use jiff::civil::{Weekday, time};

    fn location() -> Location {
        Location {
            id: LocationId::new(),
            tenant_id: TenantId::new(),
            name: "Centro".into(),
            address: None,
            timezone: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
        }
    }

    #[test]
    fn schedule_ids_round_trip_and_fit_fhir_ids() {
        let id = ScheduleId { practitioner: PractitionerId::new(), location: LocationId::new() };
        let text = id.to_string();
        assert_eq!(text.len(), 64);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(text.parse::<ScheduleId>(), Ok(id));
        let dotted = format!("{}.{}", id.practitioner, id.location);
        assert_eq!(dotted.parse::<ScheduleId>(), Ok(id));
        for bad in ["", "x", "abc.def", &text[..63], &format!("{text}0")] {
            assert!(bad.parse::<ScheduleId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn hours_read_as_a_week() {
        let l = location();
        let iv = |weekday, a, b| WeeklyInterval {
            weekday,
            hours: LocalInterval::new(time(a, 0, 0, 0), time(b, 0, 0, 0)).unwrap(),
        };
        let hours = WeeklyHours {
            practitioner_id: PractitionerId::new(),
            location_id: l.id,
            intervals: vec![
                iv(Weekday::Wednesday, 8, 12),
                iv(Weekday::Monday, 13, 17),
                iv(Weekday::Monday, 8, 12),
            ],
        };
        assert_eq!(
            hours_text(&hours, &l),
            "Monday 08:00-12:00, 13:00-17:00; Wednesday 08:00-12:00 (America/Sao_Paulo)"
        );
        assert_eq!(hours_text(&WeeklyHours { intervals: vec![], ..hours }, &l), "No weekly hours");
    }

    #[test]
    fn slot_ids_are_stable_and_distinct() {
        let s = Slot {
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            service_id: ServiceId::new(),
            start: "2026-06-03T13:00:00Z".parse().unwrap(),
            end: "2026-06-03T13:30:00Z".parse().unwrap(),
        };
        assert_eq!(slot_id(&s), slot_id(&s.clone()));
        assert_eq!(slot_id(&s).get_version_num(), 8);
        let later = Slot { start: "2026-06-03T13:15:00Z".parse().unwrap(), ..s };
        assert_ne!(slot_id(&s), slot_id(&later));
    }
}
