//! Helpers of the booking form, as fragments htmx swaps in: the patients matching what
//! was typed, and free slots ranked by the engine's search (the same ranking the
//! WhatsApp assistant offers patients).

use super::view::{day_heading, today};
use crate::AppState;
use crate::app::i18n::Texts;
use crate::app::page::{clock_time, internal, render};
use crate::app::patients::patient_query;
use crate::app::session::Staff;
use crate::slot_choice::Placement;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::{DayPeriod, SearchPreferences};
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling::SchedulingFailure;
use serde::Deserialize;
use uuid::Uuid;

/// How many patients and slots a fragment offers: enough to choose, few enough to read.
const MATCHES: usize = 8;
const SUGGESTIONS: usize = 8;

#[derive(Template)]
#[template(path = "calendar_patients.html")]
struct PatientMatches {
    t: &'static Texts,
    searched: bool,
    /// (id, name, phone)
    rows: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    find: String,
}

pub async fn patients(State(state): State<AppState>, staff: Staff, Query(q): Query<FindQuery>) -> Response {
    let text = q.find.trim();
    let t = staff.texts();
    if text.chars().count() < 2 {
        return render(&PatientMatches { t, searched: false, rows: Vec::new() }, StatusCode::OK);
    }
    let page = PageRequest::new(None, Some(MATCHES as u32));
    match state.ctx.store.search_patients(staff.tenant.id, &patient_query(text), page).await {
        Ok(found) => {
            let rows = found
                .items
                .into_iter()
                .map(|p| (p.id.to_string(), p.name.as_str().to_owned(), p.phone.as_str().to_owned()))
                .collect();
            render(&PatientMatches { t, searched: true, rows }, StatusCode::OK)
        }
        Err(e) => internal(staff.locale(), &e),
    }
}

pub struct Suggestion {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "calendar_slots.html")]
struct SlotSuggestions {
    t: &'static Texts,
    problem: Option<&'static str>,
    slots: Vec<Suggestion>,
}

#[derive(Deserialize)]
pub struct SlotQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    practitioner: String,
    /// Present when any practitioner of the service will do.
    #[serde(default)]
    anyone: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    unit_filter: String,
}

fn period(value: &str) -> Option<DayPeriod> {
    match value {
        "morning" => Some(DayPeriod::Morning),
        "afternoon" => Some(DayPeriod::Afternoon),
        "evening" => Some(DayPeriod::Evening),
        _ => None,
    }
}

pub async fn slots(State(state): State<AppState>, staff: Staff, Query(q): Query<SlotQuery>) -> Response {
    let t = staff.texts();
    let answer = |problem, slots| render(&SlotSuggestions { t, problem, slots }, StatusCode::OK);
    let Ok(service) = q.service.parse::<Uuid>().map(ServiceId) else {
        return answer(Some(t.not_bookable), vec![]);
    };
    let today = today(&state, &staff);
    let prefs = SearchPreferences {
        service_id: Some(service),
        location_id: q.unit_filter.parse::<Uuid>().ok().map(LocationId),
        practitioner_id: q
            .anyone
            .is_empty()
            .then(|| q.practitioner.parse::<Uuid>().ok().map(PractitionerId))
            .flatten(),
        time_of_day: period(&q.period),
        earliest_date: Some(q.date.parse().unwrap_or(today).max(today)),
        limit: SUGGESTIONS,
        ..Default::default()
    };
    let outcome = match frontdesk_engine::scheduling::search(&state.ctx, staff.tenant.id, &prefs).await {
        Ok(o) => o,
        Err(
            SchedulingFailure::NotFound(_)
            | SchedulingFailure::Invalid(_)
            | SchedulingFailure::NotBookable(_),
        ) => {
            return answer(Some(t.not_bookable), vec![]);
        }
        Err(e) => return internal(staff.locale(), &e),
    };
    let cal = &outcome.calendar;
    let tz = staff.tenant.timezone.time_zone();
    let slots = outcome
        .result
        .slots
        .iter()
        .map(|r| {
            let s = &r.slot;
            let who = cal.practitioner(s.practitioner_id).map(|p| p.name.clone()).unwrap_or_default();
            let unit = cal.location(s.location_id).map(|l| l.name.clone()).unwrap_or_default();
            let day = day_heading(t, s.start.to_zoned(tz.clone()).date());
            Suggestion {
                value: Placement::of(s).value(),
                label: format!("{day} {} · {who} · {unit}", clock_time(s.start, &tz)),
            }
        })
        .collect::<Vec<_>>();
    let problem = slots.is_empty().then_some(t.no_slots);
    answer(problem, slots)
}
