//! The dashboard: the period's headline figures beside the previous period's, the funnel,
//! the days in bars and the figures split by lead time, confirmation, practitioner, source
//! and sender, read from the analytics rollups (docs/metrics.md) so it opens fast
//! however big the clinic. The figures region refreshes itself on every live event (a new
//! booking moves the numbers without a reload); report downloads for the same period sit
//! below it.

mod chart;
mod only;
mod period;
mod splits;
mod words;

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{internal, problem_page, render};
use super::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::analytics::labels::{self, Unit};
use frontdesk_domain::analytics::{Counter, Overview, Period};
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::reports::{Format, ReportKind, ReportLayout as _, ReportRequest, report_locale};
use frontdesk_reports::Cell;
use serde::Deserialize;
pub use words::Words;

#[derive(Deserialize, Default)]
pub struct PeriodForm {
    pub from: Option<String>,
    pub to: Option<String>,
    /// `practitioner:ID`, `unit:ID` or `source:KEY`: the figures of that one only.
    pub only: Option<String>,
}

/// One figure on a card.
pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub previous: String,
    pub change: String,
    /// `up`, `down` or `flat`, and whether that is good news: `good`, `bad` or `neutral`.
    pub direction: &'static str,
    pub tone: &'static str,
}

/// One step of the funnel, its width a share of the first step.
pub struct Step {
    pub label: &'static str,
    pub count: String,
    pub percent: u32,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: &'static Texts,
    w: &'static Words,
    chrome: Chrome,
    from: String,
    to: String,
    quick: Vec<(String, String, &'static str)>,
    cards: Vec<Card>,
    funnel: Vec<Step>,
    charts: Vec<chart::BarChart>,
    splits: Vec<splits::Split>,
    reports: Vec<(&'static str, &'static str)>,
    /// The latest scheduled reports ready: (link text, address).
    scheduled: Vec<(String, String)>,
    /// The period's conversations that turned negative, latest first: (patient and when,
    /// the conversation's address).
    turned: Vec<(String, String)>,
    groups: Vec<only::Group>,
    /// The chosen `only`, empty for the whole clinic.
    only: String,
}

const CARDS: [&str; 14] = [
    "leads_total",
    "lead_to_booking_rate",
    "speed_to_lead_p50_seconds",
    "appointments_total",
    "no_show_rate",
    "revenue_booked",
    "revenue_lost_to_no_shows",
    "bookings_by_ai_share",
    "replies_by_ai_share",
    "handoffs_requested",
    "messages_sent",
    "messages_delivered_rate",
    "calls_total",
    "calls_answered_rate",
];

pub async fn show(State(state): State<AppState>, staff: Staff, Query(form): Query<PeriodForm>) -> Response {
    let locale = staff.locale();
    let tz = staff.tenant.timezone.time_zone();
    let today = state.ctx.clock.now().to_zoned(tz.clone()).date();
    let Ok(period) = period::chosen(&form, today, &tz) else {
        return problem_page(locale, StatusCode::BAD_REQUEST);
    };
    let Ok(narrowed) = only::parse(form.only.as_deref()) else {
        return problem_page(locale, StatusCode::BAD_REQUEST);
    };
    let chrome = match Chrome::new(&state, &staff, "dashboard").await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let tenant = staff.tenant.id;
    let overview = match &narrowed {
        None => frontdesk_engine::analytics::overview(&state.ctx, tenant, &period).await,
        Some(split) => frontdesk_engine::analytics::overview_for(&state.ctx, tenant, &period, split).await,
    };
    let overview = match overview {
        Ok(o) => o,
        Err(e) => return internal(locale, &e),
    };
    let w = words::of(locale);
    // Narrowed, only what is kept per the choice: a source's leads, a practitioner's or a
    // unit's bookings.
    let kept = |name: &str| {
        narrowed.as_ref().is_none_or(|s| {
            frontdesk_domain::analytics::overview::figures_split_by(s.dimension).contains(&name)
        })
    };
    let mut charts = Vec::new();
    for (counter, title, figure) in [
        (Counter::LeadsCreated, w.leads_per_day, "leads_total"),
        (Counter::AppointmentsBooked, w.bookings_per_day, "appointments_total"),
    ] {
        if !kept(figure) {
            continue;
        }
        let name = frontdesk_domain::analytics::counters::stored_name(counter, narrowed.as_ref());
        match state.ctx.store.rollup_days(tenant, period.from, period.to, &name).await {
            Ok(days) => charts.push(chart::BarChart::daily(title, &period, &days, locale)),
            Err(e) => return internal(locale, &e),
        }
    }
    let splits = match splits::all(&state.ctx, tenant, &period, w, locale).await {
        Ok(s) => s,
        Err(e) => return internal(locale, &e),
    };
    let groups = match only::groups(&state.ctx, tenant, &period, narrowed.as_ref(), w).await {
        Ok(g) => g,
        Err(e) => return internal(locale, &e),
    };
    let page = DashboardPage {
        t: staff.texts(),
        w,
        chrome,
        from: period.from.to_string(),
        to: period.to.to_string(),
        quick: period::quick_links(today, w),
        cards: CARDS.iter().filter(|name| kept(name)).map(|name| card(&overview, name, locale)).collect(),
        funnel: if kept("leads_total") { funnel(&overview, w) } else { Vec::new() },
        charts,
        splits,
        reports: ReportKind::ALL.iter().map(|k| (k.as_str(), k.title(report_locale(locale)))).collect(),
        scheduled: match scheduled_links(&state, &staff, w).await {
            Ok(s) => s,
            Err(e) => return internal(locale, &e),
        },
        turned: match turned_negative(&state, &staff, &period).await {
            Ok(t) => t,
            Err(e) => return internal(locale, &e),
        },
        groups,
        only: narrowed.as_ref().map(only::value).unwrap_or_default(),
    };
    render(&page, StatusCode::OK)
}

/// How many conversations that turned negative the dashboard lists.
const TURNED_SHOWN: u32 = 6;

/// The period's conversations whose patient's tone turned negative, as "Maria Souza ·
/// 05/06 14:32" and the conversation's address in the inbox.
async fn turned_negative(
    state: &AppState,
    staff: &Staff,
    period: &Period,
) -> Result<Vec<(String, String)>, frontdesk_store::StoreError> {
    let tz = staff.tenant.timezone.time_zone();
    let found = state
        .ctx
        .store
        .conversations_turned_negative(staff.tenant.id, period.start, period.end, TURNED_SHOWN)
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for c in found {
        let name = super::today::patient_name(state, staff, c.patient_id).await?;
        let format = if staff.locale() == Locale::PtBr { "%d/%m %H:%M" } else { "%b %-d, %H:%M" };
        let when = c.turned_negative_at.map(|t| t.to_zoned(tz.clone()).strftime(format).to_string());
        out.push((format!("{name} · {}", when.unwrap_or_default()), format!("/app/inbox/{}", c.id)));
    }
    Ok(out)
}

/// How many of the scheduled reports ready the dashboard links to.
const SCHEDULED_SHOWN: usize = 4;

/// The latest scheduled reports ready, as "Semanal · Visão geral · 01/06/2026 a 07/06/2026
/// · PDF" and the staff app's download address.
async fn scheduled_links(
    state: &AppState,
    staff: &Staff,
    w: &Words,
) -> Result<Vec<(String, String)>, frontdesk_store::StoreError> {
    use frontdesk_domain::analytics::schedule::Cadence;
    let settings = state.ctx.store.tenant_settings(staff.tenant.id).await?;
    let locale = staff.locale();
    let now = state.ctx.clock.now().to_zoned(staff.tenant.timezone.time_zone()).datetime();
    let day = |d: jiff::civil::Date| match locale {
        Locale::PtBr => d.strftime("%d/%m/%Y").to_string(),
        Locale::En => d.to_string(),
    };
    let through = if locale == Locale::PtBr { "a" } else { "to" };
    Ok(frontdesk_engine::reports::schedule::ready(&settings.reports, now)
        .into_iter()
        .take(SCHEDULED_SHOWN)
        .map(|r| {
            let title = r.report.title(report_locale(locale));
            let cadence = if r.cadence == Cadence::Weekly { w.weekly } else { w.monthly };
            let label = format!(
                "{cadence} · {title} · {} {through} {} · {}",
                day(r.from),
                day(r.to),
                r.format.as_str().to_uppercase()
            );
            let href = format!(
                "/app/reports/{}?from={}&to={}&format={}",
                r.report.as_str(),
                r.from,
                r.to,
                r.format.as_str()
            );
            (label, href)
        })
        .collect())
}

fn card(o: &Overview, name: &str, locale: Locale) -> Card {
    let (pt, en, unit) = labels::label(name).unwrap_or(("?", "?", Unit::Count));
    let f = o.get(name).unwrap_or(frontdesk_domain::analytics::Figure { value: None, previous: None });
    let kind = frontdesk_engine::reports::figure_kind(unit);
    let rl = report_locale(locale);
    let (value, previous) = (Cell::opt_num(f.value), Cell::opt_num(f.previous));
    let direction = match (f.value, f.previous) {
        (Some(v), Some(p)) if v > p => "up",
        (Some(v), Some(p)) if v < p => "down",
        _ => "flat",
    };
    let tone = match (direction, labels::rise_is_good(name)) {
        ("flat", _) | (_, None) => "neutral",
        ("up", Some(true)) | ("down", Some(false)) => "good",
        _ => "bad",
    };
    Card {
        label: if locale == Locale::PtBr { pt } else { en },
        value: frontdesk_reports::cell_text(&value, &kind, rl),
        previous: frontdesk_reports::cell_text(&previous, &kind, rl),
        change: frontdesk_reports::change_text(&value, &previous, &kind, rl),
        direction,
        tone,
    }
}

fn funnel(o: &Overview, w: &'static Words) -> Vec<Step> {
    let n = |name: &str| o.get(name).and_then(|f| f.value).unwrap_or(0.0);
    let steps = [
        (w.funnel_leads, n("leads_total")),
        (w.funnel_contacted, n("leads_contacted")),
        (w.funnel_booked, n("leads_booked")),
    ];
    let top = steps[0].1.max(1.0);
    steps
        .into_iter()
        .map(|(label, count)| Step {
            label,
            count: format!("{count:.0}"),
            percent: ((count / top) * 100.0).round().clamp(0.0, 100.0) as u32,
        })
        .collect()
}

/// A report of the dashboard's period, downloaded by a signed-in person (the same file as
/// `GET /api/v1/reports/{kind}`); the download is audited under their name.
pub async fn report(
    State(state): State<AppState>,
    staff: Staff,
    Path(kind): Path<String>,
    Query(q): Query<ReportForm>,
) -> Response {
    let locale = staff.locale();
    let tz = staff.tenant.timezone.time_zone();
    let (Some(kind), Some(format)) =
        (ReportKind::parse(&kind), Format::parse(q.format.as_deref().unwrap_or("csv")))
    else {
        return problem_page(locale, StatusCode::NOT_FOUND);
    };
    let Ok(period) = Period::parse(&q.from, &q.to, &tz) else {
        return problem_page(locale, StatusCode::BAD_REQUEST);
    };
    let access = Access {
        action: "export",
        resource_type: "report",
        resource_id: Some(kind.as_str()),
        patient_id: None,
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(locale, &e);
    }
    let req =
        ReportRequest { tenant: staff.tenant.id, kind, period, format, locale: Some(report_locale(locale)) };
    crate::report_download::stream_report(state, req)
}

#[derive(Deserialize)]
pub struct ReportForm {
    pub from: String,
    pub to: String,
    pub format: Option<String>,
}
