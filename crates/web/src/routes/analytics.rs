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
    calls_avg_duration_seconds, calls_cost_total, bookings_by_ai_share, revenue_booked, revenue_lost_to_no_shows,
});

figures!(
    /// The period's figures.
    CurrentFigures {
    leads_total, leads_contacted, leads_booked, lead_to_booking_rate, speed_to_lead_p50_seconds,
    speed_to_lead_p90_seconds, appointments_total, appointments_showed, no_show_rate, messages_sent,
    messages_delivered_rate, messages_read_rate, patient_response_rate, calls_total, calls_answered_rate,
    calls_avg_duration_seconds, calls_cost_total, bookings_by_ai_share, revenue_booked, revenue_lost_to_no_shows,
});

#[derive(Serialize, ToSchema)]
pub struct OverviewBody {
    /// The time zone the days are in.
    pub tz: String,
    #[serde(flatten)]
    pub current: CurrentFigures,
    pub previous: PreviousFigures,
}

/// The headline figures of a period, each beside the previous period's (docs/metrics.md).
#[utoipa::path(get, path = "/api/v1/metrics/overview", tag = "analytics", security(("api_key" = [])),
    params(PeriodQuery),
    responses((status = 200, body = OverviewBody), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<OverviewBody>, ApiError> {
    let period = clinic_days(&state, &who, &q).await?;
    let o = frontdesk_engine::analytics::overview(&state.ctx, who.tenant_id, &period).await?;
    let previous = period.previous().map_err(period_error)?;
    Ok(Json(OverviewBody {
        tz: period.tz.iana_name().unwrap_or("UTC").to_string(),
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
