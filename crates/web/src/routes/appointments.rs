//! Appointments over HTTP: book (idempotently), list, read, act on, export as ICS.

use crate::auth::Principal;
use crate::extract::{ApiBytes, ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::noshow::{Risk, RiskLevel};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, AppointmentEvent, AppointmentStatus};
use frontdesk_domain::{AppointmentId, LocationId, PatientId, PractitionerId, ServiceId};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::scheduling::{self as engine, ActionRequest, BookingRequest, Confirmation, PatientRef};
use frontdesk_store::{AppointmentFilter, IdempotencyClaim};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub location_id: Uuid,
    pub service_id: Uuid,
    #[schema(value_type = String, format = DateTime)]
    pub start: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: jiff::Timestamp,
    /// booked, confirmed, checked_in, completed, cancelled or no_show.
    #[schema(value_type = String)]
    pub status: AppointmentStatus,
    pub version: i32,
    pub external_id: Option<String>,
    pub cancel_reason: Option<String>,
    /// The appointment as an iCalendar file.
    pub ics_url: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    /// What happened to it, oldest first (single-appointment reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub history: Option<Vec<AppointmentEvent>>,
    /// The probability that the patient will not come, for appointments still ahead
    /// (booked or confirmed); absent otherwise. See docs/noshow.md.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_show_risk: Option<NoShowRiskView>,
}

#[derive(Serialize, ToSchema)]
pub struct NoShowRiskView {
    /// Between 0 and 1.
    pub probability: f64,
    /// low (< 0.15), medium, or high (>= 0.3).
    #[schema(value_type = String)]
    pub level: RiskLevel,
    /// What raised it most, strongest first.
    pub reasons: Vec<NoShowReasonView>,
}

#[derive(Serialize, ToSchema)]
pub struct NoShowReasonView {
    /// `long_lead_time`, `prior_no_shows`, `not_confirmed`, ...
    pub code: String,
    /// How much it raised the risk, in log-odds.
    pub weight: f64,
}

impl From<Risk> for NoShowRiskView {
    fn from(risk: Risk) -> Self {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        Self {
            probability: round(risk.probability),
            level: risk.level(),
            reasons: risk
                .reasons
                .into_iter()
                .map(|r| NoShowReasonView { code: r.code, weight: round(r.weight) })
                .collect(),
        }
    }
}

impl AppointmentView {
    fn new(a: Appointment, history: Option<Vec<AppointmentEvent>>, risk: Option<Risk>) -> Self {
        Self {
            ics_url: format!("/api/v1/appointments/{}.ics", a.id),
            id: a.id.0,
            patient_id: a.patient_id.0,
            practitioner_id: a.practitioner_id.0,
            location_id: a.location_id.0,
            service_id: a.service_id.0,
            start: a.start,
            end: a.end,
            status: a.status,
            version: a.version,
            external_id: a.external_id,
            cancel_reason: a.cancel_reason,
            created_at: a.created_at,
            updated_at: a.updated_at,
            history,
            no_show_risk: risk.map(NoShowRiskView::from),
        }
    }
}

/// The patient: an existing id, or name and phone to find-or-create by phone.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPatientRef {
    pub name: String,
    /// Any common spelling; numbers without a country code use the clinic's region.
    pub phone: String,
    pub email: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAppointment {
    pub patient_id: Option<Uuid>,
    pub patient: Option<NewPatientRef>,
    pub practitioner_id: Uuid,
    pub location_id: Uuid,
    pub service_id: Uuid,
    /// RFC 3339 instant, e.g. `2026-06-03T13:00:00Z` or `2026-06-03T10:00:00-03:00`.
    #[schema(value_type = String, format = DateTime)]
    pub start: jiff::Timestamp,
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

async fn audit_appointment(
    state: &AppState,
    who: &Principal,
    action: &str,
    a: &Appointment,
) -> Result<(), ApiError> {
    let id = a.id.to_string();
    let access = Access {
        action,
        resource_type: "appointment",
        resource_id: Some(&id),
        patient_id: Some(a.patient_id),
    };
    Ok(audit::record(&state.ctx, &who.actor(), access).await?)
}

/// Books an appointment. With an `Idempotency-Key` header, a retry of the same request
/// returns the same appointment (200) instead of booking twice.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments", security(("api_key" = [])),
    request_body = CreateAppointment, params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = AppointmentView), (status = 200, description = "Idempotent replay", body = AppointmentView),
              (status = 404, description = "the patient, practitioner, service or location named is not the clinic's", body = crate::error::ErrorBody),
              (status = 409, description = "slot_taken", body = crate::error::ErrorBody),
              (status = 422, description = "outside hours or rules", body = crate::error::ErrorBody)))]
pub async fn create_appointment(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateAppointment>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let key = v.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 255).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1-255 visible characters",
                )
            })?;
            let canonical = serde_json::to_vec(&body).map_err(|e| ApiError::internal(&e))?;
            Some(IdempotencyClaim {
                key: key.to_owned(),
                request_hash: hex::encode(Sha256::digest(&canonical)),
            })
        }
    };
    let patient = match (body.patient_id, &body.patient) {
        (Some(id), None) => PatientRef::Id(PatientId(id)),
        (None, Some(p)) => {
            let settings = state.ctx.store.tenant_settings(who.tenant_id).await?;
            PatientRef::Contact {
                name: PersonName::parse(&p.name)
                    .map_err(|e| unprocessable("invalid_patient", e.to_string()))?,
                phone: PhoneE164::parse(&p.phone, &settings.default_region)
                    .map_err(|e| unprocessable("invalid_patient", e.to_string()))?,
                email: p
                    .email
                    .as_deref()
                    .map(Email::parse)
                    .transpose()
                    .map_err(|e| unprocessable("invalid_patient", e.to_string()))?,
            }
        }
        _ => return Err(unprocessable("invalid_patient", "give exactly one of patient_id or patient")),
    };
    let request = BookingRequest {
        tenant_id: who.tenant_id,
        patient,
        practitioner_id: PractitionerId(body.practitioner_id),
        location_id: LocationId(body.location_id),
        service_id: ServiceId(body.service_id),
        start: body.start,
        idempotency,
        actor: who.actor().name,
        confirmation: Confirmation::Send,
    };
    let result = engine::book(&state.ctx, request).await?;
    audit_appointment(&state, &who, "create", &result.appointment).await?;
    let status = if result.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(AppointmentView::new(result.appointment, None, None))))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AppointmentQuery {
    /// Appointments starting at or after this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<jiff::Timestamp>,
    /// ...and before this one.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<jiff::Timestamp>,
    #[param(value_type = Option<String>)]
    pub status: Option<AppointmentStatus>,
    pub practitioner_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    /// Cursor from the previous page (`next_cursor`).
    pub before: Option<Uuid>,
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AppointmentPage {
    pub items: Vec<AppointmentView>,
    pub next_cursor: Option<Uuid>,
}

/// Appointments in start order, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", security(("api_key" = [])),
    params(AppointmentQuery), responses((status = 200, body = AppointmentPage)))]
pub async fn list_appointments(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<AppointmentQuery>,
) -> Result<Json<AppointmentPage>, ApiError> {
    let filter = AppointmentFilter {
        from: q.from,
        to: q.to,
        status: q.status,
        practitioner_id: q.practitioner_id.map(PractitionerId),
        patient_id: q.patient_id.map(PatientId),
    };
    let page = state
        .ctx
        .store
        .list_appointments(who.tenant_id, &filter, PageRequest::new(q.before, q.limit))
        .await?;
    let access = Access {
        action: "list",
        resource_type: "appointment",
        resource_id: None,
        patient_id: filter.patient_id,
    };
    audit::record(&state.ctx, &who.actor(), access).await?;
    let mut risks = engine::no_show_risks(&state.ctx, who.tenant_id, &page.items).await?;
    Ok(Json(AppointmentPage {
        items: page
            .items
            .into_iter()
            .map(|a| {
                let risk = risks.remove(&a.id);
                AppointmentView::new(a, None, risk)
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One appointment with its history; `{id}.ics` returns it as an iCalendar file.
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "appointments", security(("api_key" = [])),
    params(("id" = String, Path, description = "The id, or the id followed by `.ics`")),
    responses((status = 200, body = AppointmentView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_appointment(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let (id, ics) = match raw.strip_suffix(".ics") {
        Some(id) => (id, true),
        None => (raw.as_str(), false),
    };
    let id = AppointmentId(
        id.parse().map_err(|_| ApiError::bad_request("invalid_path", "the id must be a UUID"))?,
    );
    let store = &state.ctx.store;
    let a =
        store.get_appointment(who.tenant_id, id).await?.ok_or_else(|| ApiError::not_found("appointment"))?;
    audit_appointment(&state, &who, "read", &a).await?;
    if ics {
        return ics_response(&state, &who, &a).await;
    }
    let history = store.appointment_history(who.tenant_id, id).await?;
    let risk =
        engine::no_show_risks(&state.ctx, who.tenant_id, std::slice::from_ref(&a)).await?.remove(&a.id);
    Ok(Json(AppointmentView::new(a, Some(history), risk)).into_response())
}

async fn ics_response(state: &AppState, who: &Principal, a: &Appointment) -> Result<Response, ApiError> {
    let body = frontdesk_engine::scheduling::calendar_file(&state.ctx, who.tenant_id, a).await?;
    Ok(calendar_response(a.id, body))
}

/// A calendar file as a download.
pub(crate) fn calendar_response(id: frontdesk_domain::AppointmentId, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"appointment-{id}.ics\"")),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// Why (cancel, no-show); kept in the history.
    pub reason: Option<String>,
    /// New start (reschedule only).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub start: Option<jiff::Timestamp>,
}

/// Actions take an optional JSON body; an empty one means "no details".
fn optional_body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| unprocessable("invalid_body", format!("invalid JSON body: {e}")))
}

async fn act(
    state: AppState,
    who: Principal,
    id: Uuid,
    action: AppointmentAction,
    body: Bytes,
) -> Result<Json<AppointmentView>, ApiError> {
    let body: ActionBody = optional_body(&body)?;
    if action == AppointmentAction::Reschedule && body.start.is_none() {
        return Err(unprocessable("invalid_body", "reschedule needs {\"start\": \"<RFC 3339 instant>\"}"));
    }
    let request = ActionRequest {
        action,
        reason: body.reason,
        new_start: body.start,
        actor: who.actor().name,
        confirmation: Confirmation::Send,
    };
    let a = engine::apply_action(&state.ctx, who.tenant_id, AppointmentId(id), request).await?;
    audit_appointment(&state, &who, action.as_str(), &a).await?;
    Ok(Json(AppointmentView::new(a, None, None)))
}

macro_rules! action_route {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "appointments", security(("api_key" = [])),
            params(("id" = Uuid, Path)), request_body(content = Option<ActionBody>),
            responses((status = 200, body = AppointmentView), (status = 404, body = crate::error::ErrorBody),
                      (status = 409, description = "invalid_transition or slot_taken", body = crate::error::ErrorBody)))]
        pub async fn $name(
            State(state): State<AppState>,
            who: Principal,
            ApiPath(id): ApiPath<Uuid>,
            ApiBytes(body): ApiBytes,
        ) -> Result<Json<AppointmentView>, ApiError> {
            act(state, who, id, $action, body).await
        }
    };
}

action_route!(
    confirm,
    "/api/v1/appointments/{id}/confirm",
    AppointmentAction::Confirm,
    "The patient confirmed."
);
action_route!(
    cancel,
    "/api/v1/appointments/{id}/cancel",
    AppointmentAction::Cancel,
    "Cancel (optional `reason`)."
);
action_route!(
    reschedule,
    "/api/v1/appointments/{id}/reschedule",
    AppointmentAction::Reschedule,
    "Move to a new `start`; history is kept and reminders move along."
);
action_route!(
    check_in,
    "/api/v1/appointments/{id}/check-in",
    AppointmentAction::CheckIn,
    "The patient arrived."
);
action_route!(
    complete,
    "/api/v1/appointments/{id}/complete",
    AppointmentAction::Complete,
    "The visit is done."
);
action_route!(
    no_show,
    "/api/v1/appointments/{id}/no-show",
    AppointmentAction::MarkNoShow,
    "Staff mark a no-show."
);
