//! Patients: register, find by name or phone, read, correct. Every access is audited.

use crate::auth::Principal;
use crate::etag::{IfMatch, Tagged, or_stale};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::PatientId;
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::{Conflict, PatientQuery, StoreError, Versioned};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct PatientView {
    pub id: Uuid,
    pub name: String,
    /// E.164.
    pub phone: String,
    pub email: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<jiff::civil::Date>,
    pub locale: String,
    pub external_id: Option<String>,
    /// Labels staff put on the patient ("vip", "ortodontia"); campaigns' segments may ask
    /// for them. Lower-case.
    pub tags: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl PatientView {
    fn new(p: Patient, tags: Vec<String>) -> Self {
        Self {
            id: p.id.0,
            name: p.name.as_str().to_owned(),
            phone: p.phone.as_str().to_owned(),
            email: p.email.map(|e| e.as_str().to_owned()),
            birth_date: p.birth_date,
            locale: p.locale.as_str().to_owned(),
            external_id: p.external_id,
            tags,
            created_at: p.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<jiff::civil::Date>,
    /// `pt-BR` or `en`.
    #[schema(value_type = Option<String>)]
    pub locale: Option<Locale>,
    /// Replaces the patient's tags (at most 20; letters, digits, spaces, `-`, `_`).
    pub tags: Option<Vec<String>>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PatientSearch {
    /// Part of the name (case-insensitive).
    pub name: Option<String>,
    /// Part of the phone number (digits).
    pub phone: Option<String>,
    pub before: Option<Uuid>,
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct PatientPage {
    pub items: Vec<PatientView>,
    pub next_cursor: Option<Uuid>,
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_patient", e.to_string())
}

async fn audited(
    state: &AppState,
    who: &Principal,
    action: &str,
    id: Option<PatientId>,
) -> Result<(), ApiError> {
    let rid = id.map(|i| i.to_string());
    let access = Access { action, resource_type: "patient", resource_id: rid.as_deref(), patient_id: id };
    Ok(audit::record(&state.ctx, &who.actor(), access).await?)
}

/// Applies the given fields to `p`; the phone is parsed with the clinic's default region.
async fn apply(state: &AppState, who: &Principal, p: &mut Patient, b: PatientBody) -> Result<(), ApiError> {
    if let Some(n) = b.name {
        p.name = PersonName::parse(&n).map_err(invalid)?;
    }
    if let Some(raw) = b.phone {
        let region = state.ctx.store.tenant_settings(who.tenant_id).await?.default_region;
        p.phone = PhoneE164::parse(&raw, &region).map_err(invalid)?;
    }
    if let Some(e) = b.email {
        p.email = if e.trim().is_empty() { None } else { Some(Email::parse(&e).map_err(invalid)?) };
    }
    if let Some(born) = b.birth_date {
        let now = state.ctx.clock.now();
        p.birth_date = Some(frontdesk_domain::plausible::birth_date(born, now).map_err(invalid)?);
    }
    if let Some(l) = b.locale {
        p.locale = l;
    }
    Ok(())
}

/// The tags of one patient.
async fn tags_of(state: &AppState, who: &Principal, id: PatientId) -> Result<Vec<String>, ApiError> {
    Ok(state.ctx.store.patient_tags(who.tenant_id, &[id]).await?.into_iter().map(|(_, t)| t).collect())
}

/// Normalizes the body's tags, if it has any: `None` leaves the patient's tags alone.
fn body_tags(b: &PatientBody) -> Result<Option<Vec<String>>, ApiError> {
    b.tags.as_deref().map(frontdesk_domain::patients::normalize_tags).transpose().map_err(invalid)
}

fn phone_taken() -> ApiError {
    ApiError::conflict("phone_taken", "another patient of this clinic has that phone")
}

#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", security(("api_key" = [])), request_body = PatientBody,
    responses((status = 201, body = PatientView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_patient(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<PatientBody>,
) -> Result<(StatusCode, Json<PatientView>), ApiError> {
    let (Some(name), Some(phone)) = (b.name.as_deref(), b.phone.as_deref()) else {
        return Err(invalid("name and phone are required"));
    };
    let tenant =
        state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let region = state.ctx.store.tenant_settings(who.tenant_id).await?.default_region;
    let mut p = Patient::new(
        who.tenant_id,
        PersonName::parse(name).map_err(invalid)?,
        PhoneE164::parse(phone, &region).map_err(invalid)?,
        tenant.locale,
        state.ctx.clock.now(),
    );
    let tags = body_tags(&b)?.unwrap_or_default();
    apply(&state, &who, &mut p, PatientBody { name: None, phone: None, ..b }).await?;
    state.ctx.store.create_patient(&p).await.map_err(|e| match e {
        StoreError::Conflict(_) => phone_taken(),
        other => other.into(),
    })?;
    if !tags.is_empty() {
        state.ctx.store.set_patient_tags(who.tenant_id, p.id, &tags).await?;
    }
    audited(&state, &who, "create", Some(p.id)).await?;
    Ok((StatusCode::CREATED, Json(PatientView::new(p, tags))))
}

#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", security(("api_key" = [])), params(PatientSearch),
    responses((status = 200, body = PatientPage)))]
pub async fn search_patients(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<PatientSearch>,
) -> Result<Json<PatientPage>, ApiError> {
    let digits =
        q.phone.map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>()).filter(|d| !d.is_empty());
    let query = PatientQuery { name: q.name.filter(|n| !n.trim().is_empty()), phone_digits: digits };
    let page =
        state.ctx.store.search_patients(who.tenant_id, &query, PageRequest::new(q.before, q.limit)).await?;
    audited(&state, &who, "search", None).await?;
    let ids: Vec<PatientId> = page.items.iter().map(|p| p.id).collect();
    let mut tags = state.ctx.store.patient_tags(who.tenant_id, &ids).await?;
    Ok(Json(PatientPage {
        items: page
            .items
            .into_iter()
            .map(|p| {
                let own = tags.extract_if(.., |(id, _)| *id == p.id).map(|(_, t)| t).collect();
                PatientView::new(p, own)
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", security(("api_key" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PatientView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_patient(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Tagged<Json<PatientView>>, ApiError> {
    let Versioned { value: p, version } = load_versioned(&state, &who, id).await?;
    audited(&state, &who, "read", Some(p.id)).await?;
    let tags = tags_of(&state, &who, p.id).await?;
    Ok(Tagged(version, Json(PatientView::new(p, tags))))
}

async fn load_versioned(state: &AppState, who: &Principal, id: Uuid) -> Result<Versioned<Patient>, ApiError> {
    state
        .ctx
        .store
        .get_patient_versioned(who.tenant_id, PatientId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("patient"))
}

#[utoipa::path(patch, path = "/api/v1/patients/{id}", tag = "patients", security(("api_key" = [])), params(("id" = Uuid, Path)),
    request_body = PatientBody, responses((status = 200, body = PatientView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_patient(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<PatientBody>,
) -> Result<Tagged<Json<PatientView>>, ApiError> {
    let Versioned { value: mut p, version } = load_versioned(&state, &who, id).await?;
    if_match.check(version)?;
    let new_tags = body_tags(&b)?;
    apply(&state, &who, &mut p, b).await?;
    let saved = match state.ctx.store.update_patient_if(&p, if_match.expected(version)).await {
        Err(StoreError::Conflict(Conflict::Duplicate { .. })) => return Err(phone_taken()),
        other => other,
    };
    let store = &state.ctx.store;
    let version = or_stale(saved, || async {
        Ok(store.get_patient_versioned(who.tenant_id, p.id).await?.map(|v| v.version))
    })
    .await?;
    if let Some(tags) = new_tags {
        store.set_patient_tags(who.tenant_id, p.id, &tags).await?;
    }
    audited(&state, &who, "update", Some(p.id)).await?;
    let tags = tags_of(&state, &who, p.id).await?;
    Ok(Tagged(version, Json(PatientView::new(p, tags))))
}
