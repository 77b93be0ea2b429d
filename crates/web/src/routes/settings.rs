//! The tenant's settings document, edited with JSON merge patch (RFC 7386).

use crate::auth::Principal;
use crate::etag::{IfMatch, Tagged, stale};
use crate::extract::ApiJson;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::settings::{self, SettingsError};
use frontdesk_store::{Conflict, StoreError};

/// The settings with secrets masked.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", security(("api_key" = [])),
    responses((status = 200, body = Object)))]
pub async fn get_settings(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Tagged<Json<TenantSettings>>, ApiError> {
    let current = state.ctx.store.tenant_settings_versioned(who.tenant_id).await?;
    Ok(Tagged(current.version, Json(current.value.masked())))
}

/// Merges a JSON merge patch into the settings (`null` removes a value). Secrets are
/// write-only: sending back the mask keeps the stored secret.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", security(("api_key" = [])),
    request_body(content = Object, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn patch_settings(
    State(state): State<AppState>,
    who: Principal,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> Result<Tagged<Json<TenantSettings>>, ApiError> {
    let applied = settings::apply_patch(&state.ctx, who.tenant_id, &patch, if_match.0).await;
    let (next, version) = match applied {
        Ok(done) => done,
        Err(SettingsError::Invalid(m)) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_settings", m));
        }
        Err(SettingsError::Store(StoreError::Conflict(Conflict::Stale))) => {
            let now = state.ctx.store.tenant_settings_versioned(who.tenant_id).await?.version;
            return Err(stale(now));
        }
        Err(SettingsError::Store(s)) => return Err(s.into()),
    };
    let access = Access { action: "update", resource_type: "settings", resource_id: None, patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(Tagged(version, Json(next.masked())))
}
