//! The clinic `bench search` measures: one tenant, two locations, 50 practitioners of one
//! department, and a calendar booked about three quarters full over the next 14 days.
//!
//! Capacity decides the appointment mix. Mon-Fri 08:00-12:00 and 13:00-18:00 is 9 h a
//! day, 10 working days in 14, so 50 practitioners have 9,000 half-hours: 10,000
//! 30-minute appointments cannot fit. Real calendars mix first consultations with short
//! follow-ups, so two in three appointments here are 15-minute follow-ups.

use super::progress_bar;
use anyhow::Context;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{
    Appointment, AppointmentEvent, AppointmentStatus, LocalInterval, Location, Practitioner, Service,
    WeeklyHours, WeeklyInterval,
};
use frontdesk_domain::tenant::{Locale, NewTenant, TimeZoneName};
use frontdesk_domain::{AppointmentId, LocationId, PractitionerId, ServiceId, TenantId};
use frontdesk_engine::{Ctx, scheduling, tenants};
use frontdesk_store::{BookingOutcome, Conflict, NewBooking, StoreError};
use jiff::civil::{Date, DateTime, Weekday, date, time};
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

pub const ZONE: &str = "America/Sao_Paulo";
pub const DEPARTMENT: &str = "Clínica Geral";
pub const PRACTITIONERS: usize = 50;
pub const DAYS: i64 = 14;
const PATIENTS: usize = 300;
/// Bookings in flight at once: enough to keep PostgreSQL busy, harmless on SQLite's
/// single writer.
const INSERTERS: usize = 4;

/// A Monday 08:00 local (2026-06-01), so every run sees the same two weeks.
pub fn bench_today() -> Date {
    date(2026, 6, 1)
}

pub fn bench_now() -> anyhow::Result<Timestamp> {
    let zone = TimeZoneName::parse(ZONE)?.time_zone();
    Ok(zone.to_zoned(bench_today().to_datetime(time(8, 0, 0, 0)))?.timestamp())
}

pub struct Clinic {
    pub tenant: TenantId,
    pub locations: Vec<Location>,
    pub practitioners: Vec<Practitioner>,
    /// 30 minutes: what the searches look for.
    pub consultation: Service,
    pub booked: Booked,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Booked {
    pub inserted: usize,
    /// Proposed at an occupied time and moved to the next free one.
    pub relocated: usize,
    /// No free time left for that practitioner, or the store refused (should be 0).
    pub skipped: usize,
    /// Share of all working quarter-hours taken.
    pub fill: f64,
    pub took: Duration,
}

/// Quarter-hours of a working day: 16 in the morning (08:00-12:00), 20 in the afternoon
/// (13:00-18:00). A 30-minute appointment takes two, never across lunch.
const QUARTERS: usize = 36;
const MORNING_QUARTERS: usize = 16;

fn quarter_time(q: usize) -> (i8, i8) {
    let minutes = if q < MORNING_QUARTERS { 8 * 60 + 15 * q } else { 13 * 60 + 15 * (q - MORNING_QUARTERS) };
    ((minutes / 60) as i8, (minutes % 60) as i8)
}

/// One planned appointment: practitioner index, working-day index, first quarter, length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub practitioner: usize,
    pub day: usize,
    pub quarter: usize,
    pub quarters: usize,
}

/// Places `count` appointments at random (fixed seed) without overlaps: a clash moves the
/// appointment to that practitioner's next free time, wrapping round the fortnight.
pub fn plan(count: usize, practitioners: usize, days: usize, seed: u64) -> (Vec<Planned>, Booked) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut taken = vec![[false; QUARTERS]; practitioners * days];
    let (mut out, mut booked) = (Vec::with_capacity(count), Booked::default());
    let fits = |row: &[bool; QUARTERS], q: usize, len: usize| {
        let crosses_lunch = q < MORNING_QUARTERS && q + len > MORNING_QUARTERS;
        q + len <= QUARTERS && !crosses_lunch && row[q..q + len].iter().all(|t| !t)
    };
    for _ in 0..count {
        let p = rng.random_range(0..practitioners);
        let quarters = if rng.random_ratio(1, 3) { 2 } else { 1 };
        let start = rng.random_range(0..days * QUARTERS);
        let place = (0..days * QUARTERS).map(|k| (start + k) % (days * QUARTERS)).find(|pos| {
            let (day, q) = (pos / QUARTERS, pos % QUARTERS);
            fits(&taken[p * days + day], q, quarters)
        });
        let Some(pos) = place else {
            booked.skipped += 1;
            continue;
        };
        booked.relocated += usize::from(pos != start);
        let (day, quarter) = (pos / QUARTERS, pos % QUARTERS);
        taken[p * days + day][quarter..quarter + quarters].fill(true);
        out.push(Planned { practitioner: p, day, quarter, quarters });
    }
    let used = taken.iter().flatten().filter(|t| **t).count();
    booked.fill = used as f64 / (taken.len() * QUARTERS).max(1) as f64;
    (out, booked)
}

/// How big a clinic to seed and from which day its calendar starts.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub practitioners: usize,
    /// Appointments are placed on the working days of `first_day..first_day + DAYS`.
    pub first_day: Date,
    pub appointments: usize,
}

/// Creates the clinic through the engine (as `serve --demo` does), then books
/// `appointments` straight through the store: the booking API would add reminder jobs
/// and idempotency bookkeeping that a search never reads.
pub async fn seed(ctx: &Ctx, appointments: usize, label: &str) -> anyhow::Result<Clinic> {
    seed_shaped(ctx, Shape { practitioners: PRACTITIONERS, first_day: bench_today(), appointments }, label)
        .await
}

/// [`seed`] with another number of practitioners and another first day.
pub async fn seed_shaped(ctx: &Ctx, shape: Shape, label: &str) -> anyhow::Result<Clinic> {
    let Shape { practitioners: practitioner_count, first_day, appointments } = shape;
    let tz = TimeZoneName::parse(ZONE)?;
    let now = ctx.clock.now();
    let tenant = tenants::create_tenant(ctx, &NewTenant::parse("bench", "Clínica Bench", ZONE, "pt-BR")?)
        .await
        .context("creating the bench tenant")?
        .id;
    let mut locations = Vec::new();
    for name in ["Unidade Centro", "Unidade Sul"] {
        let l = Location {
            id: LocationId::new(),
            tenant_id: tenant,
            name: name.into(),
            address: None,
            timezone: tz.clone(),
        };
        locations.push(scheduling::create_location(ctx, l).await?);
    }
    let service = |name: &str, minutes| Service {
        id: ServiceId::new(),
        tenant_id: tenant,
        name: name.into(),
        department: DEPARTMENT.into(),
        duration_minutes: minutes,
        price_cents: None,
    };
    let consultation = scheduling::create_service(ctx, service("Consulta", 30)).await?;
    let follow_up = scheduling::create_service(ctx, service("Retorno", 15)).await?;

    let weekdays =
        [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday];
    let morning = LocalInterval::new(time(8, 0, 0, 0), time(12, 0, 0, 0))?;
    let afternoon = LocalInterval::new(time(13, 0, 0, 0), time(18, 0, 0, 0))?;
    let intervals: Vec<WeeklyInterval> = weekdays
        .iter()
        .flat_map(|d| [morning, afternoon].map(|hours| WeeklyInterval { weekday: *d, hours }))
        .collect();
    let mut practitioners = Vec::new();
    for i in 0..practitioner_count {
        let location = locations[i % locations.len()].id;
        let p = Practitioner {
            id: PractitionerId::new(),
            tenant_id: tenant,
            name: format!("Dr(a). Bench {i:02}"),
            department: DEPARTMENT.into(),
            location_ids: vec![location],
            active: true,
        };
        let p = scheduling::create_practitioner(ctx, p).await?;
        let hours =
            WeeklyHours { practitioner_id: p.id, location_id: location, intervals: intervals.clone() };
        scheduling::set_weekly_hours(ctx, tenant, hours).await?;
        practitioners.push(p);
    }

    let bar = progress_bar((PATIENTS + appointments) as u64, format!("{label} seeding"));
    let mut patients = Vec::new();
    for i in 0..PATIENTS {
        let phone = PhoneE164::parse(&format!("+55119{:08}", 20_000_000 + i), "BR")?;
        let p = Patient::new(tenant, PersonName::parse(&format!("Paciente {i}"))?, phone, Locale::PtBr, now);
        ctx.store.create_patient(&p).await?;
        patients.push(p.id);
        bar.inc(1);
    }

    let working_days: Vec<Date> = (0..DAYS)
        .map(|d| first_day + d.days())
        .filter(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
        .collect();
    let (planned, mut booked) = plan(appointments, practitioner_count, working_days.len(), 2026);
    let buffer = ctx.store.tenant_settings(tenant).await?.booking.buffer_minutes;
    let zone = tz.time_zone();
    let mut bookings = Vec::with_capacity(planned.len());
    for (n, a) in planned.iter().enumerate() {
        let (hour, minute) = quarter_time(a.quarter);
        let local = DateTime::from_parts(working_days[a.day], time(hour, minute, 0, 0));
        let start = zone.to_zoned(local)?.timestamp();
        let end = start + SignedDuration::from_mins(15 * a.quarters as i64);
        let p = &practitioners[a.practitioner];
        let appointment = Appointment {
            id: AppointmentId::new(),
            tenant_id: tenant,
            patient_id: patients[n % patients.len()],
            practitioner_id: p.id,
            location_id: p.location_ids[0],
            service_id: if a.quarters == 2 { consultation.id } else { follow_up.id },
            start,
            end,
            blocked_until: Appointment::blocked_until_for(end, buffer),
            status: AppointmentStatus::Booked,
            version: 1,
            external_id: None,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        };
        let event = AppointmentEvent {
            appointment_id: appointment.id,
            at: now,
            action: "booked".into(),
            from_status: None,
            to_status: AppointmentStatus::Booked,
            actor: "system:bench".into(),
            detail: None,
        };
        bookings.push(NewBooking { appointment, event, jobs: vec![], idempotency: None });
    }

    let started = Instant::now();
    let per_task = bookings.len().div_ceil(INSERTERS).max(1);
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in bookings.chunks(per_task) {
        let (chunk, store, bar) = (chunk.to_vec(), ctx.store.clone(), bar.clone());
        tasks.spawn(async move {
            let (mut inserted, mut refused) = (0, 0);
            for b in &chunk {
                match store.book_appointment(b).await {
                    Ok(BookingOutcome::Booked(_) | BookingOutcome::Replayed(_)) => inserted += 1,
                    // The plan has no overlaps, so this would be a store bug worth seeing.
                    Err(StoreError::Conflict(Conflict::SlotTaken)) => refused += 1,
                    Err(e) => return Err(anyhow::Error::from(e).context("booking a bench appointment")),
                }
                bar.inc(1);
            }
            anyhow::Ok((inserted, refused))
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (inserted, refused) = done??;
        booked.inserted += inserted;
        booked.skipped += refused;
    }
    booked.took = started.elapsed();
    bar.finish_and_clear();
    Ok(Clinic { tenant, locations, practitioners, consultation, booked })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_never_overlaps_and_stays_in_working_hours() {
        let (planned, booked) = plan(10_000, PRACTITIONERS, 10, 7);
        assert_eq!((planned.len(), booked.skipped), (10_000, 0));
        let mut seen = std::collections::HashSet::new();
        for a in &planned {
            assert!(a.quarter + a.quarters <= QUARTERS);
            assert!(!(a.quarter < MORNING_QUARTERS && a.quarter + a.quarters > MORNING_QUARTERS));
            for q in a.quarter..a.quarter + a.quarters {
                assert!(seen.insert((a.practitioner, a.day, q)), "overlap at {a:?}");
            }
        }
        assert!(booked.fill > 0.6 && booked.fill < 0.9, "fill {}", booked.fill);
    }

    #[test]
    fn a_full_calendar_skips_instead_of_overlapping() {
        let (planned, booked) = plan(100, 1, 1, 7);
        assert_eq!(planned.len() + booked.skipped, 100);
        assert!(planned.iter().map(|a| a.quarters).sum::<usize>() <= QUARTERS);
    }

    #[test]
    fn quarters_map_to_working_hours() {
        assert_eq!(quarter_time(0), (8, 0));
        assert_eq!(quarter_time(15), (11, 45));
        assert_eq!(quarter_time(16), (13, 0));
        assert_eq!(quarter_time(35), (17, 45));
        assert_eq!(bench_today().weekday(), Weekday::Monday);
    }
}
