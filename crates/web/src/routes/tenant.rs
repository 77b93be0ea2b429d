//! The tenant behind the API key: read and edit its settings.

use crate::auth::Principal;
use crate::extract::ApiJson;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::tenant::{Tenant, TenantChanges};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::tenants::{self, UpdateTenantError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct TenantView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// IANA time zone, e.g. `America/Sao_Paulo`.
    pub timezone: String,
    /// `pt-BR` or `en`.
    pub locale: String,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        Self {
            id: t.id.0,
            slug: t.slug.to_string(),
            name: t.name,
            timezone: t.timezone.as_str().to_owned(),
            locale: t.locale.as_str().to_owned(),
        }
    }
}

/// Fields to change; omitted ones stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    pub name: Option<String>,
    /// IANA time zone name.
    #[schema(value_type = Option<String>, example = "America/Sao_Paulo")]
    pub timezone: Option<frontdesk_domain::tenant::TimeZoneName>,
    /// `pt-BR` or `en`.
    #[schema(value_type = Option<String>, example = "pt-BR")]
    pub locale: Option<frontdesk_domain::tenant::Locale>,
}

/// The tenant the API key belongs to.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant", security(("api_key" = [])),
    responses((status = 200, body = TenantView), (status = 401, body = crate::error::ErrorBody)))]
pub async fn current_tenant(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<TenantView>, ApiError> {
    let tenant =
        state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok(Json(tenant.into()))
}

/// Changes the tenant's name, time zone or locale.
#[utoipa::path(patch, path = "/api/v1/tenant", tag = "tenant", security(("api_key" = [])), request_body = TenantPatch,
    responses((status = 200, body = TenantView), (status = 400, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_tenant(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(patch): ApiJson<TenantPatch>,
) -> Result<Json<TenantView>, ApiError> {
    let changes = TenantChanges { name: patch.name, timezone: patch.timezone, locale: patch.locale };
    let tenant = tenants::update_tenant(&state.ctx, who.tenant_id, changes).await.map_err(|e| match e {
        UpdateTenantError::Invalid(err) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_tenant", err.to_string())
        }
        UpdateTenantError::Store(err) => err.into(),
    })?;
    let id = tenant.id.to_string();
    audit::record(
        &state.ctx,
        &who.actor(),
        Access { action: "update", resource_type: "tenant", resource_id: Some(&id), patient_id: None },
    )
    .await?;
    Ok(Json(tenant.into()))
}
