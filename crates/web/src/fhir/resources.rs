//! Pure mappings from domain types to FHIR R4 (4.0.1) resources as JSON. No I/O here, so
//! every status and invariant is unit-tested (see `resources_tests.rs`).

use frontdesk_domain::noshow::{Risk, RiskLevel};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentStatus, Location, Practitioner, Service};
use serde_json::{Map, Value, json};

/// Where this server's FHIR resources live, for `fullUrl`s and the URIs of the code and
/// identifier systems it defines itself.
#[derive(Debug, Clone)]
pub struct Links {
    /// e.g. `https://clinic.example/fhir/R4`, without a trailing slash.
    pub base: String,
}

impl Links {
    pub fn new(public_url: &str) -> Self {
        Self { base: format!("{}/fhir/R4", public_url.trim_end_matches('/')) }
    }
    pub fn full_url(&self, resource_type: &str, id: &str) -> String {
        format!("{}/{resource_type}/{id}", self.base)
    }
    /// Codes of the clinic's services (appointment types) are their ids.
    pub fn service_system(&self) -> String {
        format!("{}/CodeSystem/service", self.base)
    }
    /// Ids that a patient or appointment has in the clinic's external system of record.
    pub fn external_id_system(&self) -> String {
        format!("{}/sid/external-id", self.base)
    }
    /// The extension carrying an upcoming appointment's no-show risk.
    pub fn no_show_risk_extension(&self) -> String {
        format!("{}/StructureDefinition/no-show-risk", self.base)
    }
}

/// Adds the no-show risk to an Appointment as a complex extension: `probability`
/// (decimal), `level` (low, medium, high) and one `reason` code per reason, strongest
/// first.
pub fn with_no_show_risk(links: &Links, mut appointment: Value, risk: &Risk) -> Value {
    let level = match risk.level() {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    };
    let mut parts = vec![
        json!({ "url": "probability", "valueDecimal": (risk.probability * 1000.0).round() / 1000.0 }),
        json!({ "url": "level", "valueCode": level }),
    ];
    parts.extend(risk.reasons.iter().map(|r| json!({ "url": "reason", "valueCode": r.code })));
    let extension = json!({ "url": links.no_show_risk_extension(), "extension": parts });
    match appointment.get_mut("extension").and_then(Value::as_array_mut) {
        Some(existing) => existing.push(extension),
        None => appointment["extension"] = json!([extension]),
    }
    appointment
}

pub fn concept(text: &str) -> Value {
    json!({ "text": text })
}

pub fn reference(resource_type: &str, id: &str, display: Option<&str>) -> Value {
    let mut r = json!({ "reference": format!("{resource_type}/{id}") });
    if let Some(d) = display {
        r["display"] = json!(d);
    }
    r
}

/// The R4 status for ours. `confirmed` has no status of its own in R4: it is `booked`,
/// with the patient's participation `accepted` (see [`patient_participation`]).
pub fn appointment_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Booked | AppointmentStatus::Confirmed => "booked",
        AppointmentStatus::CheckedIn => "checked-in",
        AppointmentStatus::Completed => "fulfilled",
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::NoShow => "noshow",
    }
}

/// Our statuses an R4 status code stands for, for `status=` searches: `None` for a code
/// outside R4's value set, an empty list for R4 codes this server never produces.
/// `arrived` is accepted as a synonym of `checked-in`.
pub fn statuses_for_code(code: &str) -> Option<&'static [AppointmentStatus]> {
    use AppointmentStatus as S;
    Some(match code {
        "booked" => &[S::Booked, S::Confirmed],
        "checked-in" | "arrived" => &[S::CheckedIn],
        "fulfilled" => &[S::Completed],
        "cancelled" => &[S::Cancelled],
        "noshow" => &[S::NoShow],
        "proposed" | "pending" | "waitlist" | "entered-in-error" => &[],
        _ => return None,
    })
}

/// `accepted` once the patient confirmed (or came, which implies it); otherwise the
/// clinic is still waiting for their answer.
pub fn patient_participation(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Confirmed | AppointmentStatus::CheckedIn | AppointmentStatus::Completed => {
            "accepted"
        }
        AppointmentStatus::Booked | AppointmentStatus::Cancelled | AppointmentStatus::NoShow => {
            "needs-action"
        }
    }
}

/// What an Appointment refers to, when it still exists in the catalog.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppointmentRefs<'a> {
    pub practitioner: Option<&'a Practitioner>,
    pub location: Option<&'a Location>,
    pub service: Option<&'a Service>,
}

/// Satisfies app-1 (every participant has an actor), app-2/app-3 (start and end are
/// always both present) and app-4 (`cancelationReason`, R4 spelling, only when cancelled).
pub fn appointment(links: &Links, a: &Appointment, refs: AppointmentRefs<'_>) -> Value {
    let participant =
        |actor: Value, status: &str| json!({ "actor": actor, "required": "required", "status": status });
    // The patient's name is left out on purpose: reading it is a Patient read, audited as such.
    let participants = vec![
        participant(reference("Patient", &a.patient_id.to_string(), None), patient_participation(a.status)),
        participant(
            reference(
                "Practitioner",
                &a.practitioner_id.to_string(),
                refs.practitioner.map(|p| p.name.as_str()),
            ),
            "accepted",
        ),
        participant(
            reference("Location", &a.location_id.to_string(), refs.location.map(|l| l.name.as_str())),
            "accepted",
        ),
    ];
    let mut r = json!({
        "resourceType": "Appointment",
        "id": a.id.to_string(),
        "meta": { "versionId": a.version.to_string(), "lastUpdated": a.updated_at.to_string() },
        "status": appointment_status(a.status),
        "start": a.start.to_string(),
        "end": a.end.to_string(),
        "minutesDuration": a.end.duration_since(a.start).as_mins().max(1),
        "created": a.created_at.to_string(),
        "participant": participants,
    });
    if let Some(s) = refs.service {
        r["serviceType"] = json!([{
            "coding": [{ "system": links.service_system(), "code": s.id.to_string(), "display": s.name }],
            "text": s.name,
        }]);
        r["specialty"] = json!([concept(&s.department)]);
        r["description"] = json!(s.name);
    }
    if let Some(ext) = &a.external_id {
        r["identifier"] = json!([{ "system": links.external_id_system(), "value": ext }]);
    }
    if a.status == AppointmentStatus::Cancelled
        && let Some(reason) = a.cancel_reason.as_deref().filter(|r| !r.trim().is_empty())
    {
        r["cancelationReason"] = concept(reason);
    }
    r
}

/// `{text, family, given}` with the family name taken after the last space: Brazilian and
/// most Western names end in a family name, and `text` keeps the name as written.
pub fn human_name(full: &str) -> Value {
    let full = full.trim();
    let mut name = Map::new();
    name.insert("text".into(), json!(full));
    match full.rsplit_once(' ') {
        Some((given, family)) => {
            name.insert("family".into(), json!(family));
            name.insert("given".into(), json!(given.split_whitespace().collect::<Vec<_>>()));
        }
        None if !full.is_empty() => {
            name.insert("given".into(), json!([full]));
        }
        None => {}
    }
    Value::Object(name)
}

pub fn patient(links: &Links, p: &Patient) -> Value {
    let mut telecom = vec![json!({ "system": "phone", "value": p.phone.as_str(), "use": "mobile" })];
    if let Some(email) = &p.email {
        telecom.push(json!({ "system": "email", "value": email.as_str() }));
    }
    let mut r = json!({
        "resourceType": "Patient",
        "id": p.id.to_string(),
        "active": true,
        "name": [human_name(p.name.as_str())],
        "telecom": telecom,
        "communication": [{
            "language": { "coding": [{ "system": "urn:ietf:bcp:47", "code": p.locale.as_str() }] },
            "preferred": true,
        }],
    });
    if let Some(birth) = p.birth_date {
        r["birthDate"] = json!(birth.to_string());
    }
    if let Some(ext) = &p.external_id {
        r["identifier"] = json!([{ "system": links.external_id_system(), "value": ext }]);
    }
    r
}

pub fn practitioner(p: &Practitioner) -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": p.id.to_string(),
        "active": p.active,
        "name": [human_name(&p.name)],
    })
}

/// The time zone travels in the core `timezone` extension, R4 having no element for it.
pub fn location(l: &Location) -> Value {
    let mut r = json!({
        "resourceType": "Location",
        "id": l.id.to_string(),
        "status": "active",
        "mode": "instance",
        "name": l.name,
        "extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/timezone",
            "valueCode": l.timezone.as_str(),
        }],
    });
    if let Some(address) = l.address.as_deref().filter(|a| !a.trim().is_empty()) {
        r["address"] = json!({ "text": address });
    }
    r
}
