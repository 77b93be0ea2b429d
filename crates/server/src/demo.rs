//! `serve --demo`: a demo clinic with a calendar worth exploring, and a fresh API key.

use anyhow::Context;
use frontdesk_domain::contact::Email;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::scheduling::{
    LocalInterval, Location, Practitioner, Service, WeeklyHours, WeeklyInterval,
};
use frontdesk_domain::staff::{NewUser, Role};
use frontdesk_domain::tenant::{NewTenant, Tenant, TimeZoneName};
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling::{self as scheduling, BookingRequest, PatientRef};
use frontdesk_engine::{Ctx, access, staff, tenants};
use jiff::ToSpan;
use jiff::civil::{Weekday, time};

pub const DEMO_SLUG: &str = "demo";

/// The demo clinic's owner, who signs into the staff app.
pub const DEMO_OWNER_EMAIL: &str = "owner@demo.frontdesk.local";

/// What `serve --demo` prints: a new API key and the owner's fresh password.
pub struct DemoAccess {
    pub api_key: String,
    pub owner_email: &'static str,
    pub owner_password: String,
}

/// Ensures the demo tenant exists (seeding its calendar once), issues a new API key and
/// gives the demo owner a new password (each start prints working credentials).
pub async fn prepare(ctx: &Ctx) -> anyhow::Result<DemoAccess> {
    let tenant = match ctx.store.tenant_by_slug(DEMO_SLUG).await? {
        Some(t) => t,
        None => {
            let new = NewTenant::parse(DEMO_SLUG, "Clínica Demo", "America/Sao_Paulo", "pt-BR")?;
            tenants::create_tenant(ctx, &new).await?
        }
    };
    if ctx.store.list_locations(tenant.id).await?.is_empty() {
        seed_calendar(ctx, &tenant, &mut uuid::Uuid::now_v7, true)
            .await
            .context("seeding the demo calendar")?;
    }
    let (_, secret) = access::issue_api_key(ctx, tenant.id, "demo").await?;
    let owner_password = hex_password();
    match ctx.store.user_by_email(DEMO_OWNER_EMAIL).await? {
        Some(owner) => {
            staff::set_password(ctx, tenant.id, owner.id, &owner_password).await?;
        }
        None => {
            let owner = NewUser {
                tenant_id: tenant.id,
                email: Email::parse(DEMO_OWNER_EMAIL)?,
                name: "Dona da Clínica".into(),
                role: Role::Owner,
            };
            staff::add_user(ctx, owner, Some(&owner_password)).await?;
        }
    }
    Ok(DemoAccess { api_key: secret.expose().to_owned(), owner_email: DEMO_OWNER_EMAIL, owner_password })
}

/// 16 random hex characters: 64 bits, easy to copy from a terminal.
fn hex_password() -> String {
    (0..16).map(|_| char::from_digit(rand::random_range(0..16u32), 16).unwrap_or('0')).collect()
}

pub(crate) const DEPARTMENTS: [(&str, &str, u32, i64); 4] = [
    ("Clínica Geral", "Consulta clínica geral", 30, 20000),
    ("Cardiologia", "Consulta cardiológica", 40, 35000),
    ("Dermatologia", "Consulta dermatológica", 30, 30000),
    ("Odontologia", "Avaliação odontológica", 45, 15000),
];

const PRACTITIONERS: [(&str, usize, &[usize]); 6] = [
    ("Dra. Ana Costa", 0, &[0, 1]),
    ("Dr. Bruno Lima", 0, &[1]),
    ("Dra. Carla Mendes", 1, &[0]),
    ("Dr. Diego Rocha", 2, &[0, 1]),
    ("Dra. Elisa Prado", 3, &[1]),
    ("Dr. Fábio Nunes", 3, &[0]),
];

/// The demo clinic's calendar: two units, four services, six practitioners with weekday
/// hours, and (with `sample_bookings`) a few appointments so the calendar is not empty.
/// Ids come from `next_id`: the simulator passes ordered ones, because slot ranking breaks
/// ties by id and the same seed must give the same bookings.
pub(crate) async fn seed_calendar(
    ctx: &Ctx,
    tenant: &Tenant,
    next_id: &mut dyn FnMut() -> uuid::Uuid,
    sample_bookings: bool,
) -> anyhow::Result<()> {
    let tz = TimeZoneName::parse("America/Sao_Paulo")?;
    let mut locations = Vec::new();
    for (name, address) in [
        ("Unidade Paulista", "Av. Paulista, 1000 - São Paulo"),
        ("Unidade Moema", "Av. Ibirapuera, 2000 - São Paulo"),
    ] {
        let l = Location {
            id: LocationId(next_id()),
            tenant_id: tenant.id,
            name: name.into(),
            address: Some(address.into()),
            timezone: tz.clone(),
        };
        locations.push(scheduling::create_location(ctx, l).await?);
    }
    let mut services = Vec::new();
    for (department, name, minutes, price) in DEPARTMENTS {
        let s = Service {
            id: ServiceId(next_id()),
            tenant_id: tenant.id,
            name: name.into(),
            department: department.into(),
            duration_minutes: minutes,
            price_cents: Some(price),
        };
        services.push(scheduling::create_service(ctx, s).await?);
    }
    let weekdays =
        [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday];
    let morning = LocalInterval::new(time(8, 0, 0, 0), time(12, 0, 0, 0))?;
    let afternoon = LocalInterval::new(time(13, 0, 0, 0), time(18, 0, 0, 0))?;
    let mut staff = Vec::new();
    for (name, department, at) in PRACTITIONERS {
        let p = Practitioner {
            id: PractitionerId(next_id()),
            tenant_id: tenant.id,
            name: name.into(),
            department: DEPARTMENTS[department].0.into(),
            location_ids: at.iter().map(|i| locations[*i].id).collect(),
            active: true,
        };
        let p = scheduling::create_practitioner(ctx, p).await?;
        // Split weeks: the first location in the mornings, the second in the afternoons.
        for (n, location) in p.location_ids.iter().enumerate() {
            let intervals = weekdays
                .iter()
                .flat_map(|d| {
                    let both = p.location_ids.len() == 1;
                    let mut v = Vec::new();
                    if both || n == 0 {
                        v.push(WeeklyInterval { weekday: *d, hours: morning });
                    }
                    if both || n == 1 {
                        v.push(WeeklyInterval { weekday: *d, hours: afternoon });
                    }
                    v
                })
                .collect();
            let hours = WeeklyHours { practitioner_id: p.id, location_id: *location, intervals };
            scheduling::set_weekly_hours(ctx, tenant.id, hours).await?;
        }
        staff.push((p, department));
    }
    if !sample_bookings {
        return Ok(());
    }
    // A few booked appointments over the next days, so the calendar is not empty.
    let patients = [
        ("Maria Souza", "+5511987650001"),
        ("João Pereira", "+5511987650002"),
        ("Ana Ribeiro", "+5511987650003"),
    ];
    let today = tenant.timezone.time_zone().to_datetime(ctx.clock.now()).date();
    for (i, (name, phone)) in patients.iter().enumerate() {
        let (practitioner, department) = &staff[i * 2];
        let day = (today + (i as i64 + 2).days()).to_datetime(time(9, 0, 0, 0));
        let Ok(start) = tz.time_zone().to_zoned(day).map(|z| z.timestamp()) else { continue };
        let request = BookingRequest {
            tenant_id: tenant.id,
            patient: PatientRef::Contact {
                name: PersonName::parse(name)?,
                phone: PhoneE164::parse(phone, "BR")?,
                email: None,
            },
            practitioner_id: practitioner.id,
            location_id: practitioner.location_ids[0],
            service_id: services[*department].id,
            start,
            idempotency: None,
            actor: "system:demo".into(),
            confirmation: frontdesk_engine::scheduling::Confirmation::Silent,
        };
        // A weekend day has no hours: skip it rather than fail the demo.
        let _ = scheduling::book(ctx, request).await;
    }
    Ok(())
}
