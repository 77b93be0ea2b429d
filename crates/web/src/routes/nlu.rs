//! Message understanding as a service: what the dialogue reads in a message, for staff
//! tools, n8n flows and debugging ("why did it take '2' as Monday?").

use crate::auth::Principal;
use crate::extract::ApiJson;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_domain::nlu::{OfferedSlot, Understanding, understand};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseRequest {
    pub text: String,
    /// Slots just offered to the patient, in order, as local date-times
    /// (`2026-06-02T09:00`): "2" or "o das 10h" then picks one.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub offered_slots: Vec<jiff::civil::DateTime>,
}

/// Intent (booking_request, reschedule, cancel, confirm, decline, question, opt_out,
/// human_request, greeting, unclear), confidence, language, entities (date, weekday,
/// time, period, name), the chosen offered slot and urgency. Dates are resolved against
/// today in the clinic's time zone.
#[utoipa::path(post, path = "/api/v1/nlu/parse", tag = "nlu", security(("api_key" = [])),
    request_body = ParseRequest, responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn parse(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<ParseRequest>,
) -> Result<Json<Understanding>, ApiError> {
    if body.text.chars().count() > frontdesk_domain::nlu::MAX_CHARS {
        return Err(ApiError::bad_request("text_too_long", "text is at most 4096 characters"));
    }
    let tenant =
        state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let today = tenant.timezone.time_zone().to_datetime(state.ctx.clock.now()).date();
    let offered: Vec<OfferedSlot> =
        body.offered_slots.iter().map(|s| OfferedSlot { local_start: *s }).collect();
    Ok(Json(understand(&body.text, &offered, today)))
}
