//! The mappers against the R4 rules in PROVIDERS.md section 7: every status, the
//! Appointment invariants app-1..app-4, and the shape of each resource.

use super::resources::*;
use super::schedule::{self, ScheduleId};
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{
    Appointment, AppointmentStatus, LocalInterval, Location, Practitioner, Service, Slot, WeeklyHours,
    WeeklyInterval,
};
use frontdesk_domain::tenant::{Locale, TimeZoneName};
use frontdesk_domain::{AppointmentId, LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use jiff::Timestamp;
use serde_json::{Value, json};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn links() -> Links {
    Links::new("https://clinic.example/")
}

struct Fixture {
    practitioner: Practitioner,
    location: Location,
    service: Service,
    appointment: Appointment,
}

fn fixture(status: AppointmentStatus) -> Fixture {
    let tenant_id = TenantId::new();
    let location = Location {
        id: LocationId::new(),
        tenant_id,
        name: "Centro".into(),
        address: Some("Av. Paulista 1000, São Paulo".into()),
        timezone: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
    };
    let practitioner = Practitioner {
        id: PractitionerId::new(),
        tenant_id,
        name: "Ana Souza".into(),
        department: "Cardiology".into(),
        location_ids: vec![location.id],
        active: true,
    };
    let service = Service {
        id: ServiceId::new(),
        tenant_id,
        name: "Consulta".into(),
        department: "Cardiology".into(),
        duration_minutes: 30,
        price_cents: None,
    };
    let appointment = Appointment {
        id: AppointmentId::new(),
        tenant_id,
        patient_id: PatientId::new(),
        practitioner_id: practitioner.id,
        location_id: location.id,
        service_id: service.id,
        start: ts("2026-06-03T13:00:00Z"),
        end: ts("2026-06-03T13:30:00Z"),
        blocked_until: ts("2026-06-03T13:30:00Z"),
        status,
        version: 2,
        external_id: None,
        cancel_reason: None,
        created_at: ts("2026-06-01T12:00:00Z"),
        updated_at: ts("2026-06-01T12:05:00Z"),
    };
    Fixture { practitioner, location, service, appointment }
}

impl Fixture {
    fn map(&self) -> Value {
        let refs = AppointmentRefs {
            practitioner: Some(&self.practitioner),
            location: Some(&self.location),
            service: Some(&self.service),
        };
        appointment(&links(), &self.appointment, refs)
    }
}

const R4_STATUSES: [&str; 10] = [
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
];

/// The R4 Appointment rules, evaluated on the JSON as a validator would.
fn violations(a: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    let status = a["status"].as_str().unwrap_or_default();
    if !R4_STATUSES.contains(&status) {
        out.push("status");
    }
    let participants = a["participant"].as_array().cloned().unwrap_or_default();
    if participants.is_empty() {
        out.push("participant 1..*");
    }
    for p in &participants {
        if !["accepted", "declined", "tentative", "needs-action"]
            .contains(&p["status"].as_str().unwrap_or(""))
        {
            out.push("participant.status");
        }
        if p.get("required").is_some_and(|r| {
            !["required", "optional", "information-only"].contains(&r.as_str().unwrap_or(""))
        }) {
            out.push("participant.required");
        }
        if p.get("type").is_none() && p.get("actor").is_none() {
            out.push("app-1");
        }
    }
    let (start, end) = (a.get("start").is_some(), a.get("end").is_some());
    if start != end {
        out.push("app-2");
    }
    if !(start && end || ["proposed", "cancelled", "waitlist"].contains(&status)) {
        out.push("app-3");
    }
    if a.get("cancelationReason").is_some() && !["cancelled", "noshow"].contains(&status) {
        out.push("app-4");
    }
    if a.get("cancellationReason").is_some() {
        out.push("R5 spelling");
    }
    out
}

#[test]
fn the_invariant_checker_catches_each_violation() {
    let good = fixture(AppointmentStatus::Booked).map();
    assert!(violations(&good).is_empty());
    let mut v = good.clone();
    v["participant"][0].as_object_mut().unwrap().remove("actor");
    assert_eq!(violations(&v), ["app-1"]);
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("end");
    assert_eq!(violations(&v), ["app-2", "app-3"]);
    let mut v = good.clone();
    v["cancelationReason"] = json!({ "text": "x" });
    assert_eq!(violations(&v), ["app-4"]);
    let mut v = good;
    v["participant"][1]["status"] = json!("maybe");
    assert_eq!(violations(&v), ["participant.status"]);
}

#[test]
fn every_status_maps_and_satisfies_the_invariants() {
    use AppointmentStatus as S;
    let expected = [
        (S::Booked, "booked", "needs-action"),
        (S::Confirmed, "booked", "accepted"),
        (S::CheckedIn, "checked-in", "accepted"),
        (S::Completed, "fulfilled", "accepted"),
        (S::Cancelled, "cancelled", "needs-action"),
        (S::NoShow, "noshow", "needs-action"),
    ];
    assert_eq!(expected.len(), S::ALL.len());
    for (status, fhir, patient) in expected {
        let mut f = fixture(status);
        f.appointment.cancel_reason = Some("patient asked".into());
        let a = f.map();
        assert_eq!(a["status"], fhir, "{status}");
        assert_eq!(a["participant"][0]["status"], patient, "{status}");
        assert_eq!(violations(&a), Vec::<&str>::new(), "{status}: {a}");
        // The search mapping reads the status back.
        assert!(statuses_for_code(fhir).unwrap().contains(&status), "{status}");
    }
}

#[test]
fn search_codes_cover_r4_and_nothing_else() {
    for code in R4_STATUSES {
        assert!(statuses_for_code(code).is_some(), "{code}");
    }
    assert_eq!(statuses_for_code("arrived"), statuses_for_code("checked-in"));
    assert_eq!(statuses_for_code("proposed"), Some(&[][..]));
    for bad in ["confirmed", "no_show", "Booked", ""] {
        assert_eq!(statuses_for_code(bad), None, "{bad}");
    }
}

#[test]
fn cancelation_reason_only_when_cancelled_with_a_reason() {
    let mut f = fixture(AppointmentStatus::Cancelled);
    f.appointment.cancel_reason = Some("travelling".into());
    assert_eq!(f.map()["cancelationReason"], json!({ "text": "travelling" }));
    f.appointment.cancel_reason = Some("  ".into());
    assert!(f.map().get("cancelationReason").is_none());
    f.appointment.cancel_reason = None;
    assert!(f.map().get("cancelationReason").is_none());
    // A stale reason on a later no-show is not this appointment's cancellation.
    let mut f = fixture(AppointmentStatus::NoShow);
    f.appointment.cancel_reason = Some("travelling".into());
    assert!(f.map().get("cancelationReason").is_none());
}

#[test]
fn appointment_shape() {
    let mut f = fixture(AppointmentStatus::Confirmed);
    f.appointment.external_id = Some("ns-42".into());
    let a = f.map();
    assert_eq!(a["resourceType"], "Appointment");
    assert_eq!(a["id"], f.appointment.id.to_string());
    assert_eq!(a["start"], "2026-06-03T13:00:00Z");
    assert_eq!(a["end"], "2026-06-03T13:30:00Z");
    assert_eq!(a["minutesDuration"], 30);
    assert_eq!(a["meta"]["versionId"], "2");
    assert_eq!(a["serviceType"][0]["text"], "Consulta");
    assert_eq!(a["serviceType"][0]["coding"][0]["code"], f.service.id.to_string());
    assert_eq!(
        a["serviceType"][0]["coding"][0]["system"],
        "https://clinic.example/fhir/R4/CodeSystem/service"
    );
    assert_eq!(a["specialty"][0]["text"], "Cardiology");
    assert_eq!(a["identifier"][0]["value"], "ns-42");
    let p = &a["participant"];
    assert_eq!(p[0]["actor"], json!({ "reference": format!("Patient/{}", f.appointment.patient_id) }));
    assert_eq!(p[1]["actor"]["reference"], format!("Practitioner/{}", f.practitioner.id));
    assert_eq!(p[1]["actor"]["display"], "Ana Souza");
    assert_eq!(p[2]["actor"]["reference"], format!("Location/{}", f.location.id));
    for i in 0..3 {
        assert_eq!(p[i]["required"], "required");
    }
    // Without catalog rows (deleted since), the references remain and stay valid.
    let bare = appointment(&links(), &f.appointment, AppointmentRefs::default());
    assert!(bare.get("serviceType").is_none());
    assert!(bare["participant"][1]["actor"].get("display").is_none());
    assert!(violations(&bare).is_empty());
}

#[test]
fn names_split_on_the_last_space() {
    assert_eq!(
        human_name("Maria da Silva"),
        json!({ "text": "Maria da Silva", "family": "Silva", "given": ["Maria", "da"] })
    );
    assert_eq!(human_name("Cher"), json!({ "text": "Cher", "given": ["Cher"] }));
    assert_eq!(human_name(" "), json!({ "text": "" }));
}

#[test]
fn patient_shape() {
    let name = PersonName::parse("Maria da Silva").unwrap();
    let phone = PhoneE164::parse("+5511987654321", "BR").unwrap();
    let mut p = Patient::new(TenantId::new(), name, phone, Locale::PtBr, ts("2026-06-01T12:00:00Z"));
    let bare = patient(&links(), &p);
    assert_eq!(bare["telecom"], json!([{ "system": "phone", "value": "+5511987654321", "use": "mobile" }]));
    assert!(bare.get("identifier").is_none() && bare.get("birthDate").is_none());
    p.email = Some(Email::parse("maria@example.com").unwrap());
    p.birth_date = Some("1990-04-02".parse().unwrap());
    p.external_id = Some("ns-7".into());
    let r = patient(&links(), &p);
    assert_eq!(r["resourceType"], "Patient");
    assert_eq!(r["id"], p.id.to_string());
    assert_eq!(r["name"][0]["family"], "Silva");
    assert_eq!(r["telecom"][1], json!({ "system": "email", "value": "maria@example.com" }));
    assert_eq!(r["birthDate"], "1990-04-02");
    assert_eq!(
        r["identifier"][0],
        json!({ "system": "https://clinic.example/fhir/R4/sid/external-id", "value": "ns-7" })
    );
    assert_eq!(r["communication"][0]["language"]["coding"][0]["code"], "pt-BR");
}

#[test]
fn practitioner_and_location_shape() {
    let f = fixture(AppointmentStatus::Booked);
    let p = practitioner(&f.practitioner);
    assert_eq!((p["resourceType"].as_str(), p["active"].as_bool()), (Some("Practitioner"), Some(true)));
    assert_eq!(p["name"][0]["given"], json!(["Ana"]));
    let l = location(&f.location);
    assert_eq!(l["resourceType"], "Location");
    assert_eq!(l["name"], "Centro");
    assert_eq!(l["address"]["text"], "Av. Paulista 1000, São Paulo");
    assert_eq!(l["extension"][0]["valueCode"], "America/Sao_Paulo");
    let no_address = location(&Location { address: None, ..f.location });
    assert!(no_address.get("address").is_none());
}

#[test]
fn schedule_and_slot_have_their_required_elements() {
    let f = fixture(AppointmentStatus::Booked);
    let hours = WeeklyHours {
        practitioner_id: f.practitioner.id,
        location_id: f.location.id,
        intervals: vec![WeeklyInterval {
            weekday: jiff::civil::Weekday::Monday,
            hours: LocalInterval::new(jiff::civil::time(8, 0, 0, 0), jiff::civil::time(12, 0, 0, 0)).unwrap(),
        }],
    };
    let horizon = (ts("2026-06-01T12:00:00Z"), ts("2026-07-31T12:00:00Z"));
    let s = schedule::schedule(&links(), &f.practitioner, &f.location, &hours, &[&f.service], horizon);
    let id = ScheduleId { practitioner: f.practitioner.id, location: f.location.id };
    assert_eq!(s["resourceType"], "Schedule");
    assert_eq!(s["id"], id.to_string());
    assert_eq!(s["active"], true);
    assert_eq!(s["actor"][0]["reference"], format!("Practitioner/{}", f.practitioner.id));
    assert_eq!(s["actor"][1]["reference"], format!("Location/{}", f.location.id));
    assert_eq!(s["specialty"][0]["text"], "Cardiology");
    assert_eq!(s["serviceType"][0]["text"], "Consulta");
    assert_eq!(s["comment"], "Monday 08:00-12:00 (America/Sao_Paulo)");
    let slot = Slot {
        practitioner_id: f.practitioner.id,
        location_id: f.location.id,
        service_id: f.service.id,
        start: ts("2026-06-08T11:00:00Z"),
        end: ts("2026-06-08T11:30:00Z"),
    };
    let r = schedule::slot(&links(), &slot, &f.service);
    assert_eq!(r["resourceType"], "Slot");
    assert_eq!(r["schedule"]["reference"], format!("Schedule/{id}"));
    assert_eq!((r["status"].as_str(), r["start"].as_str()), (Some("free"), Some("2026-06-08T11:00:00Z")));
    assert_eq!(r["end"], "2026-06-08T11:30:00Z");
    assert_eq!(r["id"], schedule::slot_id(&slot).to_string());
}
