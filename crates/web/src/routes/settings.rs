//! The tenant's settings document, edited with JSON merge patch (RFC 7386).

use crate::auth::Principal;
use crate::extract::ApiJson;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::settings::{self, SettingsError};

/// The settings with secrets masked.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", security(("api_key" = [])),
    responses((status = 200, body = Object)))]
pub async fn get_settings(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<TenantSettings>, ApiError> {
    Ok(Json(state.ctx.store.tenant_settings(who.tenant_id).await?.masked()))
}

/// Merges a JSON merge patch into the settings (`null` removes a value). Secrets are
/// write-only: sending back the mask keeps the stored secret.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", security(("api_key" = [])),
    request_body(content = Object, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn patch_settings(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> Result<Json<TenantSettings>, ApiError> {
    let next = settings::apply_patch(&state.ctx, who.tenant_id, &patch).await.map_err(|e| match e {
        SettingsError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_settings", m),
        SettingsError::Store(s) => s.into(),
    })?;
    let access = Access { action: "update", resource_type: "settings", resource_id: None, patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(Json(next.masked()))
}
