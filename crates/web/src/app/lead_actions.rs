//! Acting on a lead from its page: "call now" asks the engine for an outbound call (the
//! same path as `POST /api/v1/calls`: stored with the job that places it, inside calling
//! hours), linked to the lead. The form carries a one-time id, so a double submit places
//! one call.

use super::leads::{lead_page, load};
use super::page::{internal, problem_page};
use super::session::{Staff, same_origin};
use crate::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::staff::Permission;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::voice::{self, PlaceCallRequest, VoiceFailure};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
}

pub async fn call_now(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CallForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let lead = match load(&state, &staff, &id).await {
        Ok(lead) => lead,
        Err(r) => return r,
    };
    let request = PlaceCallRequest {
        tenant_id: staff.tenant.id,
        patient_id: lead.value.patient_id,
        reason: Some("lead_follow_up".into()),
        assistant_id: None,
        lead_id: Some(lead.value.id),
        // A form without its id still calls, once per submit.
        once: form.once.parse::<Uuid>().ok(),
    };
    let call = match voice::place_call(&state.ctx, request).await {
        Ok(call) => call,
        Err(VoiceFailure::Store(e)) => return internal(staff.locale(), &e),
        Err(_) => {
            let problem = Some(staff.texts().call_refused);
            return lead_page(&state, &staff, lead, problem, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let call_id = call.id.to_string();
    let access = Access {
        action: "create",
        resource_type: "call",
        resource_id: Some(&call_id),
        patient_id: call.patient_id,
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/calls/{}", call.id)).into_response()
}
