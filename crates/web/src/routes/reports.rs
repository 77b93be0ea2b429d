//! Report files: `GET /api/v1/reports/{kind}?from=&to=&tz=&format=`. The file is written
//! while it downloads (constant memory however long the period); a failure after the first
//! bytes cuts the download short, which is how a client learns of it once the status line
//! has gone out. Every export is audited.

use crate::auth::Principal;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::reports::{Format, ReportKind, ReportLocale, ReportRequest};
use serde::Deserialize;
use utoipa::IntoParams;

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
