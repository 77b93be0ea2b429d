//! Voice calls for staff (place, list, read) and the voice-agent tool endpoints that
//! platforms other than VAPI call mid-call with an API key.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::voice::{Call, CallOutcome, CallStatus};
use frontdesk_domain::{CallId, LeadId, PatientId};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::voice::tools::{self, ToolCaller, run_tool};
use frontdesk_engine::voice::{self, CallDetail, PlaceCallRequest, VoiceFailure};
use frontdesk_store::CallFilter;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

impl From<VoiceFailure> for ApiError {
    fn from(f: VoiceFailure) -> Self {
        let message = f.to_string();
        match f {
            VoiceFailure::NotFound(what) => ApiError::not_found(what),
            VoiceFailure::UnknownTenant => ApiError::not_found("tenant"),
            VoiceFailure::NotConfigured(_) => ApiError::new(StatusCode::NOT_FOUND, "not_configured", message),
            VoiceFailure::Unauthorized(_) => ApiError::unauthorized("invalid_webhook_secret", message),
            VoiceFailure::Invalid(_) => ApiError::bad_request("invalid_payload", message),
            VoiceFailure::OptedOut => ApiError::conflict("opted_out", message),
            VoiceFailure::Store(e) => e.into(),
        }
    }
}

async fn audited(
    state: &AppState,
    who: &Principal,
    action: &str,
    patient: Option<PatientId>,
) -> Result<(), ApiError> {
    let access = Access { action, resource_type: "call", resource_id: None, patient_id: patient };
    Ok(audit::record(&state.ctx, &who.actor(), access).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCall {
    pub patient_id: Uuid,
    /// Why the clinic calls (`hot_lead`, `confirmation`, `recall`...); told to the assistant.
    pub reason: Option<String>,
    /// Overrides the tenant's outbound assistant for this call.
    pub assistant_id: Option<String>,
    pub lead_id: Option<Uuid>,
}

/// Places a call to a patient: stored at once (202) and dialled by a job, inside the
/// clinic's calling hours.
#[utoipa::path(post, path = "/api/v1/calls", tag = "calls", security(("api_key" = [])),
    request_body = NewCall,
    responses((status = 202, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn place_call(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<NewCall>,
) -> Result<(StatusCode, Json<Call>), ApiError> {
    if body.reason.as_deref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::bad_request("invalid_reason", "reason is at most 200 characters"));
    }
    let request = PlaceCallRequest {
        tenant_id: who.tenant_id,
        patient_id: PatientId(body.patient_id),
        reason: body.reason,
        assistant_id: body.assistant_id,
        lead_id: body.lead_id.map(LeadId),
        once: None,
    };
    let call = voice::place_call(&state.ctx, request).await?;
    audited(&state, &who, "create", call.patient_id).await?;
    Ok((StatusCode::ACCEPTED, Json(call)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CallQuery {
    #[param(value_type = Option<String>)]
    pub status: Option<CallStatus>,
    #[param(value_type = Option<String>)]
    pub outcome: Option<CallOutcome>,
    pub patient_id: Option<Uuid>,
    /// Calls created at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<jiff::Timestamp>,
    /// Calls created before this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<jiff::Timestamp>,
    pub before: Option<Uuid>,
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct CallPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Call>,
    pub next_cursor: Option<Uuid>,
}

/// Calls, newest first.
#[utoipa::path(get, path = "/api/v1/calls", tag = "calls", security(("api_key" = [])),
    params(CallQuery), responses((status = 200, body = CallPage)))]
pub async fn list_calls(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<CallQuery>,
) -> Result<Json<CallPage>, ApiError> {
    let filter = CallFilter {
        status: q.status,
        outcome: q.outcome,
        patient_id: q.patient_id.map(PatientId),
        from: q.from,
        to: q.to,
    };
    let page =
        state.ctx.store.list_calls(who.tenant_id, &filter, PageRequest::new(q.before, q.limit)).await?;
    audited(&state, &who, "list", filter.patient_id).await?;
    Ok(Json(CallPage { items: page.items, next_cursor: page.next_cursor }))
}

/// One call with its transcript, extracted data and the provider's raw events.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_call(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CallDetail>, ApiError> {
    let detail = voice::call_detail(&state.ctx, who.tenant_id, CallId(id)).await?;
    audited(&state, &who, "read", detail.call.patient_id).await?;
    Ok(Json(detail))
}

/// Arguments of a voice tool, as the assistant wrote them (see each endpoint), plus the
/// caller's number when the platform knows it.
#[derive(Deserialize, ToSchema)]
pub struct ToolRequest {
    /// The platform's id of this tool call: a retry with the same id gets the same answer
    /// and never books twice.
    pub tool_call_id: Option<String>,
    /// The number the patient is calling from.
    pub caller_number: Option<String>,
    /// `phone`, `patient_id`, `service`, `department`, `practitioner`, `preferred_day`,
    /// `preferred_time`, `slot_id`, `name`...
    #[serde(default)]
    #[schema(value_type = Object)]
    pub arguments: Value,
}

async fn tool(
    state: &AppState,
    who: &Principal,
    name: &str,
    body: ToolRequest,
) -> Result<Response, ApiError> {
    let tenant =
        state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let settings = state.ctx.store.tenant_settings(who.tenant_id).await?;
    let caller = ToolCaller {
        tenant: &tenant,
        default_region: &settings.default_region,
        caller_number: body.caller_number.as_deref(),
        source: "api",
        locale: tools::caller_locale(
            &state.ctx,
            &tenant,
            &settings.default_region,
            body.caller_number.as_deref(),
        )
        .await,
    };
    let args = if body.arguments.is_null() { json!({}) } else { body.arguments };
    if !args.is_object() {
        return Err(ApiError::bad_request("invalid_arguments", "arguments must be a JSON object"));
    }
    audited(state, who, name, None).await?;
    Ok(match run_tool(&state.ctx, &caller, body.tool_call_id.as_deref(), name, &args).await? {
        Ok(result) => Json(json!({"result": result})).into_response(),
        Err(e) => {
            let status = match e.code {
                "slot_taken" | "not_allowed" => StatusCode::CONFLICT,
                "not_found" => StatusCode::NOT_FOUND,
                "try_again" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, Json(json!({"error": e.to_json()}))).into_response()
        }
    })
}

/// The caller's patient record and upcoming appointments (arguments: `phone`, optional).
#[utoipa::path(post, path = "/api/v1/voice/tools/patient-lookup", tag = "voice", security(("api_key" = [])),
    request_body = ToolRequest, responses((status = 200, body = Object)))]
pub async fn patient_lookup(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<ToolRequest>,
) -> Result<Response, ApiError> {
    tool(&state, &who, tools::LOOKUP_PATIENT, body).await
}

/// The best free slots, with speakable text and a `slot_id` each (arguments: `service`,
/// `department`, `practitioner`, `preferred_day`, `preferred_time`).
#[utoipa::path(post, path = "/api/v1/voice/tools/available-slots", tag = "voice", security(("api_key" = [])),
    request_body = ToolRequest, responses((status = 200, body = Object), (status = 422, body = Object)))]
pub async fn available_slots(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<ToolRequest>,
) -> Result<Response, ApiError> {
    tool(&state, &who, tools::FIND_SLOTS, body).await
}

/// Books a slot from `available-slots` (arguments: `slot_id`; `name` for a new patient).
/// A taken slot is a 409 whose error lists `alternatives`.
#[utoipa::path(post, path = "/api/v1/voice/tools/book-appointment", tag = "voice", security(("api_key" = [])),
    request_body = ToolRequest, responses((status = 200, body = Object), (status = 409, body = Object)))]
pub async fn book_appointment(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<ToolRequest>,
) -> Result<Response, ApiError> {
    tool(&state, &who, tools::BOOK_APPOINTMENT, body).await
}
