//! A tenant's calendar loaded once per request, and free-slot computation over it.

use super::external::{ExternalCalendar, FreeInterval, NINSAUDE};
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
use std::sync::Arc;
use uuid::Uuid;

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
    /// The external system of record, when the tenant uses one.
    pub external: Option<Arc<dyn ExternalCalendar>>,
    /// Our ids in that system: (resource, local id) -> external id.
    pub external_ids: HashMap<(String, Uuid), String>,
    /// Busy time read ahead (cached calendars only); otherwise read per request.
    pub busy: Option<BusySnapshot>,
}

/// Busy time of every practitioner over `window`.
pub struct BusySnapshot {
    pub window: TimeRange,
    pub by_practitioner: HashMap<PractitionerId, Vec<TimeRange>>,
}

impl Calendar {
    pub async fn load(ctx: &Ctx, tenant_id: TenantId) -> SchedulingResult<Self> {
        let s = &ctx.store;
        let tenant = s.tenant_by_id(tenant_id).await?.ok_or(SchedulingFailure::NotFound("tenant"))?;
        let locations = s.list_locations(tenant_id).await?;
        let zones = locations.iter().map(|l| (l.id, l.timezone.time_zone())).collect();
        let settings = s.tenant_settings(tenant_id).await?;
        let external = ctx
            .externals
            .for_tenant(ctx, tenant_id, &settings)
            .map_err(|e| SchedulingFailure::Upstream(e.0))?;
        let external_ids = match external {
            Some(_) => s
                .list_external_ids(tenant_id, NINSAUDE)
                .await?
                .into_iter()
                .map(|e| ((e.resource, e.local_id), e.external_id))
                .collect(),
            None => HashMap::new(),
        };
        Ok(Self {
            busy: None,
            external,
            external_ids,
            settings,
            practitioners: s.list_practitioners(tenant_id).await?,
            services: s.list_services(tenant_id).await?,
            hours: s.list_weekly_hours(tenant_id).await?,
            exceptions: s.list_exceptions(tenant_id).await?.into_iter().map(|e| e.exception).collect(),
            locations,
            zones,
            tenant,
        })
    }

    /// Our `resource` row's id in the external system.
    pub fn external_id(&self, resource: &str, local: Uuid) -> Option<&str> {
        self.external_ids.get(&(resource.to_owned(), local)).map(String::as_str)
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
    if let Some(external) = &cal.external {
        return external_free_slots(cal, external.as_ref(), service, targets, (from, to), now).await;
    }
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
    let fetched: HashMap<PractitionerId, Vec<TimeRange>>;
    let busy = match &cal.busy {
        Some(b) if b.window.start <= range.start && range.end <= b.window.end => &b.by_practitioner,
        _ => {
            let mut read: HashMap<PractitionerId, Vec<TimeRange>> = HashMap::new();
            for (p, r) in ctx.store.busy_ranges(cal.tenant.id, &practitioners, range).await? {
                read.entry(p).or_default().push(r);
            }
            fetched = read;
            &fetched
        }
    };
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

/// Free slots from the external agenda. Its agenda is per professional, not per location:
/// each practitioner is asked once and their slots placed at the first target location.
async fn external_free_slots(
    cal: &Calendar,
    external: &dyn ExternalCalendar,
    service: &Service,
    targets: &[(PractitionerId, LocationId)],
    (from, to): (Date, Date),
    now: Timestamp,
) -> SchedulingResult<Vec<Slot>> {
    let mut seen = Vec::new();
    let mut slots = Vec::new();
    for (practitioner, location) in targets {
        if seen.contains(practitioner) {
            continue;
        }
        seen.push(*practitioner);
        let Some(professional) = cal.external_id("practitioner", practitioner.0) else { continue };
        let intervals = external
            .free_intervals(professional, from, to)
            .await
            .map_err(|e| SchedulingFailure::Upstream(e.0))?;
        slots.extend(slots_in_intervals(cal, &intervals, *practitioner, *location, service, now));
    }
    slots.sort_by_key(|s| (s.start, s.practitioner_id, s.location_id));
    Ok(slots)
}

/// Cuts free intervals (merged when back to back) into service-length slots on the
/// tenant's grid, honouring minimum notice and the booking horizon.
pub(crate) fn slots_in_intervals(
    cal: &Calendar,
    intervals: &[FreeInterval],
    practitioner: PractitionerId,
    location: LocationId,
    service: &Service,
    now: Timestamp,
) -> Vec<Slot> {
    let zone = cal.zone(location);
    let rules = &cal.settings.booking;
    let earliest = now + SignedDuration::from_mins(i64::from(rules.min_notice_minutes));
    let today = zone.to_datetime(now).date();
    let last_day = today.checked_add(jiff::Span::new().days(i64::from(rules.horizon_days))).unwrap_or(today);
    let mut sorted: Vec<&FreeInterval> = intervals.iter().collect();
    sorted.sort_by_key(|i| (i.date, i.start));
    let mut merged: Vec<(Date, jiff::civil::Time, jiff::civil::Time)> = Vec::new();
    for i in sorted {
        match merged.last_mut() {
            Some(last) if last.0 == i.date && last.2 >= i.start => last.2 = last.2.max(i.end),
            _ => merged.push((i.date, i.start, i.end)),
        }
    }
    let duration = SignedDuration::from_mins(i64::from(service.duration_minutes));
    let step = SignedDuration::from_mins(i64::from(rules.slot_granularity_minutes.max(1)));
    let mut out = Vec::new();
    for (date, start, end) in merged {
        if date > last_day {
            continue;
        }
        let (Ok(open), Ok(close)) =
            (zone.to_zoned(date.to_datetime(start)), zone.to_zoned(date.to_datetime(end)))
        else {
            continue;
        };
        let (mut t, close) = (open.timestamp(), close.timestamp());
        while t + duration <= close {
            if t >= earliest {
                out.push(Slot {
                    practitioner_id: practitioner,
                    location_id: location,
                    service_id: service.id,
                    start: t,
                    end: t + duration,
                });
            }
            t += step;
        }
    }
    out
}
