//! The headline figures and the chart each report carries above its rows, from the
//! analytics rollups (docs/metrics.md), with their names in the report's language.

use super::ReportKind;
use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::{Counter, Overview, Period};
use frontdesk_reports::{Cell, Chart, ColumnKind, Kpi, Locale};
use frontdesk_store::StoreResult;

/// A figure's name in Portuguese and English, and how a report shows it.
fn label(name: &str) -> (&'static str, &'static str, ColumnKind) {
    let Some((pt, en, unit)) = frontdesk_domain::analytics::labels::label(name) else {
        return ("?", "?", ColumnKind::Decimal);
    };
    (pt, en, super::figure_kind(unit))
}

/// The figures a report of this kind leads with.
fn figures_of(kind: ReportKind) -> &'static [&'static str] {
    match kind {
        ReportKind::Overview => &frontdesk_domain::analytics::overview::FIGURES,
        ReportKind::Leads => &[
            "leads_total",
            "leads_contacted",
            "leads_booked",
            "lead_to_booking_rate",
            "speed_to_lead_p50_seconds",
            "speed_to_lead_p90_seconds",
        ],
        ReportKind::Appointments => &[
            "appointments_total",
            "appointments_showed",
            "no_show_rate",
            "bookings_by_ai_share",
            "revenue_booked",
        ],
        ReportKind::NoShows => &["no_show_rate", "appointments_showed", "revenue_lost_to_no_shows"],
        ReportKind::Calls => {
            &["calls_total", "calls_answered_rate", "calls_avg_duration_seconds", "calls_cost_total"]
        }
        ReportKind::Messages => &[
            "messages_sent",
            "messages_delivered_rate",
            "messages_read_rate",
            "patient_response_rate",
            "replies_by_ai_share",
            "handoffs_requested",
            "staff_response_p50_seconds",
            "staff_response_p90_seconds",
        ],
    }
}

/// The counter a report's chart shows day by day.
fn charted(kind: ReportKind) -> (Counter, &'static str, &'static str) {
    match kind {
        ReportKind::Overview | ReportKind::Appointments => {
            (Counter::AppointmentsBooked, "Agendamentos por dia", "Appointments booked per day")
        }
        ReportKind::Leads => (Counter::LeadsCreated, "Leads por dia", "Leads per day"),
        ReportKind::NoShows => (Counter::AppointmentsNoShow, "Faltas por dia", "No-shows per day"),
        ReportKind::Calls => (Counter::CallsEnded, "Ligações por dia", "Calls per day"),
        ReportKind::Messages => {
            (Counter::MessagesSent, "Mensagens enviadas por dia", "Messages sent per day")
        }
    }
}

fn cell(v: Option<f64>) -> Cell {
    Cell::opt_num(v)
}

/// The report's KPIs (each beside the previous period) and its chart. Figures are kept by
/// the clinic's days: the same dates are read in the clinic's zone.
pub(super) async fn header_figures(
    ctx: &Ctx,
    tenant: TenantId,
    kind: ReportKind,
    period: &Period,
    locale: Locale,
) -> StoreResult<(Vec<Kpi>, Vec<Chart>, Overview)> {
    let overview = crate::analytics::overview(ctx, tenant, period).await?;
    let pick = |(pt, en): (&str, &str)| if locale == Locale::PtBr { pt.to_string() } else { en.to_string() };
    let kpis = figures_of(kind)
        .iter()
        .filter_map(|name| {
            let f = overview.get(name)?;
            let (pt, en, kind) = label(name);
            Some(Kpi { label: pick((pt, en)), kind, value: cell(f.value), previous: cell(f.previous) })
        })
        .collect();
    let (counter, pt, en) = charted(kind);
    let days = ctx.store.rollup_days(tenant, period.from, period.to, &counter.name()).await?;
    let bars = days
        .into_iter()
        .map(|(day, v)| {
            let shown = day.parse::<jiff::civil::Date>().map_or(day.clone(), |d| match locale {
                Locale::PtBr => d.strftime("%d/%m").to_string(),
                Locale::En => d.strftime("%m-%d").to_string(),
            });
            (shown, v)
        })
        .collect();
    Ok((kpis, vec![Chart { title: pick((pt, en)), bars }], overview))
}

/// The overview report's rows: every figure, its value and the previous period's.
pub(super) fn overview_rows(o: &Overview, locale: Locale) -> Vec<Vec<Cell>> {
    o.figures
        .iter()
        .map(|(name, f)| {
            let (pt, en, _) = label(name);
            let shown = if locale == Locale::PtBr { pt } else { en };
            vec![Cell::text(shown), Cell::text(*name), cell(f.value), cell(f.previous)]
        })
        .collect()
}
