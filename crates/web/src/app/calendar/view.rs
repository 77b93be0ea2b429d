//! The calendar page: a day with a column per practitioner, or a week with a column per
//! day; appointments coloured by status with the actions each allows now.

use super::scope::{Scope, ScopeQuery, View};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{clock_time, internal, problem_page, render};
use crate::app::session::Staff;
use crate::app::today::patient_name;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::noshow::{Risk, RiskLevel};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, Practitioner, not_yet, transition};
use frontdesk_domain::staff::Permission;
use frontdesk_domain::tenant::Locale;
use frontdesk_store::AppointmentFilter;
use jiff::civil::Date;
use std::collections::HashMap;
use uuid::Uuid;

/// The actions a person takes from the calendar, in the order they are offered.
pub const ACTIONS: [AppointmentAction; 5] = [
    AppointmentAction::Confirm,
    AppointmentAction::CheckIn,
    AppointmentAction::Complete,
    AppointmentAction::MarkNoShow,
    AppointmentAction::Cancel,
];

pub fn segment(action: AppointmentAction) -> &'static str {
    match action {
        AppointmentAction::CheckIn => "check-in",
        AppointmentAction::MarkNoShow => "no-show",
        other => other.as_str(),
    }
}

/// What may be done to `a` now: what the lifecycle allows, and a no-show only once the
/// appointment has started.
pub fn allowed(a: &Appointment, now: jiff::Timestamp) -> impl Iterator<Item = AppointmentAction> + '_ {
    ACTIONS
        .into_iter()
        .filter(move |action| transition(a.status, *action).is_ok())
        .filter(move |action| not_yet(*action, a.start, now).is_none())
}

pub struct Row {
    pub id: String,
    /// The appointment's local date (a move keeps the day and changes the time).
    pub date: String,
    /// Its day in the day view, where its actions are (the week only lists).
    pub day_href: String,
    pub time: String,
    pub patient: String,
    pub service: String,
    /// Shown in the week view, where a column holds everyone's day.
    pub practitioner: Option<String>,
    pub status: &'static str,
    /// The status's wire name, for its colour (`st-booked`, `st-cancelled`...).
    pub status_class: &'static str,
    /// (path segment, label)
    pub actions: Vec<(&'static str, &'static str)>,
    pub reschedulable: bool,
    /// For appointments still ahead: the no-show risk.
    pub risk: Option<RiskBadge>,
}

pub struct RiskBadge {
    /// "No-show risk: high (34%)"
    pub label: String,
    /// `risk-low`, `risk-medium`, `risk-high`.
    pub class: &'static str,
    /// Its reasons, in words.
    pub reasons: String,
}

impl RiskBadge {
    fn new(t: &Texts, risk: &Risk) -> Self {
        let (level, class) = match risk.level() {
            RiskLevel::Low => (t.risk_low, "risk-low"),
            RiskLevel::Medium => (t.risk_medium, "risk-medium"),
            RiskLevel::High => (t.risk_high, "risk-high"),
        };
        let reasons: Vec<&str> = risk
            .reasons
            .iter()
            .filter_map(|r| match r.code.as_str() {
                "long_lead_time" => Some(t.risk_reason_lead),
                "prior_no_shows" => Some(t.risk_reason_history),
                "not_confirmed" => Some(t.risk_reason_unconfirmed),
                "first_visit" => Some(t.risk_reason_first_visit),
                "prior_cancellations" => Some(t.risk_reason_cancellations),
                "weekday" => Some(t.risk_reason_weekday),
                "time_of_day" => Some(t.risk_reason_time_of_day),
                "service" => Some(t.risk_reason_service),
                "practitioner" => Some(t.risk_reason_practitioner),
                "booking_pattern" => Some(t.risk_reason_booking_pattern),
                "later_appointments" => Some(t.risk_reason_later),
                // Facts of a data set (neighbourhood, age, load) are not the desk's business.
                _ => None,
            })
            .collect();
        Self {
            label: format!("{}: {level} ({:.0}%)", t.risk_label, risk.probability * 100.0),
            class,
            reasons: reasons.join(", "),
        }
    }
}

pub struct Column {
    pub heading: String,
    pub is_today: bool,
    pub rows: Vec<Row>,
    /// The sum of the risks of the column's appointments still ahead ("1.3"), when any.
    pub expected_no_shows: Option<String>,
}

/// One decimal, written the way the reader's language writes it ("1,3" in Portuguese).
fn expected_no_shows(rows: &[Row], risks: &HashMap<String, f64>, locale: Locale) -> Option<String> {
    let ahead: Vec<f64> = rows.iter().filter_map(|r| risks.get(&r.id).copied()).collect();
    let figure = format!("{:.1}", ahead.iter().sum::<f64>());
    (!ahead.is_empty()).then(|| if locale == Locale::PtBr { figure.replace('.', ",") } else { figure })
}

/// What a refused form brings back to the page: what went wrong, at which field, and what
/// the person had typed (so nothing has to be typed twice).
#[derive(Default)]
pub struct Feedback {
    pub problem: Option<&'static str>,
    /// The booking field the problem is about (shown next to it), if it is one field's.
    pub field: Option<Field>,
    pub draft: Draft,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Phone,
    Time,
}

impl Feedback {
    pub fn problem(problem: &'static str) -> Self {
        Feedback { problem: Some(problem), ..Default::default() }
    }

    fn at(&self, field: Field) -> Option<&'static str> {
        self.problem.filter(|_| self.field == Some(field))
    }
}

/// The booking form as the person left it.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: String,
    pub phone: String,
    pub time: String,
    pub service: String,
    pub practitioner: String,
}

/// (value, label, selected) of a filter's option.
pub type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    t: &'static Texts,
    chrome: Chrome,
    /// The scope's date, view and filters, for links and hidden form fields.
    date: String,
    view: &'static str,
    practitioner_filter: String,
    unit_filter: String,
    title: String,
    previous_href: String,
    next_href: String,
    day_href: String,
    week_href: String,
    unit_choices: Vec<Choice>,
    practitioner_choices: Vec<Choice>,
    can_work: bool,
    columns: Vec<Column>,
    /// A problem that is not one field's (shown above everything).
    problem: Option<&'static str>,
    name_error: Option<&'static str>,
    phone_error: Option<&'static str>,
    time_error: Option<&'static str>,
    draft: Draft,
    /// (id, name) of bookable practitioners (in the unit shown) and of services.
    practitioners: Vec<(String, String)>,
    services: Vec<(String, String)>,
    /// Makes a double-submitted booking form book once (its idempotency key).
    form_id: String,
}

pub async fn page(State(state): State<AppState>, staff: Staff, Query(q): Query<ScopeQuery>) -> Response {
    let scope = Scope::parse(&q, today(&state, &staff));
    render_page(&state, &staff, scope, Feedback::default(), StatusCode::OK).await
}

pub fn today(state: &AppState, staff: &Staff) -> Date {
    state.ctx.clock.now().to_zoned(staff.tenant.timezone.time_zone()).date()
}

fn works_in(p: &Practitioner, scope: &Scope) -> bool {
    p.active && scope.unit.is_none_or(|u| p.location_ids.contains(&u))
}

/// `Seg 01/06` / `Mon 01/06`.
pub fn day_heading(t: &Texts, date: Date) -> String {
    let weekday = t.weekdays[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())];
    format!("{weekday} {}", date.strftime("%d/%m"))
}

/// The page for `scope`, with what a refused form brings back (a refused booking, a stale
/// action) and the status to answer with.
pub async fn render_page(
    state: &AppState,
    staff: &Staff,
    scope: Scope,
    feedback: Feedback,
    status: StatusCode,
) -> Response {
    let t = staff.texts();
    let store = &state.ctx.store;
    let tenant = staff.tenant.id;
    let tz = staff.tenant.timezone.time_zone();
    let days = scope.days();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    let bounds = first.to_zoned(tz.clone()).and_then(|start| {
        let end = last.to_zoned(tz.clone())?.tomorrow()?;
        Ok((start.timestamp(), end.timestamp()))
    });
    let Ok((from, to)) = bounds else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    let filter = AppointmentFilter {
        from: Some(from),
        to: Some(to),
        practitioner_id: scope.practitioner,
        ..Default::default()
    };
    let listed = store.list_appointments(tenant, &filter, PageRequest::new(None, Some(1000))).await;
    let loaded = (listed, store.list_practitioners(tenant).await, store.list_services(tenant).await);
    let (Ok(appointments), Ok(practitioners), Ok(services), Ok(units)) =
        (loaded.0, loaded.1, loaded.2, store.list_locations(tenant).await)
    else {
        return internal(staff.locale(), &"the calendar could not be loaded");
    };
    let mut appointments: Vec<Appointment> =
        appointments.items.into_iter().filter(|a| scope.unit.is_none_or(|u| a.location_id == u)).collect();
    appointments.sort_by_key(|a| a.start);

    let shown: Vec<&Practitioner> = practitioners
        .iter()
        .filter(|p| works_in(p, &scope) && scope.practitioner.is_none_or(|id| p.id == id))
        .collect();
    let service_names: HashMap<_, _> = services.iter().map(|s| (s.id, s.name.clone())).collect();
    let practitioner_names: HashMap<_, _> = practitioners.iter().map(|p| (p.id, p.name.clone())).collect();
    let now = state.ctx.clock.now();
    let Ok(risks) = frontdesk_engine::scheduling::no_show_risks(&state.ctx, tenant, &appointments).await
    else {
        return internal(staff.locale(), &"the no-show risks could not be read");
    };
    let probabilities: HashMap<String, f64> =
        risks.iter().map(|(id, r)| (id.to_string(), r.probability)).collect();
    let mut names = HashMap::new();
    let mut rows_of = Vec::new();
    for a in &appointments {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(a.patient_id) {
            match patient_name(state, staff, a.patient_id).await {
                Ok(name) => slot.insert(name),
                Err(e) => return internal(staff.locale(), &e),
            };
        }
        let local = a.start.to_zoned(tz.clone());
        let row = Row {
            id: a.id.to_string(),
            date: local.date().to_string(),
            day_href: format!(
                "{}#appt-{}",
                Scope { date: local.date(), ..scope.with_view(View::Day) }.href(),
                a.id
            ),
            time: clock_time(a.start, &tz),
            patient: names.get(&a.patient_id).cloned().unwrap_or_default(),
            service: service_names.get(&a.service_id).cloned().unwrap_or_default(),
            practitioner: (scope.view == View::Week)
                .then(|| practitioner_names.get(&a.practitioner_id).cloned().unwrap_or_default()),
            status: t.appointment_status(a.status),
            status_class: a.status.as_str(),
            actions: allowed(a, now).map(|action| (segment(action), t.action(action))).collect(),
            reschedulable: transition(a.status, AppointmentAction::Reschedule).is_ok(),
            risk: risks.get(&a.id).map(|r| RiskBadge::new(t, r)),
        };
        rows_of.push((a.practitioner_id, local.date(), row));
    }
    let today = today(state, staff);
    let columns = match scope.view {
        View::Day => shown
            .iter()
            .map(|p| {
                let rows = take(&mut rows_of, |(who, _, _)| *who == p.id);
                Column {
                    heading: p.name.clone(),
                    is_today: false,
                    expected_no_shows: expected_no_shows(&rows, &probabilities, staff.locale()),
                    rows,
                }
            })
            .collect(),
        View::Week => days
            .iter()
            .map(|day| {
                let rows = take(&mut rows_of, |(_, date, _)| date == day);
                Column {
                    heading: day_heading(t, *day),
                    is_today: *day == today,
                    expected_no_shows: expected_no_shows(&rows, &probabilities, staff.locale()),
                    rows,
                }
            })
            .collect(),
    };

    let chrome = match Chrome::new(state, staff, "calendar").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let choice = |id: String, name: &str, selected: bool| (id, name.to_owned(), selected);
    let title = match scope.view {
        View::Day => format!("{} · {}", day_heading(t, scope.date), scope.date.year()),
        View::Week => format!("{} – {}", first.strftime("%d/%m"), last.strftime("%d/%m/%Y")),
    };
    let page = CalendarPage {
        t,
        chrome,
        date: scope.date.to_string(),
        view: scope.view.as_str(),
        practitioner_filter: scope.practitioner_value(),
        unit_filter: scope.unit_value(),
        title,
        previous_href: scope.step(false).href(),
        next_href: scope.step(true).href(),
        day_href: scope.with_view(View::Day).href(),
        week_href: scope.with_view(View::Week).href(),
        unit_choices: units
            .iter()
            .map(|u| choice(u.id.to_string(), &u.name, scope.unit == Some(u.id)))
            .collect(),
        practitioner_choices: practitioners
            .iter()
            .filter(|p| works_in(p, &scope))
            .map(|p| choice(p.id.to_string(), &p.name, scope.practitioner == Some(p.id)))
            .collect(),
        can_work: staff.may(Permission::Work),
        columns,
        problem: feedback.problem.filter(|_| feedback.field.is_none()),
        name_error: feedback.at(Field::Name),
        phone_error: feedback.at(Field::Phone),
        time_error: feedback.at(Field::Time),
        draft: feedback.draft,
        practitioners: shown.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(),
        services: services.iter().map(|s| (s.id.to_string(), s.name.clone())).collect(),
        form_id: Uuid::new_v4().simple().to_string(),
    };
    render(&page, status)
}

/// A row with what the views group it by: its practitioner and its local day.
type Grouped = (frontdesk_domain::PractitionerId, Date, Row);

/// Moves the rows matching `which` out of `rows`, keeping their order.
fn take(rows: &mut Vec<Grouped>, which: impl Fn(&Grouped) -> bool) -> Vec<Row> {
    let (taken, kept): (Vec<Grouped>, Vec<Grouped>) = std::mem::take(rows).into_iter().partition(which);
    *rows = kept;
    taken.into_iter().map(|(_, _, row)| row).collect()
}
