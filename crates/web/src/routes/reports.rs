//! Report files: `GET /api/v1/reports/{kind}?from=&to=&tz=&format=`. The file is written
//! while it downloads (constant memory however long the period); a failure after the first
//! bytes cuts the download short, which is how a client learns of it once the status line
//! has gone out. Every export is audited.

use crate::auth::Principal;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::reports::{Format, ReportKind, ReportLocale, ReportRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD`, in `tz`.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`; at most 400 days after `from`.
    pub to: String,
    /// IANA time zone of the days; the clinic's own when absent.
    pub tz: Option<String>,
    /// `csv` (default), `xlsx` or `pdf`.
    pub format: Option<String>,
    /// `pt-BR` or `en`; the clinic's language when absent.
    pub locale: Option<String>,
}

/// A report of the period as CSV, XLSX or PDF. Kinds: `overview`, `leads`, `appointments`,
/// `no_shows`, `calls`, `messages`. Rows carry ids, not patients' names or contacts.
#[utoipa::path(get, path = "/api/v1/reports/{kind}", tag = "reports", security(("api_key" = [])),
    params(("kind" = String, Path, description = "overview | leads | appointments | no_shows | calls | messages"), ReportQuery),
    responses(
        (status = 200, description = "The report file", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/pdf"))),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let req = request(&state, &who, &kind, &q).await?;
    let access = Access {
        action: "export",
        resource_type: "report",
        resource_id: Some(req.kind.as_str()),
        patient_id: None,
    };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(crate::report_download::stream_report(state, req))
}

async fn request(
    state: &AppState,
    who: &Principal,
    kind: &str,
    q: &ReportQuery,
) -> Result<ReportRequest, ApiError> {
    let kind = ReportKind::parse(kind).ok_or_else(|| {
        let known: Vec<&str> = ReportKind::ALL.iter().map(|k| k.as_str()).collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_report",
            format!("no report `{}`; there are: {}", short(kind), known.join(", ")),
        )
    })?;
    let format = match q.format.as_deref() {
        None => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_format",
                format!("format `{}` is not one of csv, xlsx, pdf", short(f)),
            )
        })?,
    };
    let period = super::analytics::period(
        state,
        who,
        &super::analytics::PeriodQuery { from: q.from.clone(), to: q.to.clone(), tz: q.tz.clone() },
    )
    .await?;
    let locale = q.locale.as_deref().map(ReportLocale::parse);
    Ok(ReportRequest { tenant: who.tenant_id, kind, period, format, locale })
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The clinic's scheduled reports and the recent ones ready to download.
#[derive(Serialize, ToSchema)]
pub struct ScheduledReports {
    /// `reports.scheduled` of the settings: `{"cadence", "report", "format"}` each.
    #[schema(value_type = Vec<Object>)]
    pub scheduled: Vec<frontdesk_domain::analytics::schedule::ScheduledReport>,
    /// Newest first, up to twelve periods of each cadence: `{"cadence", "report",
    /// "format", "from", "to", "download_path"}`.
    #[schema(value_type = Vec<Object>)]
    pub ready: Vec<frontdesk_engine::reports::schedule::ReadyReport>,
}

/// Scheduled reports: the weekly and monthly reports the clinic's settings list
/// (`reports.scheduled`) and those whose period has ended, each with the address that
/// builds its file. When a period ends a `report.ready` event goes to the webhooks
/// subscribed to it.
#[utoipa::path(get, path = "/api/v1/reports/scheduled", tag = "reports", security(("api_key" = [])),
    responses((status = 200, body = ScheduledReports), (status = 401, body = crate::error::ErrorBody)))]
pub async fn scheduled_reports(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ScheduledReports>, ApiError> {
    let ctx = &state.ctx;
    let settings = ctx.store.tenant_settings(who.tenant_id).await?;
    let tenant = ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let now = ctx.clock.now().to_zoned(tenant.timezone.time_zone()).datetime();
    let ready = frontdesk_engine::reports::schedule::ready(&settings.reports, now);
    Ok(Json(ScheduledReports { scheduled: settings.reports.scheduled, ready }))
}
