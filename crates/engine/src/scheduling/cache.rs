//! Searches and availability read the same calendar again and again; re-reading every
//! appointment of the next weeks per request dominated their latency. A process keeps the
//! last calendar it loaded per tenant, with its busy time, and reuses it while the tenant's
//! calendar version (bumped by database triggers on any relevant change, whichever
//! process made it) stays the same. Booking never uses it: the store stays the judge.

use super::SchedulingResult;
use super::calendar::{BusySnapshot, Calendar};
use crate::Ctx;
use frontdesk_domain::scheduling::TimeRange;
use frontdesk_domain::{PractitionerId, TenantId};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a snapshot's window serves before it is rebuilt around the current time.
const REUSE_FOR: SignedDuration = SignedDuration::from_hours(1);

struct Entry {
    version: i64,
    loaded_at: Timestamp,
    calendar: Arc<Calendar>,
}

#[derive(Default)]
pub struct CalendarCache {
    entries: Mutex<HashMap<TenantId, Arc<Entry>>>,
}

impl CalendarCache {
    fn get(&self, tenant: TenantId) -> Option<Arc<Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(&tenant).cloned()
    }

    fn put(&self, tenant: TenantId, entry: Arc<Entry>) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(tenant, entry);
    }
}

/// The tenant's calendar with busy time for the coming weeks, from the cache when current.
pub async fn load_cached(ctx: &Ctx, tenant: TenantId) -> SchedulingResult<Arc<Calendar>> {
    let now = ctx.clock.now();
    let version = ctx.store.calendar_version(tenant).await?;
    if let Some(e) = ctx.calendars.get(tenant)
        && e.version == version
        && now >= e.loaded_at
        && now.duration_since(e.loaded_at) < REUSE_FOR
    {
        return Ok(e.calendar.clone());
    }
    let mut calendar = Calendar::load(ctx, tenant).await?;
    if calendar.external.is_none() {
        // Everything a search (14 days) or availability request (31 days) can ask about
        // within the booking horizon, with a day of margin for time zones.
        let days = i64::from(calendar.settings.booking.horizon_days.max(31)) + 2;
        let window = TimeRange {
            start: now - SignedDuration::from_hours(48),
            end: now + SignedDuration::from_hours(24 * days),
        };
        let ids: Vec<PractitionerId> = calendar.practitioners.iter().map(|p| p.id).collect();
        let mut by_practitioner: HashMap<PractitionerId, Vec<TimeRange>> = HashMap::new();
        for (p, r) in ctx.store.busy_ranges(tenant, &ids, window).await? {
            by_practitioner.entry(p).or_default().push(r);
        }
        calendar.busy = Some(BusySnapshot { window, by_practitioner });
    }
    let calendar = Arc::new(calendar);
    ctx.calendars.put(tenant, Arc::new(Entry { version, loaded_at: now, calendar: calendar.clone() }));
    Ok(calendar)
}
