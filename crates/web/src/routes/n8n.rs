//! Callbacks of a clinic's n8n workflow (see `dialogue.n8n` in the settings). No API key:
//! `Authorization: Bearer <dialogue.n8n.callback_token>`, checked before anything is read
//! or stored (a failed check is a 401 and stores nothing). Each call carries an
//! `Idempotency-Key`; a repeat of a key is answered `{"ok": true, "duplicate": true}` and
//! changes nothing.

use crate::extract::ApiBytes;
use crate::{ApiError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use frontdesk_domain::{AppointmentId, ConversationId};
use frontdesk_engine::journey::{self, N8nBookingAction, N8nCaller, N8nFailure};
use frontdesk_engine::messaging::MessagingFailure;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

impl From<N8nFailure> for ApiError {
    fn from(f: N8nFailure) -> Self {
        let message = f.to_string();
        let unprocessable = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message.clone());
        match f {
            N8nFailure::UnknownTenant => ApiError::not_found("tenant"),
            N8nFailure::NotConfigured => ApiError::new(StatusCode::NOT_FOUND, "not_configured", message),
            N8nFailure::Unauthorized => ApiError::unauthorized("invalid_callback_token", message),
            N8nFailure::MissingIdempotencyKey => ApiError::bad_request("missing_idempotency_key", message),
            N8nFailure::InvalidIdempotencyKey => ApiError::bad_request("invalid_idempotency_key", message),
            N8nFailure::NotFound(what) => ApiError::not_found(what),
            N8nFailure::HandedToStaff => ApiError::conflict("handed_to_staff", message),
            N8nFailure::UnknownDepartment { .. } => unprocessable("unknown_department"),
            N8nFailure::Invalid(_) => unprocessable("invalid_request"),
            N8nFailure::Messaging(m) => match m {
                MessagingFailure::NotFound(what) => ApiError::not_found(what),
                MessagingFailure::OptedOut => ApiError::conflict("opted_out", message),
                MessagingFailure::WindowClosed => ApiError::conflict("window_closed", message),
                MessagingFailure::NoApprovedTemplate(_) => {
                    ApiError::conflict("no_approved_template", message)
                }
                MessagingFailure::Invalid(_) => unprocessable("invalid_message"),
                MessagingFailure::Store(e) => e.into(),
            },
            N8nFailure::Scheduling(s) => s.into(),
            N8nFailure::Journey(journey::JourneyError::Store(e)) | N8nFailure::Store(e) => e.into(),
            N8nFailure::Journey(journey::JourneyError::Messaging(_)) => {
                ApiError::conflict("message_not_sent", message)
            }
            N8nFailure::Journey(journey::JourneyError::Scheduling(_)) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "scheduling_unavailable", message)
            }
            N8nFailure::Journey(journey::JourneyError::Waitlist(w)) => w.into(),
        }
    }
}

/// Authenticates the callback, then reads its body (a malformed one is reported only to a
/// caller that knows the token).
async fn begin<T: DeserializeOwned>(
    state: &AppState,
    tenant: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(N8nCaller, T, Value), ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let caller =
        journey::authenticate_n8n(&state.ctx, tenant, header("authorization"), header("idempotency-key"))
            .await?;
    // Axum's reader names the offending field (`department: missing field`...).
    let Json(parsed) = Json::<T>::from_bytes(body)?;
    let raw: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    Ok((caller, parsed, raw))
}

/// What the workflow extracted from the patient's message, and what to ask next.
#[derive(Deserialize, ToSchema)]
pub struct N8nIntakeResponse {
    /// The `conversation_id` of the forwarded message.
    pub conversation_id: Uuid,
    /// Merged into the fields known for the conversation (a `null` value forgets one);
    /// sent back as `state.extracted_fields` with every forwarded message.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub extracted_fields: Option<Map<String, Value>>,
    /// Sent to the patient as is (up to 1600 characters).
    pub next_question: Option<String>,
    /// The workflow has all it needs (kept as `state.intake_complete`).
    #[serde(default)]
    pub intake_complete: bool,
}

/// The department the workflow chose: slots of one of its services are offered to the
/// patient, who answers with a number through the built-in dialogue.
#[derive(Deserialize, ToSchema)]
pub struct N8nTriageResponse {
    pub conversation_id: Uuid,
    /// A department of the clinic's services (`Odontologia`), matched ignoring case and
    /// accents; another is a 422 listing the clinic's departments.
    pub department: String,
    /// The workflow's confidence, 0 to 1 (echoed).
    pub confidence: Option<f64>,
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum N8nAction {
    Book,
    Cancel,
    Confirm,
}

/// Book a slot, or cancel or confirm an appointment, for the conversation's patient; the
/// patient gets the same confirmation as from the built-in dialogue.
#[derive(Deserialize, ToSchema)]
pub struct N8nBookingResponse {
    pub conversation_id: Uuid,
    pub action: N8nAction,
    /// For `book`: a slot token, as offered (`offered[].slot_id` of a triage response) or
    /// from the availability API.
    pub slot_id: Option<String>,
    /// For `cancel` and `confirm`; default: the patient's next appointment.
    pub appointment_id: Option<Uuid>,
}

/// n8n intake callback: stores the extracted fields and sends `next_question`.
#[utoipa::path(post, path = "/webhooks/n8n/{tenant}/intake-response", tag = "webhooks",
    params(("tenant" = String, Path), ("Idempotency-Key" = String, Header),
           ("Authorization" = String, Header, description = "Bearer <dialogue.n8n.callback_token>")),
    request_body = N8nIntakeResponse,
    responses((status = 200, body = Object, description = "`{ok, question_sent, message_id, extracted_fields, intake_complete}`, or `{ok, duplicate: true}`"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn intake_response(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<Value>, ApiError> {
    let (caller, b, raw) = begin::<N8nIntakeResponse>(&state, &tenant, &headers, &body).await?;
    let req = journey::N8nIntake {
        conversation_id: ConversationId(b.conversation_id),
        extracted_fields: b.extracted_fields.unwrap_or_default(),
        next_question: b.next_question,
        intake_complete: b.intake_complete,
    };
    Ok(Json(journey::n8n_intake_response(&state.ctx, &caller, req, &raw).await?))
}

/// n8n triage callback: stores the department and offers slots of it to the patient.
#[utoipa::path(post, path = "/webhooks/n8n/{tenant}/triage-response", tag = "webhooks",
    params(("tenant" = String, Path), ("Idempotency-Key" = String, Header),
           ("Authorization" = String, Header, description = "Bearer <dialogue.n8n.callback_token>")),
    request_body = N8nTriageResponse,
    responses((status = 200, body = Object, description = "`{ok, department, confidence, service_id, offered: [{slot_id, label, local_start}]}`, or `{ok, duplicate: true}`"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn triage_response(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<Value>, ApiError> {
    let (caller, b, raw) = begin::<N8nTriageResponse>(&state, &tenant, &headers, &body).await?;
    let req = journey::N8nTriage {
        conversation_id: ConversationId(b.conversation_id),
        department: b.department,
        confidence: b.confidence,
    };
    Ok(Json(journey::n8n_triage_response(&state.ctx, &caller, req, &raw).await?))
}

/// n8n booking callback: books, cancels or confirms, and tells the patient.
#[utoipa::path(post, path = "/webhooks/n8n/{tenant}/booking-response", tag = "webhooks",
    params(("tenant" = String, Path), ("Idempotency-Key" = String, Header),
           ("Authorization" = String, Header, description = "Bearer <dialogue.n8n.callback_token>")),
    request_body = N8nBookingResponse,
    responses((status = 200, body = Object, description = "`{ok, action, appointment_id, status, start}` (`book` also `booked`; a slot taken meanwhile: `booked: false, reason: slot_taken, offered`), or `{ok, duplicate: true}`"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn booking_response(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<Value>, ApiError> {
    let (caller, b, raw) = begin::<N8nBookingResponse>(&state, &tenant, &headers, &body).await?;
    let req = journey::N8nBooking {
        conversation_id: ConversationId(b.conversation_id),
        action: match b.action {
            N8nAction::Book => N8nBookingAction::Book,
            N8nAction::Cancel => N8nBookingAction::Cancel,
            N8nAction::Confirm => N8nBookingAction::Confirm,
        },
        slot_id: b.slot_id,
        appointment_id: b.appointment_id.map(AppointmentId),
    };
    Ok(Json(journey::n8n_booking_response(&state.ctx, &caller, req, &raw).await?))
}
