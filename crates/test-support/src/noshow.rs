//! A clinic's past written straight to the store, for the no-show training suites: many
//! finished appointments with a signal a model can learn (some patients keep missing,
//! bookings made far ahead are missed more), without booking each through the API.

use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{
    Appointment, AppointmentEvent, AppointmentStatus, Location, Practitioner, Service,
};
use frontdesk_domain::tenant::{Locale, TimeZoneName};
use frontdesk_domain::{AppointmentId, LocationId, PractitionerId, ServiceId, TenantId};
use frontdesk_store::{DynStore, NewBooking};
use jiff::{SignedDuration, Timestamp};

/// What was written: the finished appointments, of which `no_shows` were missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeededHistory {
    pub appointments: usize,
    pub no_shows: usize,
}

/// `days` days of `per_day` finished appointments (half-hourly from 11:00 UTC, one
/// practitioner) ending the day before `until`, among `patients` patients of whom every
/// fifth usually misses. The outcomes are the same for the same arguments; the phone
/// numbers differ per call, so a clinic can be seeded twice.
pub async fn seed_noshow_history(
    store: &DynStore,
    tenant: TenantId,
    days: i64,
    per_day: i64,
    patients: usize,
    until: Timestamp,
) -> SeededHistory {
    let location = Location {
        id: LocationId::new(),
        tenant_id: tenant,
        name: "Centro".into(),
        address: None,
        timezone: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
    };
    store.create_location(&location).await.unwrap();
    let doctor = Practitioner {
        id: PractitionerId::new(),
        tenant_id: tenant,
        name: "Dra. Ana".into(),
        department: "Clínica".into(),
        location_ids: vec![location.id],
        active: true,
    };
    store.create_practitioner(&doctor).await.unwrap();
    let service = Service {
        id: ServiceId::new(),
        tenant_id: tenant,
        name: "Consulta".into(),
        department: "Clínica".into(),
        duration_minutes: 30,
        price_cents: None,
    };
    store.create_service(&service).await.unwrap();
    let start_of_history = until - SignedDuration::from_hours(24 * (days + 1));
    let mut people = Vec::new();
    let numbers_from = 10_000_000 + (uuid::Uuid::now_v7().as_u128() % 80_000_000) as usize;
    for i in 0..patients {
        let phone = PhoneE164::parse(&format!("+55119{:08}", numbers_from + i), "BR").unwrap();
        let name = PersonName::parse(&format!("Paciente {i}")).unwrap();
        let patient = Patient::new(tenant, name, phone, Locale::PtBr, start_of_history);
        store.create_patient(&patient).await.unwrap();
        people.push(patient.id);
    }
    // A small linear congruential generator: reproducible without a dependency.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |below: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % below
    };
    let mut seeded = SeededHistory { appointments: 0, no_shows: 0 };
    for day in 0..days {
        for k in 0..per_day {
            let start = start_of_history
                + SignedDuration::from_hours(24 * day + 11)
                + SignedDuration::from_mins(30 * k);
            let who = next(patients as u64) as usize;
            let lead_days = next(30) as i64;
            let flaky = who.is_multiple_of(5);
            let chance = if flaky { 70 } else { 8 } + if lead_days > 14 { 15 } else { 0 };
            let missed = next(100) < chance;
            let end = start + SignedDuration::from_mins(30);
            let booked_at = start - SignedDuration::from_hours(24 * lead_days + 1);
            let appointment = Appointment {
                id: AppointmentId::new(),
                tenant_id: tenant,
                patient_id: people[who],
                practitioner_id: doctor.id,
                location_id: location.id,
                service_id: service.id,
                start,
                end,
                blocked_until: end,
                status: if missed { AppointmentStatus::NoShow } else { AppointmentStatus::Completed },
                version: 2,
                external_id: None,
                cancel_reason: None,
                created_at: booked_at,
                updated_at: end,
            };
            let event = AppointmentEvent {
                appointment_id: appointment.id,
                at: booked_at,
                action: "booked".into(),
                from_status: None,
                to_status: AppointmentStatus::Booked,
                actor: "test:seed".into(),
                detail: None,
            };
            store
                .book_appointment(&NewBooking { appointment, event, jobs: vec![], idempotency: None })
                .await
                .unwrap();
            seeded.appointments += 1;
            seeded.no_shows += usize::from(missed);
        }
    }
    seeded
}
