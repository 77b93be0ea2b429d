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
