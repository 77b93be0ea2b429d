//! Choosing what and when: the service (and, if the patient cares, the unit and the
//! practitioner), then a day and a free time from live availability.

use super::texts::{self, BookTexts};
use super::{Clinic, appointment, price_text, when_text};
use crate::AppState;
use crate::app::page::{internal, render};
use crate::slot_choice::Placement;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::scheduling::{Service, Slot};
use frontdesk_domain::{AppointmentId, LocationId, PractitionerId, ServiceId};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How far ahead the page offers times.
const DAYS_AHEAD: i64 = 14;
/// Times offered when the one chosen was just taken.
const NEXT_AFTER_TAKEN: usize = 6;

/// What the patient has chosen so far, as the address carries it. Every field is text so a
/// mangled address is a page that says so, never a rejection.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Choice {
    pub service: String,
    pub unit: String,
    pub practitioner: String,
    pub day: String,
    pub lang: String,
    /// Rescheduling: the appointment being moved and its signed link token.
    pub reschedule: String,
    pub token: String,
    /// A personal link: the patient it was sent to, and its signed token.
    pub patient: String,
    pub invite: String,
}

impl Choice {
    pub fn service_id(&self) -> Option<ServiceId> {
        self.service.parse::<Uuid>().ok().map(ServiceId)
    }
    fn unit_id(&self) -> Option<LocationId> {
        self.unit.parse::<Uuid>().ok().map(LocationId)
    }
    fn practitioner_id(&self) -> Option<PractitionerId> {
        self.practitioner.parse::<Uuid>().ok().map(PractitionerId)
    }
    pub fn moving(&self) -> Option<AppointmentId> {
        self.reschedule.parse().ok()
    }

    /// `path?query` with this choice, the empty fields left out.
    pub fn href(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, &str)> = [
            ("service", self.service.as_str()),
            ("unit", &self.unit),
            ("practitioner", &self.practitioner),
            ("day", &self.day),
            ("lang", &self.lang),
            ("reschedule", &self.reschedule),
            ("token", &self.token),
            ("patient", &self.patient),
            ("invite", &self.invite),
        ]
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !extra.iter().any(|(e, _)| e == k))
        .collect();
        pairs.extend(extra.iter().copied());
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
    }
}

pub struct Choosable {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "book_start.html")]
struct StartPage {
    t: &'static BookTexts,
    clinic: String,
    action: String,
    lang: String,
    patient: String,
    invite: String,
    other_language_href: String,
    services: Vec<Choosable>,
    units: Vec<Choosable>,
    practitioners: Vec<Choosable>,
}

/// The first page: what to book.
pub async fn start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
) -> Response {
    let locale = texts::locale(Some(&choice.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    let cal = &clinic.calendar;
    let option =
        |value: String, label: String, chosen: &str| Choosable { selected: value == chosen, value, label };
    let services = cal
        .services
        .iter()
        .map(|s| option(s.id.to_string(), service_label(s, &clinic), &choice.service))
        .collect();
    let units =
        cal.locations.iter().map(|l| option(l.id.to_string(), l.name.clone(), &choice.unit)).collect();
    let practitioners = cal
        .practitioners
        .iter()
        .filter(|p| p.active)
        .map(|p| option(p.id.to_string(), p.name.clone(), &choice.practitioner))
        .collect();
    let page = StartPage {
        t: clinic.t,
        clinic: clinic.tenant.name.clone(),
        action: format!("{}/slots", clinic.base()),
        lang: clinic.t.code.to_owned(),
        patient: choice.patient.clone(),
        invite: choice.invite.clone(),
        other_language_href: choice.href(&clinic.base(), &[("lang", clinic.t.other_code)]),
        services,
        units,
        practitioners,
    };
    render(&page, StatusCode::OK)
}

/// "Limpeza · 30 min · R$ 150,00".
fn service_label(s: &Service, clinic: &Clinic) -> String {
    let mut label = format!("{} · {} {}", s.name, s.duration_minutes, clinic.t.minutes);
    if let Some(cents) = s.price_cents {
        label.push_str(&format!(" · {}", price_text(cents, clinic.locale)));
    }
    label
}

pub struct DayView {
    pub label: String,
    pub count: usize,
    pub href: String,
    pub current: bool,
}

pub struct SlotView {
    pub label: String,
    /// Who and where, when the patient left either open.
    pub detail: String,
    /// The details form (a new booking).
    pub href: String,
    /// The slot's value (a move posts it).
    pub value: String,
}

pub struct MoveView {
    pub action: String,
    pub token: String,
}

#[derive(Template)]
#[template(path = "book_slots.html")]
struct SlotsPage {
    t: &'static BookTexts,
    clinic: String,
    heading: &'static str,
    service: String,
    change_href: String,
    other_language_href: String,
    lang: String,
    days: Vec<DayView>,
    day_label: String,
    slots: Vec<SlotView>,
    /// The slot the patient chose was just taken: the next free ones.
    taken: Option<Vec<SlotView>>,
    moving: Option<MoveView>,
    /// Joining the waitlist for this service (not when moving an appointment).
    waitlist_href: String,
}

/// Free times over the next two weeks, a day at a time.
pub async fn slots(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
) -> Response {
    let locale = texts::locale(Some(&choice.lang), &headers);
    let clinic = match Clinic::open(&state, &slug, locale).await {
        Ok(c) => c,
        Err(page) => return page,
    };
    slots_page(&state, &clinic, choice, None, StatusCode::OK).await
}

/// The times page for `choice`; with `taken`, that slot was just booked by someone else
/// and the page leads with the next free ones (another practitioner at the same time
/// included).
pub(super) async fn slots_page(
    state: &AppState,
    clinic: &Clinic,
    mut choice: Choice,
    taken: Option<Placement>,
    status: StatusCode,
) -> Response {
    let t = clinic.t;
    choice.lang = t.code.to_owned();
    let mut moving = None;
    if let Some(id) = choice.moving() {
        // A move keeps the appointment's service, practitioner and unit.
        let a = match appointment(state, clinic, id, &choice.token).await {
            Ok(a) => a,
            Err(page) => return page,
        };
        choice.service = a.service_id.to_string();
        choice.practitioner = a.practitioner_id.to_string();
        choice.unit = a.location_id.to_string();
        moving = Some(MoveView {
            action: format!("{}/appointment/{id}/reschedule", clinic.base()),
            token: choice.token.clone(),
        });
    }
    let Some(service) = choice.service_id().and_then(|id| clinic.calendar.service(id).ok()).cloned() else {
        return Redirect::to(&choice.href(&clinic.base(), &[])).into_response();
    };
    let now = state.ctx.clock.now();
    let tz = clinic.calendar.tenant_zone();
    let today = tz.to_datetime(now).date();
    let last = today.checked_add((DAYS_AHEAD - 1).days()).unwrap_or(today);
    let found = frontdesk_engine::scheduling::availability(
        &state.ctx,
        clinic.tenant.id,
        service.id,
        choice.practitioner_id(),
        choice.unit_id(),
        (today, last),
    )
    .await;
    let mut free = match found {
        Ok(found) => found.slots,
        Err(e) => return internal(clinic.locale, &e),
    };
    // The taken slot may still be in a calendar read a moment before it was booked.
    free.retain(|s| s.start > now && Some(Placement::of(s)) != taken);
    free.sort_by_key(|s| s.start);
    // One button per time: a patient chooses when, the first practitioner free then
    // takes it (the button names who).
    free.dedup_by_key(|s| s.start);
    let day_of = |s: &Slot| clinic.calendar.zone(s.location_id).to_datetime(s.start).date();
    let mut days: Vec<(Date, usize)> = Vec::new();
    for s in &free {
        match days.last_mut() {
            Some((d, n)) if *d == day_of(s) => *n += 1,
            _ => days.push((day_of(s), 1)),
        }
    }
    let wanted: Option<Date> = choice
        .day
        .parse()
        .ok()
        .or_else(|| taken.map(|p| clinic.calendar.zone(p.location).to_datetime(p.start).date()));
    let day = wanted.filter(|d| days.iter().any(|(x, _)| x == d)).or_else(|| days.first().map(|(d, _)| *d));
    let one_practitioner = choice.practitioner_id().is_some()
        && (choice.unit_id().is_some() || clinic.calendar.locations.len() < 2);
    let view = |s: &Slot, label: String| SlotView {
        label,
        detail: if one_practitioner { String::new() } else { slot_detail(clinic, s) },
        href: choice.href(&format!("{}/details", clinic.base()), &[("slot", &Placement::of(s).value())]),
        value: Placement::of(s).value(),
    };
    let time_of = |s: &Slot| {
        frontdesk_engine::scheduling::patient_time(
            clinic.calendar.zone(s.location_id).to_datetime(s.start).time(),
            clinic.locale,
        )
    };
    let taken_view = taken.map(|p| {
        free.iter()
            .filter(|s| s.start >= p.start)
            .take(NEXT_AFTER_TAKEN)
            .map(|s| view(s, when_text(&clinic.calendar, s.location_id, s.start, clinic.locale)))
            .collect()
    });
    let page = SlotsPage {
        t,
        clinic: clinic.tenant.name.clone(),
        heading: if moving.is_some() { t.reschedule_heading } else { t.choose_time },
        service: service_label(&service, clinic),
        change_href: if moving.is_some() {
            format!(
                "{}/appointment/{}?{}",
                clinic.base(),
                choice.reschedule,
                serde_urlencoded::to_string([("token", &choice.token), ("lang", &choice.lang)])
                    .unwrap_or_default()
            )
        } else {
            choice.href(&clinic.base(), &[("day", "")])
        },
        other_language_href: choice.href(&format!("{}/slots", clinic.base()), &[("lang", t.other_code)]),
        lang: choice.lang.clone(),
        days: days
            .iter()
            .map(|(d, count)| DayView {
                label: frontdesk_engine::scheduling::patient_date(*d, clinic.locale),
                count: *count,
                href: choice.href(&format!("{}/slots", clinic.base()), &[("day", &d.to_string())]),
                current: Some(*d) == day,
            })
            .collect(),
        day_label: day
            .map(|d| frontdesk_engine::scheduling::patient_date(d, clinic.locale))
            .unwrap_or_default(),
        slots: free.iter().filter(|s| Some(day_of(s)) == day).map(|s| view(s, time_of(s))).collect(),
        taken: taken_view,
        waitlist_href: choice.href(&format!("{}/waitlist", clinic.base()), &[("day", "")]),
        moving,
    };
    render(&page, status)
}

/// "Dra. Ana Lima · Centro" (the unit only when the clinic has several).
fn slot_detail(clinic: &Clinic, s: &Slot) -> String {
    let cal = &clinic.calendar;
    let who = cal.practitioner(s.practitioner_id).map(|p| p.name.clone()).unwrap_or_default();
    match cal.location(s.location_id) {
        Ok(l) if cal.locations.len() > 1 => format!("{who} · {}", l.name),
        _ => who,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_choice_and_drop_what_is_empty() {
        let c = Choice { service: "s1".into(), lang: "en".into(), ..Default::default() };
        assert_eq!(c.href("/book/x/slots", &[]), "/book/x/slots?service=s1&lang=en");
        assert_eq!(c.href("/book/x/slots", &[("lang", "pt-BR")]), "/book/x/slots?service=s1&lang=pt-BR");
        let slot = "p|l|2026-06-03T13:00:00Z";
        assert_eq!(
            c.href("/book/x/details", &[("slot", slot)]),
            "/book/x/details?service=s1&lang=en&slot=p%7Cl%7C2026-06-03T13%3A00%3A00Z"
        );
        assert_eq!(Choice::default().href("/book/x", &[]), "/book/x");
    }
}
