//! A tenant's own API keys: issue, list, revoke.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_engine::access;
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::ApiKeyRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    /// The public part of the key (`fdk_<prefix>_…`), used to revoke it.
    pub prefix: String,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<jiff::Timestamp>,
}

impl From<ApiKeyRecord> for ApiKeyView {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            id: k.id.0,
            prefix: k.prefix,
            name: k.name,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NewApiKeyView {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The whole key. Shown only in this response; store it now.
    pub secret: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// A label to recognise the key by (1-100 characters).
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyView>,
}

/// Issues a new API key for the caller's tenant.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", security(("api_key" = [])), request_body = CreateApiKey,
    responses((status = 201, body = NewApiKeyView), (status = 400, body = crate::error::ErrorBody),
              (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_api_key(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<CreateApiKey>,
) -> Result<(StatusCode, Json<NewApiKeyView>), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "name must be 1-100 characters",
        ));
    }
    let (record, secret) = access::issue_api_key(&state.ctx, who.tenant_id, name).await?;
    let id = record.id.to_string();
    audit::record(
        &state.ctx,
        &who.actor(),
        Access { action: "create", resource_type: "api_key", resource_id: Some(&id), patient_id: None },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(NewApiKeyView { key: record.into(), secret: secret.expose().to_owned() })))
}

/// The tenant's keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", security(("api_key" = [])),
    responses((status = 200, body = ApiKeyList)))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ApiKeyList>, ApiError> {
    let keys = state.ctx.store.list_api_keys(who.tenant_id).await?;
    Ok(Json(ApiKeyList { items: keys.into_iter().map(ApiKeyView::from).collect() }))
}

/// Revokes one of the tenant's keys; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{prefix}", tag = "api-keys", security(("api_key" = [])),
    params(("prefix" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(prefix): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let now = state.ctx.clock.now();
    state.ctx.store.revoke_api_key(who.tenant_id, &prefix, now).await.map_err(|e| match e {
        frontdesk_store::StoreError::NotFound => ApiError::not_found("API key"),
        other => other.into(),
    })?;
    audit::record(
        &state.ctx,
        &who.actor(),
        Access { action: "revoke", resource_type: "api_key", resource_id: Some(&prefix), patient_id: None },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
