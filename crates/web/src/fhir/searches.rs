//! Search interactions: Appointment, Slot and Schedule searchsets.

use super::bundle::{self, Entry};
use super::handlers::{Catalog, audit_patient_data, later, links, schedules};
use super::outcome::FhirError;
use super::resources;
use super::schedule;
use super::search::{ActorFilter, AppointmentSearch, Params, SlotSearch, Window, schedule_actor};
use super::{Fhir, ScheduleId};
use crate::AppState;
use crate::auth::Principal;
use axum::extract::State;
use axum::http::Uri;
use frontdesk_domain::ServiceId;
use frontdesk_domain::page::{MAX_LIMIT, PageRequest};
use frontdesk_domain::scheduling::{Appointment, Service, same_department};
use frontdesk_engine::scheduling::{Calendar, free_slots};
use frontdesk_store::AppointmentFilter;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;

/// Searchsets are returned whole (no paging), so a search matching more is refused and
/// the client narrows it (usually by date) instead of getting a silently cut list.
pub const MAX_APPOINTMENT_MATCHES: usize = 1000;
/// Free slots are computed per day; a month is what a booking screen needs at once.
pub const MAX_SLOT_WINDOW_DAYS: i64 = 31;
/// Without `start=le`, slots are listed for this many days.
pub const DEFAULT_SLOT_WINDOW_DAYS: i64 = 7;

pub async fn appointments(
    State(state): State<AppState>,
    who: Principal,
    uri: Uri,
) -> Result<Fhir, FhirError> {
    let q = AppointmentSearch::parse(&Params::parse(&uri)?)?;
    let store = &state.ctx.store;
    let tenant =
        store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| FhirError::not_found("Tenant", "self"))?;
    let window = Window::of(&q.dates, &tenant.timezone.time_zone())?;
    let statuses = q.statuses.as_deref();
    let mut matches: Vec<Appointment> = Vec::new();
    if !window.is_empty() && statuses.is_none_or(|s| !s.is_empty()) {
        let filter = AppointmentFilter {
            from: window.from,
            to: window.to,
            // The store filters on one status; several (`booked` is two of ours) are
            // filtered here.
            status: statuses.filter(|s| s.len() == 1).map(|s| s[0]),
            practitioner_id: q.practitioner,
            patient_id: q.patient,
        };
        let mut cursor = None;
        loop {
            let page = store
                .list_appointments(who.tenant_id, &filter, PageRequest::new(cursor, Some(MAX_LIMIT)))
                .await?;
            matches.extend(page.items.into_iter().filter(|a| statuses.is_none_or(|s| s.contains(&a.status))));
            if matches.len() > MAX_APPOINTMENT_MATCHES {
                return Err(FhirError::too_costly(format!(
                    "more than {MAX_APPOINTMENT_MATCHES} appointments match; narrow the search (e.g. with date=ge..&date=le..)"
                )));
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
    let catalog = Catalog::load(&state, who.tenant_id).await?;
    // One audit line per patient whose appointments are disclosed.
    let patients: BTreeSet<_> = matches.iter().map(|a| a.patient_id).collect();
    for patient in patients {
        audit_patient_data(&state, &who, "search", "appointment", None, patient).await?;
    }
    let links = links(&state);
    let risks = frontdesk_engine::scheduling::no_show_risks(&state.ctx, who.tenant_id, &matches).await?;
    let entries = matches
        .iter()
        .map(|a| {
            let resource = resources::appointment(&links, a, catalog.refs(a));
            let resource = match risks.get(&a.id) {
                Some(risk) => resources::with_no_show_risk(&links, resource, risk),
                None => resource,
            };
            Entry::readable(&links, resource)
        })
        .collect();
    Ok(Fhir(bundle::searchset(&links, "Appointment", uri.query(), state.ctx.clock.now(), entries)))
}

/// The services a schedule offers (those of the practitioner's department, or the one
/// asked for), if the schedule exists and can be booked.
fn bookable(cal: &Calendar, id: ScheduleId, service: Option<ServiceId>) -> Option<Vec<&Service>> {
    let p = cal.practitioner(id.practitioner).ok().filter(|p| p.active)?;
    cal.location(id.location).ok()?;
    cal.working_hours(id.practitioner, id.location).ok()?;
    let services = cal
        .services
        .iter()
        .filter(|s| match service {
            Some(wanted) => s.id == wanted,
            None => same_department(&s.department, &p.department),
        })
        .collect();
    Some(services)
}

/// The requested `[from, to)`, defaulted and bounded. Past slots are never free, so the
/// window effectively starts at `now`.
fn slot_window(window: Window, now: Timestamp) -> Result<(Timestamp, Timestamp), FhirError> {
    let from = window.from.unwrap_or(now);
    let to = window.to.unwrap_or_else(|| later(from, DEFAULT_SLOT_WINDOW_DAYS));
    if to.duration_since(from) > SignedDuration::from_hours(24 * MAX_SLOT_WINDOW_DAYS) {
        return Err(FhirError::too_costly(format!(
            "the start range spans more than {MAX_SLOT_WINDOW_DAYS} days; ask for at most {MAX_SLOT_WINDOW_DAYS} at a time"
        )));
    }
    Ok((from.max(now), to))
}

pub async fn slots(State(state): State<AppState>, who: Principal, uri: Uri) -> Result<Fhir, FhirError> {
    let q = SlotSearch::parse(&Params::parse(&uri)?)?;
    let cal = Calendar::load(&state.ctx, who.tenant_id).await?;
    let now = state.ctx.clock.now();
    // Local dates and times mean the schedule's location's wall clock.
    let zone = if cal.location(q.schedule.location).is_ok() {
        cal.zone(q.schedule.location)
    } else {
        cal.tenant_zone()
    };
    let (from, to) = slot_window(Window::of(&q.starts, &zone)?, now)?;
    let links = links(&state);
    let mut entries = Vec::new();
    if let Some(services) = bookable(&cal, q.schedule, q.service).filter(|_| q.wants_free && from < to) {
        let first = zone.to_datetime(from).date();
        let last = zone.to_datetime(to.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(to)).date();
        let target = [(q.schedule.practitioner, q.schedule.location)];
        let mut found = Vec::new();
        for service in services {
            let slots = free_slots(&state.ctx, &cal, service, &target, first, last).await?;
            found.extend(slots.into_iter().filter(|s| from <= s.start && s.start < to).map(|s| (s, service)));
        }
        found.sort_by(|(a, sa), (b, sb)| (a.start, &sa.name).cmp(&(b.start, &sb.name)));
        entries =
            found.iter().map(|(s, service)| Entry::computed(schedule::slot(&links, s, service))).collect();
    }
    Ok(Fhir(bundle::searchset(&links, "Slot", uri.query(), now, entries)))
}

pub async fn schedules_search(
    State(state): State<AppState>,
    who: Principal,
    uri: Uri,
) -> Result<Fhir, FhirError> {
    let actor = schedule_actor(&Params::parse(&uri)?)?;
    let links = links(&state);
    let entries = schedules(&state, who.tenant_id)
        .await?
        .into_iter()
        .filter(|(id, _)| match actor {
            None => true,
            Some(ActorFilter::Practitioner(p)) => id.practitioner.0 == p,
            Some(ActorFilter::Location(l)) => id.location.0 == l,
        })
        .map(|(_, resource)| Entry::readable(&links, resource))
        .collect();
    Ok(Fhir(bundle::searchset(&links, "Schedule", uri.query(), state.ctx.clock.now(), entries)))
}
