//! Settings, hours: each practitioner's week at a unit (a break is the gap between two
//! spans of a day: `08:00-12:00, 13:00-18:00`) and exceptions (holidays, time off):
//! `engine::set_weekly_hours` and `engine::add_exception`, as `PUT
//! /api/v1/practitioners/{id}/hours` and `POST /api/v1/exceptions`.

use super::texts::SettingsTexts;
use super::{FieldErrors, filled, guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{internal, problem_page, render};
use crate::app::session::Staff;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::scheduling::{Exception, ExceptionKind, LocalInterval, WeeklyHours, WeeklyInterval};
use frontdesk_domain::{LocationId, PractitionerId};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::scheduling::{self as engine, CatalogError};
use jiff::civil::{Date, Time, Weekday};
use serde::Deserialize;
use uuid::Uuid;

pub const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

/// `08:00-12:00, 13:00-18:00` (empty: not working) into ordered, non-overlapping spans.
pub fn parse_day(raw: &str) -> Result<Vec<LocalInterval>, ()> {
    let mut spans = Vec::new();
    for part in raw.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let (start, end) = part.split_once(['-', '–']).ok_or(())?;
        let time = |s: &str| s.trim().parse::<Time>().map_err(|_| ());
        spans.push(LocalInterval::new(time(start)?, time(end)?).map_err(|_| ())?);
    }
    spans.sort();
    if spans.windows(2).any(|w| w[1].start() < w[0].end()) {
        return Err(());
    }
    Ok(spans)
}

fn day_text(spans: impl Iterator<Item = LocalInterval>) -> String {
    spans
        .map(|s| format!("{}-{}", s.start().strftime("%H:%M"), s.end().strftime("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct Timetable {
    pub who: String,
    /// (weekday label, hours text)
    pub days: Vec<(&'static str, String)>,
}

pub struct ExceptionRow {
    pub dates: String,
    pub who: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "settings_hours.html")]
struct HoursPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    timetables: Vec<Timetable>,
    /// (practitioner|unit, "practitioner — unit")
    pairs: Vec<(String, String)>,
    practitioners: Vec<(String, String)>,
    /// (field name, label, value shown)
    week: Vec<(&'static str, &'static str, String)>,
    exceptions: Vec<ExceptionRow>,
    errors: FieldErrors,
}

fn weekday_label(s: &SettingsTexts, w: Weekday) -> &'static str {
    s.weekdays[w.to_monday_zero_offset() as usize]
}

async fn page(
    state: &AppState,
    staff: &Staff,
    form: Option<&HoursForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let id = staff.tenant.id;
    let store = &state.ctx.store;
    let loaded = async {
        Ok::<_, frontdesk_store::StoreError>((
            store.list_locations(id).await?,
            store.list_practitioners(id).await?,
            store.list_weekly_hours(id).await?,
            store.list_exceptions(id).await?,
        ))
    };
    let (units, practitioners, hours, exceptions) = match loaded.await {
        Ok(l) => l,
        Err(e) => return internal(staff.locale(), &e),
    };
    let t = staff.texts();
    let s = &t.set;
    let p_name = |p: PractitionerId| {
        practitioners.iter().find(|x| x.id == p).map(|x| x.name.clone()).unwrap_or_default()
    };
    let u_name = |u: LocationId| units.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default();
    let timetables = hours
        .iter()
        .map(|h| Timetable {
            who: format!("{} — {}", p_name(h.practitioner_id), u_name(h.location_id)),
            days: WEEK
                .iter()
                .map(|(w, _)| (weekday_label(s, *w), day_text(h.on(*w))))
                .filter(|(_, text)| !text.is_empty())
                .collect(),
        })
        .collect();
    let pairs = practitioners
        .iter()
        .flat_map(|p| {
            p.location_ids.iter().map(|l| (format!("{}|{}", p.id, l), format!("{} — {}", p.name, u_name(*l))))
        })
        .collect();
    let week = WEEK
        .iter()
        .map(|(w, field)| {
            let value = form.map(|f| f.day(field).to_owned()).unwrap_or_default();
            (*field, weekday_label(s, *w), value)
        })
        .collect();
    let exceptions = exceptions
        .iter()
        .filter_map(|r| {
            let ExceptionKind::TimeOffDates { first, last } = &r.exception.kind else { return None };
            let dates = if first == last { first.to_string() } else { format!("{first} – {last}") };
            let who = r.exception.practitioner_id.map(p_name).unwrap_or_else(|| s.everyone.to_owned());
            Some(ExceptionRow { dates, who, note: r.exception.note.clone().unwrap_or_default() })
        })
        .collect();
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let practitioners = practitioners.iter().map(|p| (p.id.to_string(), p.name.clone())).collect();
    let page = HoursPage {
        t,
        s,
        chrome,
        nav: nav(staff),
        here: "/app/settings/hours",
        timetables,
        pairs,
        practitioners,
        week,
        exceptions,
        errors,
    };
    render(&page, status)
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    page(&state, &staff, None, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct HoursForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    monday: String,
    #[serde(default)]
    tuesday: String,
    #[serde(default)]
    wednesday: String,
    #[serde(default)]
    thursday: String,
    #[serde(default)]
    friday: String,
    #[serde(default)]
    saturday: String,
    #[serde(default)]
    sunday: String,
}

impl HoursForm {
    fn day(&self, field: &str) -> &str {
        match field {
            "monday" => &self.monday,
            "tuesday" => &self.tuesday,
            "wednesday" => &self.wednesday,
            "thursday" => &self.thursday,
            "friday" => &self.friday,
            "saturday" => &self.saturday,
            _ => &self.sunday,
        }
    }
}

async fn audited(state: &AppState, staff: &Staff, kind: &'static str, id: &str) -> Response {
    let access = Access { action: "update", resource_type: kind, resource_id: Some(id), patient_id: None };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to("/app/settings/hours?saved=1").into_response()
}

pub async fn save_week(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<HoursForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let mut errors = FieldErrors::default();
    let pair =
        form.who.split_once('|').and_then(|(p, l)| Some((p.parse::<Uuid>().ok()?, l.parse::<Uuid>().ok()?)));
    let Some((practitioner, unit)) = pair else {
        errors.add("who", s.invalid_value);
        return page(&state, &staff, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let mut intervals = Vec::new();
    for (weekday, field) in WEEK {
        match parse_day(form.day(field)) {
            Ok(spans) => intervals.extend(spans.into_iter().map(|hours| WeeklyInterval { weekday, hours })),
            Err(()) => errors.add(field, s.hours_invalid),
        }
    }
    if !errors.is_empty() {
        return page(&state, &staff, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hours = WeeklyHours {
        practitioner_id: PractitionerId(practitioner),
        location_id: LocationId(unit),
        intervals,
    };
    match engine::set_weekly_hours(&state.ctx, staff.tenant.id, hours).await {
        Ok(_) => audited(&state, &staff, "weekly_hours", &practitioner.to_string()).await,
        Err(e @ CatalogError::Store(_)) => internal(staff.locale(), &e),
        Err(_) => {
            errors.add("who", s.invalid_value);
            page(&state, &staff, Some(&form), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ExceptionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first: String,
    #[serde(default)]
    last: String,
    #[serde(default)]
    practitioner_id: String,
    #[serde(default)]
    note: String,
}

/// A day or days off: for everyone (a holiday) or one practitioner (time off).
pub async fn add_exception(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<ExceptionForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let mut errors = FieldErrors::default();
    let first = form.first.trim().parse::<Date>().map_err(|_| errors.add("first", s.date_invalid)).ok();
    let last = match filled(&form.last) {
        None => first,
        Some(l) => l.parse::<Date>().map_err(|_| errors.add("last", s.date_invalid)).ok(),
    };
    let practitioner = match filled(&form.practitioner_id) {
        None => None,
        Some(p) => match p.parse::<Uuid>() {
            Ok(p) => Some(PractitionerId(p)),
            Err(_) => {
                return problem_page(staff.locale(), StatusCode::UNPROCESSABLE_ENTITY);
            }
        },
    };
    let (Some(first), Some(last)) = (first, last) else {
        return page(&state, &staff, None, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let exception = Exception {
        practitioner_id: practitioner,
        location_id: None,
        kind: ExceptionKind::TimeOffDates { first, last },
        note: filled(&form.note),
    };
    // A double submit would add the same days twice: the same days for the same people
    // are already off, so it adds nothing.
    match state.ctx.store.list_exceptions(staff.tenant.id).await {
        Ok(known) if known.iter().any(|r| r.exception == exception) => {
            return Redirect::to("/app/settings/hours?saved=1").into_response();
        }
        Ok(_) => {}
        Err(e) => return internal(staff.locale(), &e),
    }
    match engine::add_exception(&state.ctx, staff.tenant.id, exception).await {
        Ok(r) => audited(&state, &staff, "exception", &r.id.to_string()).await,
        Err(e @ CatalogError::Store(_)) => internal(staff.locale(), &e),
        Err(_) => {
            errors.add("last", s.dates_inverted);
            page(&state, &staff, None, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_day;

    #[test]
    fn a_day_with_a_break_is_two_spans() {
        let spans = parse_day("13:00-18:00, 08:00-12:00").unwrap();
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].start().to_string(), "08:00:00");
        assert!(parse_day("").unwrap().is_empty());
    }

    #[test]
    fn nonsense_and_overlaps_are_refused() {
        assert!(parse_day("8h às 12h").is_err());
        assert!(parse_day("12:00-08:00").is_err());
        assert!(parse_day("08:00-12:00, 11:00-14:00").is_err());
    }
}
