//! Free slots by day, and ranked search for a patient's wishes.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::scheduling::{ScoreReason, SearchPreferences, Slot, group_by_local_day};
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling::{self as engine, Calendar};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The widest range one availability request may cover.
const MAX_DAYS: i32 = 31;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    pub service_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    /// One local date (`YYYY-MM-DD`)...
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<Date>,
    /// ...or a range of local dates, inclusive (at most 31 days).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<Date>,
}

#[derive(Serialize, ToSchema)]
pub struct SlotView {
    #[schema(value_type = String, format = DateTime)]
    pub start: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: jiff::Timestamp,
    /// Wall-clock start at the location, e.g. `2026-06-03T10:00:00`.
    pub local_start: String,
    pub practitioner_id: Uuid,
    pub location_id: Uuid,
    pub service_id: Uuid,
}

fn slot_view(cal: &Calendar, s: &Slot) -> SlotView {
    SlotView {
        start: s.start,
        end: s.end,
        local_start: cal.zone(s.location_id).to_datetime(s.start).to_string(),
        practitioner_id: s.practitioner_id.0,
        location_id: s.location_id.0,
        service_id: s.service_id.0,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DayView {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub slots: Vec<SlotView>,
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityView {
    pub service_id: Uuid,
    pub days: Vec<DayView>,
}

fn unprocessable(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
}

/// Free slots for a service, grouped by the clinic's local day.
#[utoipa::path(get, path = "/api/v1/availability", tag = "scheduling", security(("api_key" = [])),
    params(AvailabilityQuery), responses((status = 200, body = AvailabilityView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<AvailabilityQuery>,
) -> Result<Json<AvailabilityView>, ApiError> {
    let (from, to) = match (q.date, q.from, q.to) {
        (Some(d), None, None) => (d, d),
        (None, Some(f), Some(t)) => (f, t),
        _ => return Err(unprocessable("give either date, or both from and to")),
    };
    let days = to.since(from).map(|s| s.get_days()).unwrap_or(-1);
    if !(0..MAX_DAYS).contains(&days) {
        return Err(unprocessable(format!(
            "from must not be after to, and the range at most {MAX_DAYS} days"
        )));
    }
    let found = engine::availability(
        &state.ctx,
        who.tenant_id,
        ServiceId(q.service_id),
        q.practitioner_id.map(PractitionerId),
        q.location_id.map(LocationId),
        (from, to),
    )
    .await?;
    let (cal, service, slots) = (found.calendar, found.service, found.slots);
    let grouped = group_by_local_day(&slots, &cal.tenant_zone());
    Ok(Json(AvailabilityView {
        service_id: service.id.0,
        days: grouped
            .into_iter()
            .map(|d| DayView { date: d.date, slots: d.slots.iter().map(|s| slot_view(&cal, s)).collect() })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RankedSlotView {
    #[serde(flatten)]
    pub slot: SlotView,
    pub practitioner_name: String,
    pub location_name: String,
    pub score: i32,
    /// Why it ranks where it does, e.g. `[{"code": "within_1h", "points": 50}]`.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<ScoreReason>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchView {
    pub service_id: Uuid,
    pub service_name: String,
    /// The preferred location had nothing free; slots come from the whole department.
    pub location_fallback: bool,
    pub slots: Vec<RankedSlotView>,
}

/// Ranked slots for a patient's preferences (service or department, location,
/// practitioner, weekdays, time of day or exact time, earliest date, limit).
#[utoipa::path(post, path = "/api/v1/slots/search", tag = "scheduling", security(("api_key" = [])),
    request_body(content = Object, description = "SearchPreferences: service_id | department, location_id, practitioner_id, weekdays ([\"monday\"]), time_of_day (morning|afternoon|evening), exact_time (\"10:00\"), earliest_date, limit"),
    responses((status = 200, body = SearchView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(prefs): ApiJson<SearchPreferences>,
) -> Result<Json<SearchView>, ApiError> {
    let outcome = engine::search(&state.ctx, who.tenant_id, &prefs).await?;
    let cal = &outcome.calendar;
    let name_of_p = |id: PractitionerId| cal.practitioner(id).map(|p| p.name.clone()).unwrap_or_default();
    let name_of_l = |id: LocationId| cal.location(id).map(|l| l.name.clone()).unwrap_or_default();
    Ok(Json(SearchView {
        service_id: outcome.service.id.0,
        service_name: outcome.service.name.clone(),
        location_fallback: outcome.result.location_fallback,
        slots: outcome
            .result
            .slots
            .into_iter()
            .map(|r| RankedSlotView {
                practitioner_name: name_of_p(r.slot.practitioner_id),
                location_name: name_of_l(r.slot.location_id),
                slot: slot_view(cal, &r.slot),
                score: r.score,
                reasons: r.reasons,
            })
            .collect(),
    }))
}
