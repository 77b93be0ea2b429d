//! Conformance cases for the calendar, patients, appointments and notifications.

use crate::*;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::jobs::{JobStatus, NewJob};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::*;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::tenant::{Locale, NewTenant, TimeZoneName};
use frontdesk_domain::*;
use jiff::civil::{Weekday, date, time};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

fn at(mins: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(mins)
}

/// A tenant with one location, two practitioners, a service and a patient.
pub struct Clinic {
    pub tenant: TenantId,
    pub location: Location,
    pub doctors: [Practitioner; 2],
    pub service: Service,
    pub patient: Patient,
}

pub async fn clinic(store: &DynStore, slug: &str) -> Clinic {
    let new = NewTenant::parse(slug, slug, "America/Sao_Paulo", "pt-BR").unwrap();
    let tenant = store.create_tenant(&new, t0()).await.unwrap().id;
    let location = Location {
        id: LocationId::new(),
        tenant_id: tenant,
        name: "Centro".into(),
        address: Some("Rua A, 1".into()),
        timezone: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
    };
    store.create_location(&location).await.unwrap();
    let doctor = |name: &str| Practitioner {
        id: PractitionerId::new(),
        tenant_id: tenant,
        name: name.into(),
        department: "Cardiologia".into(),
        location_ids: vec![location.id],
        active: true,
    };
    let doctors = [doctor("Dra. Ana"), doctor("Dr. Bruno")];
    for d in &doctors {
        store.create_practitioner(d).await.unwrap();
    }
    let service = Service {
        id: ServiceId::new(),
        tenant_id: tenant,
        name: "Consulta".into(),
        department: "Cardiologia".into(),
        duration_minutes: 30,
        price_cents: Some(25000),
    };
    store.create_service(&service).await.unwrap();
    let phone = PhoneE164::parse(&format!("+55119{:08}", rand_digits()), "BR").unwrap();
    let patient = Patient::new(tenant, PersonName::parse("Maria Souza").unwrap(), phone, Locale::PtBr, t0());
    store.create_patient(&patient).await.unwrap();
    Clinic { tenant, location, doctors, service, patient }
}

fn rand_digits() -> u32 {
    (Uuid::now_v7().as_u128() % 90_000_000) as u32 + 10_000_000
}

pub fn appointment(c: &Clinic, doctor: usize, start_min: i64, minutes: i64, buffer: u32) -> Appointment {
    let start = at(start_min);
    let end = start + SignedDuration::from_mins(minutes);
    Appointment {
        id: AppointmentId::new(),
        tenant_id: c.tenant,
        patient_id: c.patient.id,
        practitioner_id: c.doctors[doctor].id,
        location_id: c.location.id,
        service_id: c.service.id,
        start,
        end,
        blocked_until: Appointment::blocked_until_for(end, buffer),
        status: AppointmentStatus::Booked,
        version: 1,
        external_id: None,
        cancel_reason: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

/// A booking of `a` with its history event and no jobs.
pub fn booking(a: &Appointment) -> NewBooking {
    NewBooking {
        appointment: a.clone(),
        event: AppointmentEvent {
            appointment_id: a.id,
            at: t0(),
            action: "booked".into(),
            from_status: None,
            to_status: AppointmentStatus::Booked,
            actor: "test".into(),
            detail: None,
        },
        jobs: vec![],
        idempotency: None,
    }
}

fn is_slot_taken(r: &StoreResult<BookingOutcome>) -> bool {
    matches!(r, Err(StoreError::Conflict(Conflict::SlotTaken)))
}

pub async fn catalog_round_trip(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    assert_eq!(store.list_locations(c.tenant).await.unwrap(), vec![c.location.clone()]);
    assert_eq!(store.list_practitioners(c.tenant).await.unwrap(), c.doctors.to_vec());
    assert_eq!(store.list_services(c.tenant).await.unwrap(), vec![c.service.clone()]);
    let mut changed = c.doctors[1].clone();
    changed.active = false;
    changed.location_ids = vec![c.location.id, LocationId::new()];
    store.update_practitioner(&changed).await.unwrap();
    assert_eq!(store.list_practitioners(c.tenant).await.unwrap()[1], changed);
    let mut foreign = other.doctors[0].clone();
    foreign.tenant_id = c.tenant;
    assert!(matches!(store.update_practitioner(&foreign).await, Err(StoreError::NotFound)));
    // A unit renamed and a service repriced, each in place; another clinic's are not found.
    let mut unit = c.location.clone();
    unit.name = "Unidade Centro (2º andar)".into();
    unit.address = Some("Rua Nova, 10".into());
    let version = store.calendar_version(c.tenant).await.unwrap();
    store.update_location(&unit).await.unwrap();
    assert_eq!(store.list_locations(c.tenant).await.unwrap(), vec![unit.clone()]);
    assert!(store.calendar_version(c.tenant).await.unwrap() > version, "the calendar follows the unit");
    let mut service = c.service.clone();
    service.duration_minutes += 15;
    service.price_cents = Some(18_000);
    store.update_service(&service).await.unwrap();
    assert_eq!(store.list_services(c.tenant).await.unwrap(), vec![service.clone()]);
    let (mut foreign_unit, mut foreign_service) = (other.location.clone(), other.service.clone());
    foreign_unit.tenant_id = c.tenant;
    foreign_service.tenant_id = c.tenant;
    assert!(matches!(store.update_location(&foreign_unit).await, Err(StoreError::NotFound)));
    assert!(matches!(store.update_service(&foreign_service).await, Err(StoreError::NotFound)));

    let interval = |d, s, e| WeeklyInterval { weekday: d, hours: LocalInterval::new(s, e).unwrap() };
    let mut hours = WeeklyHours {
        practitioner_id: c.doctors[0].id,
        location_id: c.location.id,
        intervals: vec![interval(Weekday::Monday, time(8, 0, 0, 0), time(12, 0, 0, 0))],
    };
    store.set_weekly_hours(c.tenant, &hours).await.unwrap();
    hours.intervals.push(interval(Weekday::Monday, time(13, 0, 0, 0), time(17, 0, 0, 0)));
    store.set_weekly_hours(c.tenant, &hours).await.unwrap();
    assert_eq!(store.list_weekly_hours(c.tenant).await.unwrap(), vec![hours]);
    assert!(store.list_weekly_hours(other.tenant).await.unwrap().is_empty());

    let holiday =
        ExceptionRecord { id: Uuid::now_v7(), exception: Exception::holiday(date(2026, 12, 25), None) };
    store.add_exception(c.tenant, &holiday).await.unwrap();
    assert_eq!(store.list_exceptions(c.tenant).await.unwrap(), vec![holiday.clone()]);
    assert!(store.list_exceptions(other.tenant).await.unwrap().is_empty());
    assert!(matches!(store.delete_exception(other.tenant, holiday.id).await, Err(StoreError::NotFound)));
    store.delete_exception(c.tenant, holiday.id).await.unwrap();
    assert!(store.list_exceptions(c.tenant).await.unwrap().is_empty());
}

pub async fn settings_default_then_saved(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    assert_eq!(store.tenant_settings(c.tenant).await.unwrap(), TenantSettings::default());
    let mut s = TenantSettings::default();
    s.booking.buffer_minutes = 10;
    s.reminders.offsets_minutes = vec![120];
    store.save_tenant_settings(c.tenant, &s).await.unwrap();
    store.save_tenant_settings(c.tenant, &s).await.unwrap();
    assert_eq!(store.tenant_settings(c.tenant).await.unwrap(), s);
}

pub async fn patients_are_unique_per_phone_and_tenant(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let found = store.patient_by_phone(c.tenant, &c.patient.phone).await.unwrap();
    assert_eq!(found.as_ref(), Some(&c.patient));
    assert_eq!(store.get_patient(c.tenant, c.patient.id).await.unwrap().as_ref(), Some(&c.patient));
    assert!(store.get_patient(other.tenant, c.patient.id).await.unwrap().is_none());
    assert!(store.patient_by_phone(other.tenant, &c.patient.phone).await.unwrap().is_none());
    let twin = Patient::new(
        c.tenant,
        PersonName::parse("Outra").unwrap(),
        c.patient.phone.clone(),
        Locale::En,
        t0(),
    );
    assert!(matches!(
        store.create_patient(&twin).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Patient }))
    ));
    // The same phone in another tenant is another patient.
    let elsewhere = Patient::new(
        other.tenant,
        PersonName::parse("Maria").unwrap(),
        c.patient.phone.clone(),
        Locale::En,
        t0(),
    );
    store.create_patient(&elsewhere).await.unwrap();
    // Found by e-mail whatever the case, only in its own tenant.
    let mut mailed = c.patient.clone();
    mailed.email = Some(frontdesk_domain::contact::Email::parse("Maria.Souza@Example.com").unwrap());
    store.update_patient(&mailed).await.unwrap();
    let by_mail = store.patient_by_email(c.tenant, "maria.souza@example.COM").await.unwrap();
    assert_eq!(by_mail.map(|p| p.id), Some(c.patient.id));
    assert!(store.patient_by_email(other.tenant, "maria.souza@example.com").await.unwrap().is_none());
    assert!(store.patient_by_email(c.tenant, "someone@example.com").await.unwrap().is_none());
    // A birth date reads back as the same calendar day on every backend.
    let mut dated = elsewhere.clone();
    dated.birth_date = Some(jiff::civil::date(1984, 2, 29));
    store.update_patient(&dated).await.unwrap();
    assert_eq!(store.get_patient(other.tenant, dated.id).await.unwrap(), Some(dated));
    store.set_patient_external_id(c.tenant, c.patient.id, "ns-123").await.unwrap();
    assert_eq!(
        store.get_patient(c.tenant, c.patient.id).await.unwrap().unwrap().external_id.as_deref(),
        Some("ns-123")
    );
}

pub async fn overlapping_bookings_are_refused(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let first = appointment(&c, 0, 60, 30, 10); // 13:00-13:30, blocked to 13:40
    assert!(matches!(store.book_appointment(&booking(&first)).await.unwrap(), BookingOutcome::Booked(_)));
    for (start, len) in [(60, 30), (70, 30), (45, 30), (30, 120), (89, 10)] {
        let clash = appointment(&c, 0, start, len, 0);
        assert!(is_slot_taken(&store.book_appointment(&booking(&clash)).await), "start {start} len {len}");
    }
    // Touching the blocked range's end is fine; so is another practitioner at the same time.
    assert!(store.book_appointment(&booking(&appointment(&c, 0, 100, 30, 0))).await.is_ok());
    assert!(store.book_appointment(&booking(&appointment(&c, 0, 30, 30, 0))).await.is_ok());
    assert!(store.book_appointment(&booking(&appointment(&c, 1, 60, 30, 0))).await.is_ok());
    // A cancelled appointment frees its time.
    let mut cancelled = first.clone();
    cancelled.status = AppointmentStatus::Cancelled;
    cancelled.version = 2;
    store.update_appointment(&change(&first, cancelled, "cancel")).await.unwrap();
    assert!(store.book_appointment(&booking(&appointment(&c, 0, 60, 30, 0))).await.is_ok());
}

fn change(old: &Appointment, new: Appointment, action: &str) -> AppointmentChange {
    AppointmentChange {
        event: AppointmentEvent {
            appointment_id: old.id,
            at: at(1),
            action: action.into(),
            from_status: Some(old.status),
            to_status: new.status,
            actor: "test".into(),
            detail: None,
        },
        expected_version: old.version,
        appointment: new,
        cancel_dedupe_keys: vec![],
        jobs: vec![],
    }
}

pub async fn calendar_version_moves_with_every_change(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let v0 = store.calendar_version(c.tenant).await.unwrap();
    let a = appointment(&c, 0, 60, 30, 0);
    store.book_appointment(&booking(&a)).await.unwrap();
    let v1 = store.calendar_version(c.tenant).await.unwrap();
    assert!(v1 > v0);
    let mut gone = a.clone();
    gone.status = AppointmentStatus::Cancelled;
    gone.version = 2;
    store.update_appointment(&change(&a, gone, "cancel")).await.unwrap();
    let v2 = store.calendar_version(c.tenant).await.unwrap();
    assert!(v2 > v1);
    store.save_tenant_settings(c.tenant, &TenantSettings::default()).await.unwrap();
    let v3 = store.calendar_version(c.tenant).await.unwrap();
    assert!(v3 > v2);
    let holiday =
        ExceptionRecord { id: Uuid::now_v7(), exception: Exception::holiday(date(2026, 12, 25), None) };
    store.add_exception(c.tenant, &holiday).await.unwrap();
    store.delete_exception(c.tenant, holiday.id).await.unwrap();
    assert!(store.calendar_version(c.tenant).await.unwrap() >= v3 + 2);
    // Other tenants' changes do not invalidate this one's calendar.
    let before = store.calendar_version(c.tenant).await.unwrap();
    store.book_appointment(&booking(&appointment(&other, 0, 60, 30, 0))).await.unwrap();
    assert_eq!(store.calendar_version(c.tenant).await.unwrap(), before);
}

pub async fn concurrent_bookings_for_one_slot_have_one_winner(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        // Identical and shifted starts: all overlap 13:00-13:30.
        let a = appointment(&c, 0, 60 + (i % 3) * 10, 30, 0);
        tasks.push(tokio::spawn(async move { store.book_appointment(&booking(&a)).await }));
    }
    let mut booked = 0;
    for t in futures::future::join_all(tasks).await {
        match t.unwrap() {
            Ok(BookingOutcome::Booked(_)) => booked += 1,
            r => assert!(is_slot_taken(&r), "{r:?}"),
        }
    }
    assert_eq!(booked, 1);
}

pub async fn idempotency_key_replays_the_first_booking(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let claim = |hash: &str| Some(IdempotencyClaim { key: "req-1".into(), request_hash: hash.into() });
    let a = appointment(&c, 0, 60, 30, 0);
    let mut first = booking(&a);
    first.idempotency = claim("h1");
    first.jobs = vec![
        NewJob::new(c.tenant, "reminder", json!({}), at(30)).with_dedupe_key(format!("appt:{}:r", a.id)),
    ];
    let BookingOutcome::Booked(booked) = store.book_appointment(&first).await.unwrap() else {
        panic!("booked")
    };
    // The retry carries a new appointment id (as a fresh request would) but the same key.
    let mut retry = booking(&appointment(&c, 0, 60, 30, 0));
    retry.idempotency = claim("h1");
    retry.jobs = first.jobs.clone();
    assert_eq!(store.book_appointment(&retry).await.unwrap(), BookingOutcome::Replayed(booked.clone()));
    let mut other_body = booking(&appointment(&c, 1, 200, 30, 0));
    other_body.idempotency = claim("h2");
    assert!(matches!(
        store.book_appointment(&other_body).await,
        Err(StoreError::Conflict(Conflict::IdempotencyKeyReused))
    ));
    let jobs = store.list_jobs(c.tenant, &JobFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(jobs.items.len(), 1, "jobs are enqueued once");
    let listed = store
        .list_appointments(c.tenant, &AppointmentFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![booked]);
}

pub async fn updates_are_versioned_and_keep_history(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let a = appointment(&c, 0, 60, 30, 0);
    let mut b = booking(&a);
    b.jobs = vec![NewJob::new(c.tenant, "reminder", json!({"v": 1}), at(30)).with_dedupe_key("appt:r")];
    store.book_appointment(&b).await.unwrap();
    store.book_appointment(&booking(&appointment(&c, 0, 180, 30, 0))).await.unwrap();

    let mut confirmed = a.clone();
    confirmed.status = AppointmentStatus::Confirmed;
    confirmed.version = 2;
    let saved = store.update_appointment(&change(&a, confirmed.clone(), "confirm")).await.unwrap();
    assert_eq!(saved, confirmed);
    // A second writer that read version 1 loses.
    let mut late = a.clone();
    late.status = AppointmentStatus::Cancelled;
    late.version = 2;
    assert!(matches!(
        store.update_appointment(&change(&a, late, "cancel")).await,
        Err(StoreError::Conflict(Conflict::Stale))
    ));

    // Reschedule onto another appointment: refused; elsewhere: moved, reminders replaced.
    let mut moved = confirmed.clone();
    moved.start = at(190);
    moved.end = at(220);
    moved.blocked_until = at(220);
    moved.status = AppointmentStatus::Booked;
    moved.version = 3;
    assert!(matches!(
        store.update_appointment(&change(&confirmed, moved.clone(), "reschedule")).await,
        Err(StoreError::Conflict(Conflict::SlotTaken))
    ));
    moved.start = at(300);
    moved.end = at(330);
    moved.blocked_until = at(330);
    let mut ch = change(&confirmed, moved.clone(), "reschedule");
    ch.cancel_dedupe_keys = vec!["appt:r".into()];
    ch.jobs = vec![NewJob::new(c.tenant, "reminder", json!({"v": 3}), at(270)).with_dedupe_key("appt:r")];
    store.update_appointment(&ch).await.unwrap();
    let jobs = store.list_jobs(c.tenant, &JobFilter::default(), PageRequest::default()).await.unwrap().items;
    let live: Vec<_> = jobs.iter().filter(|j| j.status == JobStatus::Queued).collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].payload, json!({"v": 3}));
    assert_eq!(jobs.iter().filter(|j| j.status == JobStatus::Cancelled).count(), 1);
    let history: Vec<String> =
        store.appointment_history(c.tenant, a.id).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(history, vec!["booked", "confirm", "reschedule"]);
    let other = clinic(&store, "beta").await;
    assert!(store.appointment_history(other.tenant, a.id).await.unwrap().is_empty());
    assert!(store.get_appointment(other.tenant, a.id).await.unwrap().is_none());
    let mut foreign = moved.clone();
    foreign.tenant_id = other.tenant;
    foreign.version = 4;
    let mut ch = change(&moved, foreign, "cancel");
    ch.expected_version = 3;
    assert!(store.update_appointment(&ch).await.is_err(), "another tenant cannot change it");
}

pub async fn appointments_filter_page_and_busy_ranges(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let mut all = Vec::new();
    for (doc, start) in [(0, 0), (1, 30), (0, 120), (1, 240), (0, 600)] {
        let a = appointment(&c, doc, start, 30, 5);
        store.book_appointment(&booking(&a)).await.unwrap();
        all.push(a);
    }
    let page1 = store
        .list_appointments(c.tenant, &AppointmentFilter::default(), PageRequest::new(None, Some(2)))
        .await
        .unwrap();
    assert_eq!(page1.items, all[..2].to_vec());
    let page2 = store
        .list_appointments(
            c.tenant,
            &AppointmentFilter::default(),
            PageRequest::new(page1.next_cursor, Some(10)),
        )
        .await
        .unwrap();
    assert_eq!(page2.items, all[2..].to_vec());
    let f = AppointmentFilter { from: Some(at(100)), to: Some(at(300)), ..Default::default() };
    assert_eq!(
        store.list_appointments(c.tenant, &f, PageRequest::default()).await.unwrap().items,
        vec![all[2].clone(), all[3].clone()]
    );
    let f = AppointmentFilter { practitioner_id: Some(c.doctors[1].id), ..Default::default() };
    assert_eq!(store.list_appointments(c.tenant, &f, PageRequest::default()).await.unwrap().items.len(), 2);
    let f = AppointmentFilter { status: Some(AppointmentStatus::Confirmed), ..Default::default() };
    assert!(store.list_appointments(c.tenant, &f, PageRequest::default()).await.unwrap().items.is_empty());
    let f = AppointmentFilter { patient_id: Some(c.patient.id), ..Default::default() };
    assert_eq!(store.list_appointments(c.tenant, &f, PageRequest::default()).await.unwrap().items.len(), 5);

    let busy = store
        .busy_ranges(c.tenant, &[c.doctors[0].id], TimeRange { start: at(20), end: at(130) })
        .await
        .unwrap();
    assert_eq!(busy, vec![(c.doctors[0].id, all[0].range()), (c.doctors[0].id, all[2].range())]);
    let other = clinic(&store, "beta").await;
    assert!(
        store
            .busy_ranges(other.tenant, &[c.doctors[0].id], TimeRange { start: at(0), end: at(1000) })
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn no_show_counts_by_patient_and_practitioner(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    for (doc, start) in [(0, 0), (1, 60), (0, 120)] {
        let a = appointment(&c, doc, start, 30, 0);
        store.book_appointment(&booking(&a)).await.unwrap();
        if start != 60 {
            let mut gone = a.clone();
            gone.status = AppointmentStatus::NoShow;
            gone.version = 2;
            store.update_appointment(&change(&a, gone, "no_show")).await.unwrap();
        }
    }
    let counts = store.no_show_counts(c.tenant).await.unwrap();
    assert_eq!(counts.by_patient, vec![(c.patient.id, 2)]);
    assert_eq!(counts.by_practitioner, vec![(c.doctors[0].id, 2)]);
}

pub async fn notifications_are_recorded_per_tenant(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let n = |t: &Clinic, m| NotificationRecord {
        id: Uuid::now_v7(),
        tenant_id: t.tenant,
        patient_id: t.patient.id,
        template: "appointment_reminder".into(),
        variables: json!({"n": m}),
        channel: "sandbox".into(),
        created_at: at(m),
    };
    let (a, b) = (n(&c, 1), n(&c, 2));
    store.record_notification(&a).await.unwrap();
    store.record_notification(&b).await.unwrap();
    store.record_notification(&n(&other, 3)).await.unwrap();
    assert_eq!(store.list_notifications(c.tenant, None).await.unwrap(), vec![b.clone(), a.clone()]);
    assert_eq!(store.list_notifications(c.tenant, Some(c.patient.id)).await.unwrap().len(), 2);
    assert!(store.list_notifications(c.tenant, Some(other.patient.id)).await.unwrap().is_empty());
}

pub async fn external_ids_map_both_ways(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let map = |local: Uuid, ext: &str| ExternalId {
        system: "ninsaude".into(),
        resource: "practitioner".into(),
        local_id: local,
        external_id: ext.into(),
    };
    store.set_external_id(c.tenant, &map(c.doctors[0].id.0, "7")).await.unwrap();
    store.set_external_id(c.tenant, &map(c.doctors[0].id.0, "8")).await.unwrap();
    assert!(matches!(
        store.set_external_id(c.tenant, &map(c.doctors[1].id.0, "8")).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::ExternalId }))
    ));
    store.set_external_id(other.tenant, &map(other.doctors[0].id.0, "8")).await.unwrap();
    assert_eq!(
        store.list_external_ids(c.tenant, "ninsaude").await.unwrap(),
        vec![map(c.doctors[0].id.0, "8")]
    );
    assert!(store.list_external_ids(c.tenant, "helena").await.unwrap().is_empty());
}
