//! The clinic's figures over the API (docs/metrics.md): `GET /api/v1/metrics/overview`.

use crate::auth::Principal;
use crate::extract::ApiQuery;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_domain::analytics::{Overview, Period};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD`, in `tz`.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`; at most 400 days after `from`.
    pub to: String,
    /// IANA time zone of the days; the clinic's own when absent.
    pub tz: Option<String>,
}

/// The period's figures as fields; `null` where a rate has nothing to divide by.
macro_rules! figures {
    ($(#[$m:meta])* $name:ident { $($field:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            /// First day of the period.
            pub from: String,
            /// Last day of the period (included).
            pub to: String,
            $(pub $field: Option<f64>,)*
        }

        impl $name {
            fn of(p: &Period, o: &Overview, previous: bool) -> Self {
                let pick = |name: &str| o.get(name).and_then(|f| if previous { f.previous } else { f.value });
                Self { from: p.from.to_string(), to: p.to.to_string(), $($field: pick(stringify!($field)),)* }
            }
        }
    };
}

figures!(
    /// The same figures over the previous period (as many days, just before).
    PreviousFigures {
    leads_total, leads_contacted, leads_booked, lead_to_booking_rate, speed_to_lead_p50_seconds,
    speed_to_lead_p90_seconds, appointments_total, appointments_showed, no_show_rate, messages_sent,
    messages_delivered_rate, messages_read_rate, patient_response_rate, calls_total, calls_answered_rate,
    calls_avg_duration_seconds, calls_cost_total, bookings_by_ai_share, replies_by_ai_share, handoffs_requested,
    staff_response_p50_seconds, staff_response_p90_seconds, revenue_booked, revenue_lost_to_no_shows,
});

figures!(
    /// The period's figures.
    CurrentFigures {
    leads_total, leads_contacted, leads_booked, lead_to_booking_rate, speed_to_lead_p50_seconds,
    speed_to_lead_p90_seconds, appointments_total, appointments_showed, no_show_rate, messages_sent,
    messages_delivered_rate, messages_read_rate, patient_response_rate, calls_total, calls_answered_rate,
    calls_avg_duration_seconds, calls_cost_total, bookings_by_ai_share, replies_by_ai_share, handoffs_requested,
    staff_response_p50_seconds, staff_response_p90_seconds, revenue_booked, revenue_lost_to_no_shows,
});

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// First day, `YYYY-MM-DD`, in `tz`.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`; at most 400 days after `from`.
    pub to: String,
    /// IANA time zone of the days; the clinic's own when absent.
    pub tz: Option<String>,
    /// Only this practitioner's appointments (their id): the appointment figures, the
    /// others `null`. At most one of `practitioner`, `service`, `unit`, `source`.
    pub practitioner: Option<String>,
    /// Only this service's appointments (its id).
    pub service: Option<String>,
    /// Only this unit's appointments (its id).
    pub unit: Option<String>,
    /// Only the leads from this source (`paid_ads`, `referral`...): the lead figures.
    pub source: Option<String>,
}

impl OverviewQuery {
    /// The one value the figures are narrowed to, if any.
    pub fn filter(&self) -> Result<Option<frontdesk_domain::analytics::Split>, ApiError> {
        use frontdesk_domain::analytics::{Dimension, Split};
        let given: Vec<(Dimension, &String)> = [
            (Dimension::Practitioner, &self.practitioner),
            (Dimension::Service, &self.service),
            (Dimension::Unit, &self.unit),
            (Dimension::Source, &self.source),
        ]
        .into_iter()
        .filter_map(|(d, v)| v.as_ref().map(|v| (d, v)))
        .collect();
        match given.as_slice() {
            [] => Ok(None),
            [(dimension, key)] => Split::named(*dimension, key).map(Some).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("{} must be 1 to 200 characters, without @ or =", dimension.as_str()),
                )
            }),
            _ => Err(ApiError::bad_request(
                "invalid_query",
                "give at most one of practitioner, service, unit and source",
            )),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OverviewBody {
    /// The time zone the days are in.
    pub tz: String,
    /// The one practitioner, service, unit or source the figures are narrowed to
    /// (`practitioner=<id>`); figures not kept per it are `null`.
    pub filter: Option<String>,
    #[serde(flatten)]
    pub current: CurrentFigures,
    pub previous: PreviousFigures,
}

/// The headline figures of a period, each beside the previous period's (docs/metrics.md),
/// for the whole clinic or one practitioner, service, unit or lead source.
#[utoipa::path(get, path = "/api/v1/metrics/overview", tag = "analytics", security(("api_key" = [])),
    params(OverviewQuery),
    responses((status = 200, body = OverviewBody), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<OverviewQuery>,
) -> Result<Json<OverviewBody>, ApiError> {
    let filter = q.filter()?;
    let pq = PeriodQuery { from: q.from, to: q.to, tz: q.tz };
    let period = clinic_days(&state, &who, &pq).await?;
    let o = match &filter {
        None => frontdesk_engine::analytics::overview(&state.ctx, who.tenant_id, &period).await?,
        Some(split) => {
            frontdesk_engine::analytics::overview_for(&state.ctx, who.tenant_id, &period, split).await?
        }
    };
    let previous = period.previous().map_err(period_error)?;
    Ok(Json(OverviewBody {
        tz: period.tz.iana_name().unwrap_or("UTC").to_string(),
        filter: filter.map(|s| format!("{}={}", s.dimension.as_str(), s.key)),
        current: CurrentFigures::of(&period, &o, false),
        previous: PreviousFigures::of(&previous, &o, true),
    }))
}

/// The period a query names, in its zone or the clinic's.
pub async fn period(state: &AppState, who: &Principal, q: &PeriodQuery) -> Result<Period, ApiError> {
    Ok(period_and_clinic_zone(state, who, q).await?.0)
}

async fn period_and_clinic_zone(
    state: &AppState,
    who: &Principal,
    q: &PeriodQuery,
) -> Result<(Period, frontdesk_domain::tenant::TimeZoneName), ApiError> {
    let clinic =
        state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let tz = match &q.tz {
        Some(name) => Period::zone(name).map_err(period_error)?,
        None => clinic.timezone.time_zone(),
    };
    Ok((Period::parse(&q.from, &q.to, &tz).map_err(period_error)?, clinic.timezone))
}

/// Figures are kept by the clinic's own days: a period in another zone cannot be cut from
/// them, and is refused rather than answered with days that are not the ones asked for.
async fn clinic_days(state: &AppState, who: &Principal, q: &PeriodQuery) -> Result<Period, ApiError> {
    let (p, own) = period_and_clinic_zone(state, who, q).await?;
    if p.tz.iana_name() != own.time_zone().iana_name() {
        return Err(ApiError::bad_request(
            "invalid_period",
            format!(
                "figures are kept by the clinic's days, in {}; leave out tz or give that zone",
                own.as_str()
            ),
        ));
    }
    Ok(p)
}

pub fn period_error(e: frontdesk_domain::analytics::PeriodError) -> ApiError {
    ApiError::bad_request("invalid_period", e.to_string())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// First day, `YYYY-MM-DD`, in the clinic's zone.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`; at most 400 days after `from`.
    pub to: String,
    /// The clinic's IANA time zone, if given (figures are kept by its days).
    pub tz: Option<String>,
    /// `day` (default), `week` (Monday first) or `month`.
    pub granularity: Option<String>,
    /// Split the period's totals by `source`, `channel`, `practitioner`, `service`, `unit`,
    /// `weekday`, `hour`, `lead_time`, `confirmation`, `outcome`, `sender` or `campaign`, as the view
    /// allows (see docs/metrics.md).
    pub breakdown: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesPointBody {
    /// The bucket's first day (a week's Monday, a month's 1st; the period may begin later).
    pub start: String,
    /// Each counter's sum over the bucket's days within the period.
    #[schema(value_type = Object)]
    pub values: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct BreakdownRowBody {
    /// The value split on: a practitioner's, service's or unit's id, `whatsapp`, `monday`, `09`, `2_7_days`...
    pub key: String,
    /// Its name (practitioners, services, units), else the key.
    pub label: String,
    #[schema(value_type = Object)]
    pub values: serde_json::Map<String, serde_json::Value>,
    /// No-shows over finished appointments (no-show and appointment views); `null` with none finished.
    pub no_show_rate: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct BreakdownBody {
    pub dimension: String,
    pub rows: Vec<BreakdownRowBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MetricsViewBody {
    pub kind: String,
    pub from: String,
    pub to: String,
    pub tz: String,
    pub granularity: String,
    /// The counters this view shows, in order (docs/metrics.md names each).
    pub counters: Vec<String>,
    pub series: Vec<SeriesPointBody>,
    /// Present when `breakdown` was asked for.
    pub breakdown: Option<BreakdownBody>,
}

fn values(v: &[(frontdesk_domain::analytics::Counter, f64)]) -> serde_json::Map<String, serde_json::Value> {
    v.iter().map(|(c, n)| (c.name(), serde_json::json!(n))).collect()
}

/// A view of the clinic's figures over time, and optionally split by one dimension:
/// `funnel`, `leads`, `telephony`, `messaging`, `appointments`, `no_shows` or `sentiment`.
#[utoipa::path(get, path = "/api/v1/metrics/{kind}", tag = "analytics", security(("api_key" = [])),
    params(("kind" = String, Path, description = "`funnel`, `leads`, `telephony`, `messaging`, `appointments`, `no_shows` or `sentiment`"), ViewQuery),
    responses((status = 200, body = MetricsViewBody), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn view(
    State(state): State<AppState>,
    who: Principal,
    axum::extract::Path(kind): axum::extract::Path<String>,
    ApiQuery(q): ApiQuery<ViewQuery>,
) -> Result<Json<MetricsViewBody>, ApiError> {
    use frontdesk_domain::analytics::series::no_show_rate;
    use frontdesk_domain::analytics::{Counter, Dimension, Granularity, MetricKind};
    let kind = MetricKind::parse(&kind).ok_or_else(|| ApiError::not_found("metrics view"))?;
    let granularity = match q.granularity.as_deref() {
        None => Granularity::Day,
        Some(g) => Granularity::parse(g).ok_or_else(|| {
            ApiError::bad_request("invalid_granularity", "granularity must be day, week or month")
        })?,
    };
    let dimension = match q.breakdown.as_deref() {
        None => None,
        Some(d) => {
            let allowed = kind.dimensions();
            let names: Vec<&str> = allowed.iter().map(|d| d.as_str()).collect();
            let dimension = Dimension::parse(d).filter(|d| allowed.contains(d)).ok_or_else(|| {
                let can = if names.is_empty() { "nothing".to_owned() } else { names.join(", ") };
                ApiError::bad_request("invalid_breakdown", format!("{} can be split by {can}", kind.as_str()))
            })?;
            Some(dimension)
        }
    };
    let pq = PeriodQuery { from: q.from, to: q.to, tz: q.tz };
    let period = clinic_days(&state, &who, &pq).await?;
    let points =
        frontdesk_engine::analytics::series(&state.ctx, who.tenant_id, kind, &period, granularity).await?;
    let breakdown = match dimension {
        None => None,
        Some(d) => {
            let rows =
                frontdesk_engine::analytics::breakdown(&state.ctx, who.tenant_id, kind, &period, d).await?;
            let rate = |v: &[(Counter, f64)]| {
                let get = |c| v.iter().find(|(x, _)| *x == c).map(|(_, n)| *n);
                Some(no_show_rate(get(Counter::AppointmentsNoShow)?, get(Counter::AppointmentsShowed)?))
                    .flatten()
            };
            Some(BreakdownBody {
                dimension: d.as_str().to_owned(),
                rows: rows
                    .into_iter()
                    .map(|r| BreakdownRowBody {
                        no_show_rate: rate(&r.values),
                        values: values(&r.values),
                        key: r.key,
                        label: r.label,
                    })
                    .collect(),
            })
        }
    };
    Ok(Json(MetricsViewBody {
        kind: kind.as_str().to_owned(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        tz: period.tz.iana_name().unwrap_or("UTC").to_string(),
        granularity: granularity.as_str().to_owned(),
        counters: kind.counters().iter().map(|c| c.name()).collect(),
        series: points
            .iter()
            .map(|p| SeriesPointBody { start: p.start.to_string(), values: values(&p.values) })
            .collect(),
        breakdown,
    }))
}
