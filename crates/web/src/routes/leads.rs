//! Leads for staff and for lead sources (ad forms, CRMs posting with an API key): create,
//! list, read with the timeline, and edit (stage, owner, notes, lost reason).

use crate::auth::Principal;
use crate::etag::{IfMatch, Tagged, stale};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::LeadId;
use frontdesk_domain::leads::{Lead, LeadEdit, LeadEditError, LeadEvent, LeadSource, LeadStage, Temperature};
use frontdesk_domain::page::PageRequest;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::leads::{self, LeadEditFailure, LeadFailure, LeadIntake};
use frontdesk_store::{LeadFilter, Versioned};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The answer to a lead list over the body limit, whether refused from its announced
/// length (`body_limit`) or while reading: where a bigger list goes instead.
pub const IMPORT_TOO_LARGE: &str = "the CSV is larger than the request body limit; import it with `frontdesk leads import FILE --tenant SLUG`";

impl From<LeadFailure> for ApiError {
    fn from(f: LeadFailure) -> Self {
        let message = f.to_string();
        match f {
            LeadFailure::NotFound(what) => ApiError::not_found(what),
            LeadFailure::Invalid(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_lead", message)
            }
            LeadFailure::Store(e) => e.into(),
        }
    }
}

async fn audited(
    state: &AppState,
    who: &Principal,
    action: &str,
    lead: Option<&Lead>,
) -> Result<(), ApiError> {
    let access =
        Access { action, resource_type: "lead", resource_id: None, patient_id: lead.map(|l| l.patient_id) };
    Ok(audit::record(&state.ctx, &who.actor(), access).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    /// The patient's phone; a new patient is registered when nobody has it.
    pub phone: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `paid_ads`, `organic`, `social`, `referral`, `whatsapp`, `phone`, `crm`, `import`.
    #[schema(value_type = Option<String>)]
    pub source: Option<LeadSource>,
    pub service_interest: Option<String>,
    pub notes: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub campaign: Option<String>,
    pub owner: Option<String>,
    /// When the patient submitted the form (defaults to now).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<jiff::Timestamp>,
    /// What the patient wrote, if anything (scores stated intent and urgency).
    pub message: Option<String>,
    /// Labels added to the patient ("implante", "black friday"; at most 20), which
    /// campaigns' segments may ask for.
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadCreatedView {
    #[schema(value_type = Object)]
    pub lead: Lead,
    /// True when the patient's recent lead absorbed this one.
    pub merged: bool,
}

/// Creates a lead (or merges it into the patient's recent one): 201, or 200 when merged.
/// A hot lead is called and messaged at once.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", security(("api_key" = [])),
    request_body = NewLead,
    responses((status = 201, body = LeadCreatedView), (status = 200, body = LeadCreatedView),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_lead(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<NewLead>,
) -> Result<(StatusCode, Json<LeadCreatedView>), ApiError> {
    for (field, value, max) in
        [("notes", &b.notes, 2000), ("message", &b.message, 2000), ("name", &b.name, 200)]
    {
        if value.as_deref().is_some_and(|v| v.chars().count() > max) {
            return Err(ApiError::bad_request(
                "invalid_lead",
                format!("{field} is at most {max} characters"),
            ));
        }
    }
    let intake = LeadIntake {
        source: b.source,
        name: b.name,
        phone: b.phone,
        email: b.email,
        service_interest: b.service_interest,
        notes: b.notes,
        utm_source: b.utm_source,
        utm_medium: b.utm_medium,
        utm_campaign: b.utm_campaign,
        utm_term: b.utm_term,
        utm_content: b.utm_content,
        campaign: b.campaign,
        owner: b.owner,
        submitted_at: Some(b.submitted_at.unwrap_or_else(|| state.ctx.clock.now())),
        first_message: b.message,
        in_conversation: false,
        tags: b.tags,
    };
    let created = leads::create_lead(&state.ctx, who.tenant_id, intake).await?;
    audited(&state, &who, "create", Some(&created.lead)).await?;
    let status = if created.merged { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(LeadCreatedView { lead: created.lead, merged: created.merged })))
}

#[derive(Serialize, ToSchema)]
pub struct LeadImportSummary {
    /// Data rows in the file (blank rows are not counted).
    pub rows: u64,
    /// Rows that became a new lead.
    pub imported: u64,
    /// Rows merged into the patient's recent lead.
    pub merged: u64,
    /// Rows left out: their line (the header is line 1) and a reason naming the column.
    pub skipped: Vec<LeadImportSkipped>,
    /// Header names that matched no known column.
    pub ignored_columns: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadImportSkipped {
    pub line: u64,
    pub reason: String,
}

impl From<leads::ImportSummary> for LeadImportSummary {
    fn from(s: leads::ImportSummary) -> Self {
        Self {
            rows: s.rows,
            imported: s.imported,
            merged: s.merged,
            skipped: s
                .skipped
                .into_iter()
                .map(|r| LeadImportSkipped { line: r.line, reason: r.reason })
                .collect(),
            ignored_columns: s.ignored_columns,
        }
    }
}

/// Imports leads from a CSV file sent as the body (`Content-Type: text/csv`). The first
/// line names the columns, in English or Portuguese: `phone`/`telefone`/`celular`/`whatsapp`
/// (required), `name`/`nome`, `email`, `source`/`origem` (default `import`),
/// `service`/`servico`, `notes`/`observacoes`, `utm_*`, `campaign`/`campanha`,
/// `owner`/`responsavel`, `submitted_at` (RFC 3339). Separated by `,` or `;`; UTF-8, BOM
/// optional. Each row is a lead as from `POST /api/v1/leads` (repeats merge); a bad row is
/// skipped with its line and reason. The request body limit (1 MiB by default) applies:
/// larger files go through `frontdesk leads import FILE --tenant SLUG`.
#[utoipa::path(post, path = "/api/v1/leads/import", tag = "leads", security(("api_key" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = LeadImportSummary), (status = 400, body = crate::error::ErrorBody),
              (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn import_leads(
    State(state): State<AppState>,
    who: Principal,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<LeadImportSummary>, ApiError> {
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let accepted = ["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"];
    if essence.as_deref().is_some_and(|e| !accepted.contains(&e)) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the CSV file itself as the body, with Content-Type: text/csv",
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", IMPORT_TOO_LARGE)
        } else {
            ApiError::bad_request("unreadable_body", rejection.body_text())
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "empty_body",
            "the body is empty: send the CSV file (a header line naming the columns, then one lead a line)",
        ));
    }
    let summary = match leads::import_csv(&state.ctx, who.tenant_id, &body[..], &|_| {}).await {
        Ok(summary) => summary,
        Err(LeadFailure::Invalid(message)) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv", message));
        }
        Err(e) => return Err(e.into()),
    };
    audited(&state, &who, "import", None).await?;
    Ok(Json(summary.into()))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LeadQuery {
    #[param(value_type = Option<String>)]
    pub stage: Option<LeadStage>,
    #[param(value_type = Option<String>)]
    pub temperature: Option<Temperature>,
    #[param(value_type = Option<String>)]
    pub source: Option<LeadSource>,
    pub patient_id: Option<Uuid>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<jiff::Timestamp>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<jiff::Timestamp>,
    pub before: Option<Uuid>,
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Lead>,
    pub next_cursor: Option<Uuid>,
}

/// Leads, newest first.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", security(("api_key" = [])),
    params(LeadQuery), responses((status = 200, body = LeadPage)))]
pub async fn list_leads(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> Result<Json<LeadPage>, ApiError> {
    let filter = LeadFilter {
        stage: q.stage,
        temperature: q.temperature,
        source: q.source,
        patient_id: q.patient_id.map(frontdesk_domain::PatientId),
        from: q.from,
        to: q.to,
    };
    let page =
        state.ctx.store.list_leads(who.tenant_id, &filter, PageRequest::new(q.before, q.limit)).await?;
    audited(&state, &who, "list", None).await?;
    Ok(Json(LeadPage { items: page.items, next_cursor: page.next_cursor }))
}

#[derive(Serialize, ToSchema)]
pub struct LeadView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub lead: Lead,
    /// Everything that happened to the lead, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub timeline: Vec<LeadEvent>,
}

async fn load(state: &AppState, who: &Principal, id: Uuid) -> Result<Versioned<Lead>, ApiError> {
    state
        .ctx
        .store
        .get_lead_versioned(who.tenant_id, LeadId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("lead"))
}

/// One lead with its timeline.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = LeadView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_lead(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Tagged<Json<LeadView>>, ApiError> {
    let Versioned { value: lead, version } = load(&state, &who, id).await?;
    let timeline = leads::timeline(&state.ctx, who.tenant_id, lead.id).await?;
    audited(&state, &who, "read", Some(&lead)).await?;
    Ok(Tagged(version, Json(LeadView { lead, timeline })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadPatch {
    /// Move the lead (forward only; `lost` needs `lost_reason`).
    #[schema(value_type = Option<String>)]
    pub stage: Option<LeadStage>,
    pub lost_reason: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub service_interest: Option<String>,
}

/// Edits a lead; each change lands on its timeline.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = LeadPatch,
    responses((status = 200, body = LeadView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update_lead(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<LeadPatch>,
) -> Result<Tagged<Json<LeadView>>, ApiError> {
    let edit = LeadEdit {
        stage: patch.stage,
        lost_reason: patch.lost_reason,
        owner: patch.owner,
        notes: patch.notes,
        service_interest: patch.service_interest,
    };
    let edited =
        leads::edit_lead(&state.ctx, who.tenant_id, LeadId(id), edit, &who.actor().name, if_match.0).await;
    let Versioned { value: lead, version } = edited.map_err(|e| match e {
        LeadEditFailure::NotFound => ApiError::not_found("lead"),
        LeadEditFailure::Refused(r @ LeadEditError::LostReasonRequired) => {
            ApiError::bad_request("lost_reason_required", r.to_string())
        }
        LeadEditFailure::Refused(r) => ApiError::conflict("invalid_stage_change", r.to_string()),
        LeadEditFailure::Stale { current } => stale(current),
        LeadEditFailure::Store(s) => s.into(),
    })?;
    audited(&state, &who, "update", Some(&lead)).await?;
    let timeline = leads::timeline(&state.ctx, who.tenant_id, lead.id).await?;
    Ok(Tagged(version, Json(LeadView { lead, timeline })))
}
