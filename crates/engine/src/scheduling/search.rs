//! Ranked slot search: which practitioners can help, their free slots over the next two
//! weeks (from the earliest wanted date), ranked by the patient's preferences.

use super::SchedulingResult;
use super::calendar::{Calendar, free_slots};
use crate::Ctx;
use frontdesk_domain::scheduling::{
    RankingContext, SearchPreferences, SearchResult, Service, plan_search, rank_slots,
};
use jiff::ToSpan;

/// How far ahead a search looks: two weeks covers "next week" and "the one after".
const SEARCH_DAYS: i64 = 14;

pub struct SearchOutcome {
    pub service: Service,
    pub result: SearchResult,
    /// The calendar the search ran on (names of practitioners and locations for replies).
    pub calendar: std::sync::Arc<Calendar>,
}

pub async fn search(
    ctx: &Ctx,
    tenant: frontdesk_domain::TenantId,
    prefs: &SearchPreferences,
) -> SchedulingResult<SearchOutcome> {
    let cal = super::cache::load_cached(ctx, tenant).await?;
    let plan = plan_search(prefs, &cal.services, &cal.practitioners)?;
    let now = ctx.clock.now();
    let tz = cal.tenant_zone();
    let today = tz.to_datetime(now).date();
    let from = prefs.earliest_date.map_or(today, |d| d.max(today));
    let to = from.checked_add(SEARCH_DAYS.days()).unwrap_or(from);
    let slots = free_slots(ctx, &cal, plan.service, &plan.targets, from, to).await?;
    let ranking = RankingContext { now, zones: &cal.zones, default_zone: &tz };
    let result = rank_slots(&slots, prefs, &ranking);
    let service = plan.service.clone();
    Ok(SearchOutcome { service, result, calendar: cal })
}

/// Free slots of a service on local dates `from..=to`, optionally for one practitioner or
/// location, with the calendar they were computed on.
pub struct Availability {
    pub calendar: std::sync::Arc<Calendar>,
    pub service: Service,
    pub slots: Vec<frontdesk_domain::scheduling::Slot>,
}

pub async fn availability(
    ctx: &Ctx,
    tenant: frontdesk_domain::TenantId,
    service: frontdesk_domain::ServiceId,
    practitioner: Option<frontdesk_domain::PractitionerId>,
    location: Option<frontdesk_domain::LocationId>,
    (from, to): (jiff::civil::Date, jiff::civil::Date),
) -> SchedulingResult<Availability> {
    let cal = super::cache::load_cached(ctx, tenant).await?;
    let service = cal.service(service)?.clone();
    // Everyone in the service's department who is active, where they work.
    let targets: Vec<_> = cal
        .practitioners
        .iter()
        .filter(|p| {
            p.active && frontdesk_domain::scheduling::same_department(&p.department, &service.department)
        })
        .filter(|p| practitioner.is_none_or(|id| p.id == id))
        .flat_map(|p| p.location_ids.iter().map(move |l| (p.id, *l)))
        .filter(|(_, l)| location.is_none_or(|id| *l == id))
        .collect();
    let slots = free_slots(ctx, &cal, &service, &targets, from, to).await?;
    Ok(Availability { calendar: cal, service, slots })
}
