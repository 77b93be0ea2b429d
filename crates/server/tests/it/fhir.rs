//! The FHIR R4 read API over HTTP on both backends: every resource type, status mapping,
//! search filters, Bundle shape, OperationOutcome errors, tenant isolation and auditing.

use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::{
    Appointment, AppointmentAction, LocalInterval, Location, Practitioner, Service, WeeklyHours,
    WeeklyInterval,
};
use frontdesk_domain::tenant::{Tenant, TimeZoneName};
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling::{
    ActionRequest, BookingRequest, PatientRef, apply_action, book, create_location, create_practitioner,
    create_service, set_weekly_hours,
};
use frontdesk_test_support::{TestApp, backend_tests};
use jiff::civil::{Weekday, time};
use serde_json::Value;

backend_tests!(
    appointment_read_maps_statuses,
    appointment_search_filters_into_a_bundle,
    patient_read_is_audited,
    catalog_resources_and_schedules,
    slots_are_the_free_ones,
    another_tenants_ids_are_unknown,
    errors_are_operation_outcomes,
);

/// A clinic with one cardiologist working weekdays 08-12 and 13-17 (São Paulo time), a
/// 30-minute consultation, a dermatology service she does not offer, and one booking
/// on Wednesday 2026-06-03 at 10:00 local (13:00Z).
struct Clinic {
    tenant: Tenant,
    key: String,
    location: Location,
    practitioner: Practitioner,
    service: Service,
    appointment: Appointment,
}

async fn clinic(app: &TestApp, slug: &str) -> Clinic {
    let ctx = &app.ctx;
    let (tenant, key) = app.tenant_with_key(slug).await;
    let location = Location {
        id: LocationId::new(),
        tenant_id: tenant.id,
        name: "Unidade Centro".into(),
        address: Some("Av. Paulista 1000".into()),
        timezone: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
    };
    let location = create_location(ctx, location).await.unwrap();
    let practitioner = Practitioner {
        id: PractitionerId::new(),
        tenant_id: tenant.id,
        name: "Ana Souza".into(),
        department: "Cardiology".into(),
        location_ids: vec![location.id],
        active: true,
    };
    let practitioner = create_practitioner(ctx, practitioner).await.unwrap();
    let service = |name: &str, department: &str| Service {
        id: ServiceId::new(),
        tenant_id: tenant.id,
        name: name.into(),
        department: department.into(),
        duration_minutes: 30,
        price_cents: None,
    };
    let consult = create_service(ctx, service("Consulta", "Cardiology")).await.unwrap();
    create_service(ctx, service("Peeling", "Dermatology")).await.unwrap();
    let mut intervals = Vec::new();
    for weekday in [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
    {
        for (a, b) in [(8, 12), (13, 17)] {
            let hours = LocalInterval::new(time(a, 0, 0, 0), time(b, 0, 0, 0)).unwrap();
            intervals.push(WeeklyInterval { weekday, hours });
        }
    }
    let hours = WeeklyHours { practitioner_id: practitioner.id, location_id: location.id, intervals };
    set_weekly_hours(ctx, tenant.id, hours).await.unwrap();
    let appointment = book_for(
        app,
        (&tenant, &practitioner, &location, &consult),
        "Maria da Silva",
        "+5511987654321",
        "2026-06-03T13:00:00Z",
    )
    .await;
    Clinic { tenant, key, location, practitioner, service: consult, appointment }
}

async fn book_for(
    app: &TestApp,
    (tenant, practitioner, location, service): (&Tenant, &Practitioner, &Location, &Service),
    name: &str,
    phone: &str,
    start: &str,
) -> Appointment {
    let patient = PatientRef::Contact {
        name: PersonName::parse(name).unwrap(),
        phone: PhoneE164::parse(phone, "BR").unwrap(),
        email: Some(Email::parse("paciente@example.com").unwrap()),
    };
    let request = BookingRequest {
        tenant_id: tenant.id,
        patient,
        practitioner_id: practitioner.id,
        location_id: location.id,
        service_id: service.id,
        start: start.parse().unwrap(),
        idempotency: None,
        actor: "test".into(),
        confirmation: Default::default(),
    };
    book(&app.ctx, request).await.unwrap().appointment
}

impl Clinic {
    async fn book(&self, app: &TestApp, name: &str, phone: &str, start: &str) -> Appointment {
        let parts = (&self.tenant, &self.practitioner, &self.location, &self.service);
        book_for(app, parts, name, phone, start).await
    }

    async fn act(&self, app: &TestApp, a: &Appointment, action: AppointmentAction, reason: Option<&str>) {
        let request = ActionRequest {
            action,
            reason: reason.map(str::to_owned),
            new_start: None,
            actor: "test".into(),
            confirmation: Default::default(),
        };
        apply_action(&app.ctx, self.tenant.id, a.id, request).await.unwrap();
    }

    fn schedule_id(&self) -> String {
        format!("{}{}", self.practitioner.id.0.simple(), self.location.id.0.simple())
    }
}

/// GETs a FHIR path, checks the media type, and returns status and body.
async fn fhir(app: &TestApp, key: Option<&str>, path: &str) -> (u16, Value) {
    let mut request = app.http.get(app.url(path));
    if let Some(key) = key {
        request = request.header("X-API-KEY", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let media = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(media.starts_with("application/fhir+json"), "{path}: content-type {media:?}");
    (status, response.json().await.unwrap())
}

/// Asserts an OperationOutcome with one error issue of `code`.
fn assert_outcome(body: &Value, code: &str) {
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    assert_eq!(body["issue"][0]["severity"], "error", "{body}");
    assert_eq!(body["issue"][0]["code"], code, "{body}");
    assert!(body["issue"][0]["diagnostics"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
}

fn ids(bundle: &Value) -> Vec<String> {
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "searchset");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(bundle["total"].as_u64(), Some(entries.len() as u64));
    entries.iter().map(|e| e["resource"]["id"].as_str().unwrap().to_owned()).collect()
}

async fn appointment_read_maps_statuses(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let path = format!("/fhir/R4/Appointment/{}", c.appointment.id);
    let (status, a) = fhir(&app, Some(&c.key), &path).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["resourceType"], "Appointment");
    assert_eq!(a["status"], "booked");
    assert_eq!(a["start"], "2026-06-03T13:00:00Z");
    assert_eq!(a["end"], "2026-06-03T13:30:00Z");
    assert_eq!(a["minutesDuration"], 30);
    assert_eq!(a["serviceType"][0]["text"], "Consulta");
    assert_eq!(a["specialty"][0]["text"], "Cardiology");
    let p = &a["participant"];
    assert_eq!(p[0]["actor"]["reference"], format!("Patient/{}", c.appointment.patient_id));
    assert_eq!(p[0]["status"], "needs-action");
    assert_eq!(p[1]["actor"]["reference"], format!("Practitioner/{}", c.practitioner.id));
    assert_eq!(p[2]["actor"]["reference"], format!("Location/{}", c.location.id));
    assert!(p.as_array().unwrap().iter().all(|x| x["required"] == "required"));
    assert!(a.get("cancelationReason").is_none());

    c.act(&app, &c.appointment, AppointmentAction::Confirm, None).await;
    let (_, a) = fhir(&app, Some(&c.key), &path).await;
    assert_eq!(
        (a["status"].as_str(), a["participant"][0]["status"].as_str()),
        (Some("booked"), Some("accepted"))
    );
    c.act(&app, &c.appointment, AppointmentAction::CheckIn, None).await;
    assert_eq!(fhir(&app, Some(&c.key), &path).await.1["status"], "checked-in");
    c.act(&app, &c.appointment, AppointmentAction::Complete, None).await;
    assert_eq!(fhir(&app, Some(&c.key), &path).await.1["status"], "fulfilled");

    let other = c.book(&app, "João Lima", "+5511912345678", "2026-06-04T13:00:00Z").await;
    c.act(&app, &other, AppointmentAction::Cancel, Some("viagem")).await;
    let (_, a) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Appointment/{}", other.id)).await;
    assert_eq!(a["status"], "cancelled");
    assert_eq!(a["cancelationReason"]["text"], "viagem");
    let third = c.book(&app, "Rui Alves", "+5511923456789", "2026-06-05T13:00:00Z").await;
    // A no-show once the time has passed (never before: see dialogue_care.rs).
    app.clock.set("2026-06-05T14:00:00Z".parse().unwrap());
    c.act(&app, &third, AppointmentAction::MarkNoShow, None).await;
    let (_, a) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Appointment/{}", third.id)).await;
    assert_eq!(a["status"], "noshow");
    assert!(a.get("cancelationReason").is_none());

    // Each appointment read is audited against its patient.
    let audit = app.ctx.store.list_audit(c.tenant.id, PageRequest::new(None, Some(100))).await.unwrap();
    let reads = audit.items.iter().filter(|e| e.resource_type == "appointment" && e.action == "read");
    assert!(reads.clone().any(|e| e.patient_id == Some(c.appointment.patient_id)));
    assert!(reads.clone().any(|e| e.patient_id == Some(other.patient_id)));
}

async fn appointment_search_filters_into_a_bundle(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let second = c.book(&app, "João Lima", "+5511912345678", "2026-06-10T13:00:00Z").await;
    let third = c.book(&app, "Maria da Silva", "+5511987654321", "2026-06-17T13:00:00Z").await;
    c.act(&app, &third, AppointmentAction::Cancel, None).await;
    let first = c.appointment.id.to_string();
    let (second, third_id) = (second.id.to_string(), third.id.to_string());
    let search = |q: String| {
        let (app, key) = (&app, c.key.clone());
        async move {
            let (status, body) = fhir(app, Some(&key), &format!("/fhir/R4/Appointment?{q}")).await;
            assert_eq!(status, 200, "{q}: {body}");
            body
        }
    };

    let all = search(String::new()).await;
    assert_eq!(ids(&all), [first.as_str(), &second, &third_id]);
    let entry = &all["entry"][0];
    assert!(entry["fullUrl"].as_str().unwrap().ends_with(&format!("/fhir/R4/Appointment/{first}")));
    assert_eq!(entry["search"]["mode"], "match");
    assert!(all["link"][0]["url"].as_str().unwrap().ends_with("/fhir/R4/Appointment"));

    // Local dates in the clinic's zone: the 10th is in, the 3rd and 17th are out.
    let week = search("date=ge2026-06-04&date=le2026-06-16".into()).await;
    assert_eq!(ids(&week), [second.as_str()]);
    assert!(week["link"][0]["url"].as_str().unwrap().ends_with("?date=ge2026-06-04&date=le2026-06-16"));
    assert_eq!(ids(&search("date=2026-06-03".into()).await), [first.as_str()]);
    assert_eq!(ids(&search("date=lt2026-06-03T13:00:00Z".into()).await), Vec::<String>::new());
    let maria = format!("patient=Patient/{}", c.appointment.patient_id);
    assert_eq!(ids(&search(maria.clone()).await), [first.as_str(), &third_id]);
    assert_eq!(ids(&search(format!("{maria}&status=booked")).await), [first.as_str()]);
    assert_eq!(ids(&search("status=cancelled,noshow".into()).await), [third_id.as_str()]);
    assert_eq!(ids(&search(format!("practitioner={}", c.practitioner.id)).await).len(), 3);
    assert_eq!(ids(&search(format!("practitioner=Practitioner/{}", PractitionerId::new())).await).len(), 0);
    assert_eq!(ids(&search("status=waitlist".into()).await).len(), 0);

    let audit = app.ctx.store.list_audit(c.tenant.id, PageRequest::new(None, Some(100))).await.unwrap();
    assert!(
        audit.items.iter().any(|e| e.action == "search" && e.patient_id == Some(c.appointment.patient_id))
    );
}

async fn patient_read_is_audited(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let id = c.appointment.patient_id;
    let (status, p) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Patient/{id}")).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["resourceType"], "Patient");
    assert_eq!(p["id"], id.to_string());
    assert_eq!(p["name"][0]["text"], "Maria da Silva");
    assert_eq!(p["name"][0]["family"], "Silva");
    assert_eq!(p["name"][0]["given"], serde_json::json!(["Maria", "da"]));
    assert_eq!(p["telecom"][0]["system"], "phone");
    assert_eq!(p["telecom"][0]["value"], "+5511987654321");
    assert_eq!(p["telecom"][1]["value"], "paciente@example.com");
    let audit = app.ctx.store.list_audit(c.tenant.id, PageRequest::new(None, Some(100))).await.unwrap();
    let entry = audit.items.iter().find(|e| e.resource_type == "patient").expect("Patient read audited");
    assert_eq!((entry.action.as_str(), entry.patient_id), ("read", Some(id)));
    assert_eq!(entry.resource_id.as_deref(), Some(id.to_string().as_str()));
    assert!(entry.actor.starts_with("api_key:"));
}

async fn catalog_resources_and_schedules(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let (status, p) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Practitioner/{}", c.practitioner.id)).await;
    assert_eq!((status, p["resourceType"].as_str()), (200, Some("Practitioner")));
    assert_eq!(p["name"][0]["family"], "Souza");
    let (status, l) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Location/{}", c.location.id)).await;
    assert_eq!((status, l["name"].as_str()), (200, Some("Unidade Centro")));
    assert_eq!(l["address"]["text"], "Av. Paulista 1000");

    let (status, all) = fhir(&app, Some(&c.key), "/fhir/R4/Schedule").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&all), [c.schedule_id()]);
    let s = &all["entry"][0]["resource"];
    assert_eq!(s["active"], true);
    assert_eq!(s["actor"][0]["reference"], format!("Practitioner/{}", c.practitioner.id));
    assert_eq!(s["actor"][1]["reference"], format!("Location/{}", c.location.id));
    assert_eq!(s["specialty"][0]["text"], "Cardiology");
    // Only the department's services: not the dermatology one.
    assert_eq!(s["serviceType"].as_array().map(Vec::len), Some(1));
    assert!(s["comment"].as_str().unwrap().starts_with("Monday 08:00-12:00, 13:00-17:00; Tuesday"));
    let by_location = format!("/fhir/R4/Schedule?actor=Location/{}", c.location.id);
    assert_eq!(ids(&fhir(&app, Some(&c.key), &by_location).await.1).len(), 1);
    let elsewhere = format!("/fhir/R4/Schedule?actor=Location/{}", LocationId::new());
    assert_eq!(ids(&fhir(&app, Some(&c.key), &elsewhere).await.1).len(), 0);
    let (status, one) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Schedule/{}", c.schedule_id())).await;
    assert_eq!((status, &one), (200, s));
    let (status, meta) = fhir(&app, Some(&c.key), "/fhir/R4/metadata").await;
    assert_eq!((status, meta["fhirVersion"].as_str()), (200, Some("4.0.1")));
}

async fn slots_are_the_free_ones(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let day =
        format!("/fhir/R4/Slot?schedule=Schedule/{}&start=ge2026-06-03&start=lt2026-06-04", c.schedule_id());
    let (status, bundle) = fhir(&app, Some(&c.key), &day).await;
    assert_eq!(status, 200, "{bundle}");
    let slots: Vec<&Value> = bundle["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).collect();
    // 2 x 15 half-hour starts on the quarter hour, minus the three overlapping 10:00-10:30.
    assert_eq!(slots.len(), 27, "{bundle}");
    assert_eq!(bundle["total"], 27);
    let starts: Vec<&str> = slots.iter().map(|s| s["start"].as_str().unwrap()).collect();
    assert_eq!(starts.first(), Some(&"2026-06-03T11:00:00Z"));
    assert_eq!(starts.last(), Some(&"2026-06-03T19:30:00Z"));
    assert!(starts.contains(&"2026-06-03T12:30:00Z") && starts.contains(&"2026-06-03T13:30:00Z"));
    for booked in
        ["2026-06-03T12:45:00Z", "2026-06-03T13:00:00Z", "2026-06-03T13:15:00Z", "2026-06-03T15:00:00Z"]
    {
        assert!(!starts.contains(&booked), "{booked} is not free");
    }
    for s in &slots {
        assert_eq!(s["status"], "free");
        assert_eq!(s["schedule"]["reference"], format!("Schedule/{}", c.schedule_id()));
        assert_eq!(s["serviceType"][0]["text"], "Consulta");
        assert!(s["end"].is_string());
    }
    assert!(bundle["entry"][0]["fullUrl"].as_str().unwrap().starts_with("urn:uuid:"));
    // The same search names the same slots.
    assert_eq!(fhir(&app, Some(&c.key), &day).await.1["entry"][0]["fullUrl"], bundle["entry"][0]["fullUrl"]);

    // Cancelling frees the time again.
    c.act(&app, &c.appointment, AppointmentAction::Cancel, None).await;
    assert_eq!(fhir(&app, Some(&c.key), &day).await.1["total"], 30);

    let only_busy = format!("/fhir/R4/Slot?schedule={}&status=busy", c.schedule_id());
    assert_eq!(fhir(&app, Some(&c.key), &only_busy).await.1["total"], 0);
    let unknown =
        format!("/fhir/R4/Slot?schedule={}{}", PractitionerId::new().0.simple(), c.location.id.0.simple());
    assert_eq!(fhir(&app, Some(&c.key), &unknown).await.1["total"], 0);
    let too_wide =
        format!("/fhir/R4/Slot?schedule={}&start=ge2026-06-02&start=le2026-07-20", c.schedule_id());
    let (status, body) = fhir(&app, Some(&c.key), &too_wide).await;
    assert_eq!(status, 400);
    assert_outcome(&body, "too-costly");
    // Default window: the next 7 days from now (Monday 2026-06-01 12:00Z): 5 weekdays minus notice.
    let (_, week) = fhir(&app, Some(&c.key), &format!("/fhir/R4/Slot?schedule={}", c.schedule_id())).await;
    assert!(week["total"].as_u64().unwrap() > 100);
}

async fn another_tenants_ids_are_unknown(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let (_, other_key) = app.tenant_with_key("beta").await;
    let key = Some(other_key.as_str());
    for path in [
        format!("/fhir/R4/Appointment/{}", c.appointment.id),
        format!("/fhir/R4/Patient/{}", c.appointment.patient_id),
        format!("/fhir/R4/Practitioner/{}", c.practitioner.id),
        format!("/fhir/R4/Location/{}", c.location.id),
        format!("/fhir/R4/Schedule/{}", c.schedule_id()),
    ] {
        let (status, body) = fhir(&app, key, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_outcome(&body, "not-found");
    }
    for path in [
        format!("/fhir/R4/Appointment?patient={}", c.appointment.patient_id),
        "/fhir/R4/Appointment".to_owned(),
        "/fhir/R4/Schedule".to_owned(),
        format!("/fhir/R4/Slot?schedule={}", c.schedule_id()),
    ] {
        let (status, body) = fhir(&app, key, &path).await;
        assert_eq!((status, body["total"].as_u64()), (200, Some(0)), "{path}");
    }
    let audit = app.ctx.store.list_audit(c.tenant.id, PageRequest::new(None, Some(100))).await.unwrap();
    assert!(audit.items.is_empty(), "nothing of alpha's was disclosed");
}

async fn errors_are_operation_outcomes(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let key = Some(c.key.as_str());
    let path = format!("/fhir/R4/Patient/{}", c.appointment.patient_id);
    let (status, body) = fhir(&app, None, &path).await;
    assert_eq!(status, 401);
    assert_outcome(&body, "login");
    let (status, body) = fhir(&app, Some("fdk_00000000_nonsense"), "/fhir/R4/Appointment").await;
    assert_eq!(status, 401);
    assert_outcome(&body, "login");
    for unknown in
        [format!("/fhir/R4/Appointment/{}", uuid::Uuid::now_v7()), "/fhir/R4/Patient/42".to_owned()]
    {
        let (status, body) = fhir(&app, key, &unknown).await;
        assert_eq!(status, 404, "{unknown}");
        assert_outcome(&body, "not-found");
    }
    for (query, code) in [
        ("/fhir/R4/Appointment?date=yesterday", "invalid"),
        ("/fhir/R4/Appointment?status=confirmed", "invalid"),
        ("/fhir/R4/Appointment?patient=Practitioner/1", "invalid"),
        ("/fhir/R4/Appointment?_count=5", "not-supported"),
        ("/fhir/R4/Slot?start=ge2026-06-03", "invalid"),
        ("/fhir/R4/Schedule?actor=nobody", "invalid"),
    ] {
        let (status, body) = fhir(&app, key, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_outcome(&body, code);
    }
    for elsewhere in
        ["/fhir/R4/Observation/1", "/fhir/R4/Slot/1", "/fhir/R4/Patient/1/_history/2", "/fhir/STU3/x"]
    {
        let (status, body) = fhir(&app, key, elsewhere).await;
        assert_eq!(status, 404, "{elsewhere}");
        assert_outcome(&body, "not-supported");
    }
    let response = app.post(&path, &c.key).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let media = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(media.starts_with("application/fhir+json"), "{media}");
    assert_outcome(&response.json().await.unwrap(), "not-supported");
}
