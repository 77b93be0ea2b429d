//! A tenant's calendar loaded once per request, and free-slot computation over it.

use super::{SchedulingFailure, SchedulingResult};
use crate::Ctx;
use frontdesk_domain::scheduling::{
    AvailabilityRequest, Exception, Location, Practitioner, Service, Slot, TimeRange, WeeklyHours,
    free_slots as domain_free_slots,
};
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::{LocationId, PractitionerId, ServiceId, TenantId};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;

/// Everything slot generation needs, read in a handful of queries. Catalogs are small
/// (tens of practitioners), so loading them whole is cheaper than joining per slot.
pub struct Calendar {
    pub tenant: Tenant,
    pub settings: TenantSettings,
    pub locations: Vec<Location>,
    pub practitioners: Vec<Practitioner>,
    pub services: Vec<Service>,
    pub hours: Vec<WeeklyHours>,
    pub exceptions: Vec<Exception>,
    pub zones: HashMap<LocationId, TimeZone>,
}

impl Calendar {
    pub async fn load(ctx: &Ctx, tenant_id: TenantId) -> SchedulingResult<Self> {
        let s = &ctx.store;
        let tenant = s.tenant_by_id(tenant_id).await?.ok_or(SchedulingFailure::NotFound("tenant"))?;
        let locations = s.list_locations(tenant_id).await?;
        let zones = locations.iter().map(|l| (l.id, l.timezone.time_zone())).collect();
        Ok(Self {
            settings: s.tenant_settings(tenant_id).await?,
            practitioners: s.list_practitioners(tenant_id).await?,
            services: s.list_services(tenant_id).await?,
            hours: s.list_weekly_hours(tenant_id).await?,
            exceptions: s.list_exceptions(tenant_id).await?.into_iter().map(|e| e.exception).collect(),
            locations,
            zones,
            tenant,
        })
    }

    pub fn service(&self, id: ServiceId) -> SchedulingResult<&Service> {
        self.services.iter().find(|s| s.id == id).ok_or(SchedulingFailure::NotFound("service"))
    }

    pub fn practitioner(&self, id: PractitionerId) -> SchedulingResult<&Practitioner> {
        self.practitioners.iter().find(|p| p.id == id).ok_or(SchedulingFailure::NotFound("practitioner"))
    }

    pub fn location(&self, id: LocationId) -> SchedulingResult<&Location> {
        self.locations.iter().find(|l| l.id == id).ok_or(SchedulingFailure::NotFound("location"))
    }

    /// The location's zone, or the clinic's for a location without one.
    pub fn zone(&self, location: LocationId) -> TimeZone {
        self.zones.get(&location).cloned().unwrap_or_else(|| self.tenant.timezone.time_zone())
    }

    pub fn tenant_zone(&self) -> TimeZone {
        self.tenant.timezone.time_zone()
    }

    fn hours_of(&self, practitioner: PractitionerId, location: LocationId) -> Option<&WeeklyHours> {
        self.hours.iter().find(|h| h.practitioner_id == practitioner && h.location_id == location)
    }

    /// The availability question for one practitioner at one location, with `busy`
    /// being that practitioner's blocked ranges.
    pub fn request<'a>(
        &'a self,
        hours: &'a WeeklyHours,
        zone: &'a TimeZone,
        service: &Service,
        busy: &'a [TimeRange],
        now: Timestamp,
        (from, to): (Date, Date),
    ) -> AvailabilityRequest<'a> {
        AvailabilityRequest {
            hours,
            time_zone: zone,
            service_id: service.id,
            duration_minutes: service.duration_minutes,
            exceptions: &self.exceptions,
            busy,
            rules: &self.settings.booking,
            now,
            from,
            to,
        }
    }

    /// Hours of a practitioner at a location, or a 422-style failure if they do not work there.
    pub fn working_hours(
        &self,
        practitioner: PractitionerId,
        location: LocationId,
    ) -> SchedulingResult<&WeeklyHours> {
        self.hours_of(practitioner, location).ok_or(SchedulingFailure::NotBookable("outside_working_hours"))
    }
}

/// Free slots for `service` over the given (practitioner, location) pairs, on local
/// dates `from..=to` (each location's own calendar), in time order.
pub async fn free_slots(
    ctx: &Ctx,
    cal: &Calendar,
    service: &Service,
    targets: &[(PractitionerId, LocationId)],
    from: Date,
    to: Date,
) -> SchedulingResult<Vec<Slot>> {
    let now = ctx.clock.now();
    let mut practitioners: Vec<PractitionerId> = targets.iter().map(|(p, _)| *p).collect();
    practitioners.sort_unstable();
    practitioners.dedup();
    // One query for everyone's busy time, a day wider on each side for time zones.
    let tz = cal.tenant_zone();
    let start =
        tz.to_zoned(from.to_datetime(jiff::civil::Time::midnight())).map(|z| z.timestamp()).unwrap_or(now);
    let range = TimeRange {
        start: start - SignedDuration::from_hours(24),
        end: start
            + SignedDuration::from_hours(
                24 * (i64::from(to.since(from).map(|s| s.get_days()).unwrap_or(0)) + 2),
            ),
    };
    let mut busy: HashMap<PractitionerId, Vec<TimeRange>> = HashMap::new();
    for (p, r) in ctx.store.busy_ranges(cal.tenant.id, &practitioners, range).await? {
        busy.entry(p).or_default().push(r);
    }
    let mut slots = Vec::new();
    for (practitioner, location) in targets {
        let Some(hours) = cal.hours_of(*practitioner, *location) else { continue };
        let zone = cal.zone(*location);
        let blocked = busy.get(practitioner).map(Vec::as_slice).unwrap_or(&[]);
        slots.extend(domain_free_slots(&cal.request(hours, &zone, service, blocked, now, (from, to))));
    }
    slots.sort_by_key(|s| (s.start, s.practitioner_id, s.location_id));
    Ok(slots)
}
