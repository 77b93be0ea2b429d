//! Query parsing: date precision and prefixes, references, and each search's rules.

use super::search::*;
use axum::http::{StatusCode, Uri};
use frontdesk_domain::scheduling::AppointmentStatus;
use jiff::Timestamp;
use jiff::tz::TimeZone;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn params(query: &str) -> Params {
    Params::parse(&format!("/x?{query}").parse::<Uri>().unwrap()).unwrap()
}

fn window(query: &str, zone: &str) -> Window {
    let zone = TimeZone::get(zone).unwrap();
    let dates: Vec<DateParam> = params(query).into_dates("date");
    Window::of(&dates, &zone).unwrap()
}

impl Params {
    fn into_dates(self, name: &str) -> Vec<DateParam> {
        AppointmentSearch::parse(&self)
            .map(|s| s.dates)
            .unwrap_or_else(|e| panic!("{name}: {}", e.diagnostics))
    }
}

#[test]
fn a_date_covers_its_precision() {
    let sp = "America/Sao_Paulo";
    // A day in the clinic's zone (UTC-3).
    let w = window("date=2026-06-03", sp);
    assert_eq!((w.from, w.to), (Some(ts("2026-06-03T03:00:00Z")), Some(ts("2026-06-04T03:00:00Z"))));
    let w = window("date=2026-06", "UTC");
    assert_eq!((w.from, w.to), (Some(ts("2026-06-01T00:00:00Z")), Some(ts("2026-07-01T00:00:00Z"))));
    let w = window("date=2026", "UTC");
    assert_eq!((w.from, w.to), (Some(ts("2026-01-01T00:00:00Z")), Some(ts("2027-01-01T00:00:00Z"))));
    let w = window("date=2026-06-03T10:00:00Z", sp);
    assert_eq!((w.from, w.to), (Some(ts("2026-06-03T10:00:00Z")), Some(ts("2026-06-03T10:00:01Z"))));
    // Minute precision, local time (no offset) in the zone.
    let w = window("date=2026-06-03T10:00", sp);
    assert_eq!((w.from, w.to), (Some(ts("2026-06-03T13:00:00Z")), Some(ts("2026-06-03T13:01:00Z"))));
}

#[test]
fn prefixes_bound_the_start() {
    let w = window("date=ge2026-06-01&date=le2026-06-30", "UTC");
    assert_eq!((w.from, w.to), (Some(ts("2026-06-01T00:00:00Z")), Some(ts("2026-07-01T00:00:00Z"))));
    let w = window("date=gt2026-06-01&date=lt2026-06-30", "UTC");
    assert_eq!((w.from, w.to), (Some(ts("2026-06-02T00:00:00Z")), Some(ts("2026-06-30T00:00:00Z"))));
    // Repeated bounds all hold: the tighter one wins.
    let w = window("date=ge2026-06-01&date=ge2026-06-10&date=le2026-06-20&date=le2026-06-30", "UTC");
    assert_eq!((w.from, w.to), (Some(ts("2026-06-10T00:00:00Z")), Some(ts("2026-06-21T00:00:00Z"))));
    assert!(!w.is_empty());
    assert!(window("date=ge2026-06-10&date=lt2026-06-10", "UTC").is_empty());
    assert_eq!(window("", "UTC"), Window::default());
}

#[test]
fn offsets_survive_an_unencoded_plus() {
    // `+03:00` sent without %2B arrives as a space.
    let w = window("date=ge2026-06-03T10:00:00+03:00", "UTC");
    assert_eq!(w.from, Some(ts("2026-06-03T07:00:00Z")));
    let w = window("date=ge2026-06-03T10:00:00%2B03:00", "UTC");
    assert_eq!(w.from, Some(ts("2026-06-03T07:00:00Z")));
    let w = window("date=ge2026-06-03T10:00:00-03:00", "UTC");
    assert_eq!(w.from, Some(ts("2026-06-03T13:00:00Z")));
}

#[test]
fn bad_dates_are_refused() {
    for bad in ["2026-13-01", "tomorrow", "ge", "2026-6-1", "xx2026-06-01", "2026-06-03T25:00Z", "20260603"] {
        assert!(DateParam::parse(bad).is_err(), "{bad}");
    }
    for unsupported in ["ne2026-06-01", "sa2026-06-01", "eb2026-06-01", "ap2026-06-01"] {
        assert!(DateParam::parse(unsupported).unwrap_err().contains("not supported"), "{unsupported}");
    }
}

#[test]
fn references_accept_the_usual_spellings() {
    let id = uuid::Uuid::now_v7();
    for raw in [format!("Patient/{id}"), id.to_string(), format!("https://x.example/fhir/R4/Patient/{id}")] {
        assert_eq!(reference(&raw, "Patient").unwrap(), id, "{raw}");
    }
    assert!(reference(&format!("Practitioner/{id}"), "Patient").is_err());
    assert!(reference("Patient/42", "Patient").is_err());
}

#[test]
fn appointment_search_parses_every_parameter() {
    let (p, d) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let q = AppointmentSearch::parse(&params(&format!(
        "date=ge2026-06-01&date=le2026-06-30&patient=Patient/{p}&practitioner={d}&status=booked,noshow"
    )))
    .unwrap();
    assert_eq!(q.dates.len(), 2);
    assert_eq!(q.patient.map(|x| x.0), Some(p));
    assert_eq!(q.practitioner.map(|x| x.0), Some(d));
    use AppointmentStatus as S;
    assert_eq!(q.statuses, Some(vec![S::Booked, S::Confirmed, S::NoShow]));
    let q = AppointmentSearch::parse(&params("status=waitlist")).unwrap();
    assert_eq!(q.statuses, Some(vec![]));
    assert_eq!(AppointmentSearch::parse(&params("")).unwrap().statuses, None);
}

#[test]
fn appointment_search_refusals_are_400() {
    let cases = [
        ("status=confirmed", "invalid"),
        ("patient=Practitioner/0197a000-0000-7000-8000-000000000000", "invalid"),
        ("patient=abc", "invalid"),
        ("date=yesterday", "invalid"),
        ("date=ne2026-06-01", "invalid"),
        ("date=", "invalid"),
        ("_count=10", "not-supported"),
        ("patient:missing=true", "not-supported"),
        ("status=booked&status=noshow", "not-supported"),
    ];
    for (query, code) in cases {
        let err =
            AppointmentSearch::parse(&params(query)).err().unwrap_or_else(|| panic!("{query} accepted"));
        assert_eq!((err.status, err.code), (StatusCode::BAD_REQUEST, code), "{query}: {}", err.diagnostics);
    }
}

#[test]
fn slot_search_needs_a_schedule() {
    let err = SlotSearch::parse(&params("start=ge2026-06-01")).err().unwrap();
    assert!(err.diagnostics.contains("schedule is required"));
    assert!(SlotSearch::parse(&params("schedule=Schedule/nope")).is_err());
    let p = frontdesk_domain::PractitionerId::new();
    let l = frontdesk_domain::LocationId::new();
    let id = super::ScheduleId { practitioner: p, location: l };
    let q = SlotSearch::parse(&params(&format!("schedule=Schedule/{id}&start=ge2026-06-01&status=free")))
        .unwrap();
    assert_eq!((q.schedule, q.starts.len(), q.wants_free, q.service), (id, 1, true, None));
    let q = SlotSearch::parse(&params(&format!("schedule={id}&status=busy"))).unwrap();
    assert!(!q.wants_free);
    assert!(SlotSearch::parse(&params(&format!("schedule={id}&status=open"))).is_err());
    let s = uuid::Uuid::now_v7();
    let q =
        SlotSearch::parse(&params(&format!("schedule={id}&service-type=https://x/CodeSystem/service|{s}")))
            .unwrap();
    assert_eq!(q.service.map(|x| x.0), Some(s));
}

#[test]
fn schedule_actor_filter() {
    let id = uuid::Uuid::now_v7();
    assert_eq!(schedule_actor(&params("")).unwrap(), None);
    assert_eq!(
        schedule_actor(&params(&format!("actor=Location/{id}"))).unwrap(),
        Some(ActorFilter::Location(id))
    );
    assert_eq!(
        schedule_actor(&params(&format!("actor=Practitioner/{id}"))).unwrap(),
        Some(ActorFilter::Practitioner(id))
    );
    assert!(schedule_actor(&params(&format!("actor={id}"))).is_err());
    assert!(schedule_actor(&params("active=true")).is_err());
}
