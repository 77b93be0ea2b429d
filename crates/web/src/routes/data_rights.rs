//! Patients' data rights over the API: a person's data exported (FHIR or plain JSON), a
//! person erased on request, and the clinic's retention policy with its run reports.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::PatientId;
use frontdesk_domain::data_rights::{
    Erasure, ErasureCounts, RetentionCounts, RetentionPolicy, RetentionReport,
};
use frontdesk_domain::page::PageRequest;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::data_rights::{self as rights, export};
use frontdesk_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (the default: everything held, as plain JSON) or `fhir` (a FHIR R4 Bundle of
    /// type `collection`: Patient, Appointments, a Communication per message and call).
    pub format: Option<String>,
}

fn patient_not_found(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("patient"),
        other => other.into(),
    }
}

/// Everything the clinic holds about one person: the patient, leads with their timelines,
/// conversations with every message, appointments with their history, calls with their
/// transcripts, consents, and who accessed the data. Audited as an `export`.
#[utoipa::path(get, path = "/api/v1/patients/{id}/export", tag = "patients", security(("api_key" = [])),
    params(("id" = Uuid, Path), ExportQuery),
    responses((status = 200, description = "The record (application/json or application/fhir+json)", body = Object),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn export_patient(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().unwrap_or("json") {
        f @ ("json" | "fhir") => f,
        _ => return Err(ApiError::bad_request("invalid_format", "format must be json or fhir")),
    };
    let record = export::export_patient(&state.ctx, &who.actor(), PatientId(id), format)
        .await
        .map_err(patient_not_found)?;
    let (body, content_type) = if format == "fhir" {
        let bundle = crate::fhir::export::bundle_for(&state, &record)
            .await
            .map_err(|e| ApiError::internal(&e.diagnostics))?;
        (bundle, crate::fhir::FHIR_JSON)
    } else {
        let doc = serde_json::to_value(&record).map_err(|e| ApiError::internal(&e))?;
        (doc, "application/json")
    };
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"patient-{id}.{format}.json\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    /// The patient's id again: an erasure cannot be undone, so it is never sent by accident.
    pub confirm: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErasureCountsView {
    pub patients: u64,
    pub messages: u64,
    pub calls: u64,
    pub transcript_turns: u64,
    pub leads: u64,
    pub provider_payloads: u64,
    pub other_rows: u64,
    pub jobs_cancelled: u64,
}

impl From<ErasureCounts> for ErasureCountsView {
    fn from(c: ErasureCounts) -> Self {
        Self {
            patients: c.patients,
            messages: c.messages,
            calls: c.calls,
            transcript_turns: c.transcript_turns,
            leads: c.leads,
            provider_payloads: c.provider_payloads,
            other_rows: c.other_rows,
            jobs_cancelled: c.jobs_cancelled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ErasureView {
    pub patient_id: Uuid,
    #[schema(value_type = String, format = DateTime)]
    pub erased_at: jiff::Timestamp,
    /// False when the patient had been erased before: nothing more was changed.
    pub first_time: bool,
    /// Records changed, by kind.
    pub changed: ErasureCountsView,
}

impl From<Erasure> for ErasureView {
    fn from(e: Erasure) -> Self {
        Self {
            patient_id: e.patient_id.0,
            erased_at: e.erased_at,
            first_time: e.first_time,
            changed: e.counts.into(),
        }
    }
}

/// Erases the person on their request: name, phone, e-mail, birth date, message texts and
/// media, call recordings and transcripts, lead notes, provider payloads and identifying
/// external ids are removed everywhere; appointments (times, statuses), message and call
/// facts, consents and the audit trail stay, without identifying data. Cannot be undone;
/// repeating it is harmless. Audited as `erase`.
#[utoipa::path(post, path = "/api/v1/patients/{id}/erase", tag = "patients", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = EraseBody,
    responses((status = 200, body = ErasureView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn erase_patient(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<EraseBody>,
) -> Result<Json<ErasureView>, ApiError> {
    let erasure = rights::erase_patient(&state.ctx, &who.actor(), PatientId(id), &body.confirm)
        .await
        .map_err(|e| match e {
            rights::EraseRefused::NotFound => ApiError::not_found("patient"),
            rights::EraseRefused::NotConfirmed => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "confirmation_mismatch",
                "confirm must repeat the patient's id",
            ),
            rights::EraseRefused::Store(e) => e.into(),
        })?;
    Ok(Json(erasure.into()))
}

/// After how many days content is purged; `null` keeps it forever (the default).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicyView {
    /// Message texts, media links, voice-note transcripts and raw provider deliveries.
    #[serde(default)]
    pub message_text_days: Option<u32>,
    /// Call recording links.
    #[serde(default)]
    pub call_recording_days: Option<u32>,
    /// Call transcripts, summaries and raw call reports.
    #[serde(default)]
    pub call_transcript_days: Option<u32>,
}

impl From<RetentionPolicy> for RetentionPolicyView {
    fn from(p: RetentionPolicy) -> Self {
        Self {
            message_text_days: p.message_text_days,
            call_recording_days: p.call_recording_days,
            call_transcript_days: p.call_transcript_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RetentionCountsView {
    pub messages: u64,
    pub message_payloads: u64,
    pub call_recordings: u64,
    pub call_transcripts: u64,
    pub transcript_turns: u64,
    pub call_payloads: u64,
}

impl From<RetentionCounts> for RetentionCountsView {
    fn from(c: RetentionCounts) -> Self {
        Self {
            messages: c.messages,
            message_payloads: c.message_payloads,
            call_recordings: c.call_recordings,
            call_transcripts: c.call_transcripts,
            transcript_turns: c.transcript_turns,
            call_payloads: c.call_payloads,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RetentionReportView {
    pub id: Uuid,
    pub actor: String,
    pub dry_run: bool,
    pub policy: RetentionPolicyView,
    /// Records purged (or, dry, that would be), by kind.
    pub counts: RetentionCountsView,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub finished_at: jiff::Timestamp,
}

impl From<RetentionReport> for RetentionReportView {
    fn from(r: RetentionReport) -> Self {
        Self {
            id: r.id,
            actor: r.actor,
            dry_run: r.dry_run,
            policy: r.policy.into(),
            counts: r.counts.into(),
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RetentionReportPage {
    pub items: Vec<RetentionReportView>,
    pub next_cursor: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/retention", tag = "data-rights", security(("api_key" = [])),
    responses((status = 200, body = RetentionPolicyView), (status = 401, body = crate::error::ErrorBody)))]
pub async fn get_retention(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<RetentionPolicyView>, ApiError> {
    Ok(Json(state.ctx.store.retention_policy(who.tenant_id).await?.into()))
}

/// Replaces the policy (each period 7-36500 days, or null). Runs daily at 03:00 clinic time.
#[utoipa::path(put, path = "/api/v1/retention", tag = "data-rights", security(("api_key" = [])),
    request_body = RetentionPolicyView,
    responses((status = 200, body = RetentionPolicyView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_retention(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(v): ApiJson<RetentionPolicyView>,
) -> Result<Json<RetentionPolicyView>, ApiError> {
    let policy = RetentionPolicy {
        message_text_days: v.message_text_days,
        call_recording_days: v.call_recording_days,
        call_transcript_days: v.call_transcript_days,
    };
    policy
        .validate()
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_retention", e.to_string()))?;
    let now = state.ctx.clock.now();
    state.ctx.store.save_retention_policy(who.tenant_id, &policy, now).await?;
    let access =
        Access { action: "update", resource_type: "retention_policy", resource_id: None, patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    rights::schedule_retention(&state.ctx, who.tenant_id, now).await?;
    Ok(Json(policy.into()))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    pub before: Option<Uuid>,
    /// Page size, 1-500 (default 50).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/retention/reports", tag = "data-rights", security(("api_key" = [])),
    params(ReportQuery),
    responses((status = 200, body = RetentionReportPage), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_reports(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<RetentionReportPage>, ApiError> {
    let page = state.ctx.store.retention_reports(who.tenant_id, PageRequest::new(q.before, q.limit)).await?;
    Ok(Json(RetentionReportPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    /// Only count what would be purged.
    #[serde(default)]
    pub dry_run: bool,
}

/// Runs the retention policy now (the daily job does the same) and returns its report.
#[utoipa::path(post, path = "/api/v1/retention/run", tag = "data-rights", security(("api_key" = [])),
    request_body = RunBody,
    responses((status = 200, body = RetentionReportView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn run_retention(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<RunBody>,
) -> Result<Json<RetentionReportView>, ApiError> {
    let actor = who.actor();
    let report = rights::run_retention(&state.ctx, who.tenant_id, &actor.name, b.dry_run).await?;
    let action = if b.dry_run { "retention_dry_run" } else { "retention_run" };
    let id = report.id.to_string();
    let access =
        Access { action, resource_type: "retention_report", resource_id: Some(&id), patient_id: None };
    audit::record(&state.ctx, &actor, access).await?;
    Ok(Json(report.into()))
}
