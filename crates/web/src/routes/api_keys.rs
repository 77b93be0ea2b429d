//! A tenant's own API keys: issue, list, revoke.

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::api_key_scope::{ApiKeyScope, ScopeSet};
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
    /// What the key may do: `full`, `read_only`, `webhooks`, `assistant`.
    #[schema(value_type = Vec<String>, example = json!(["full"]))]
    pub scopes: Vec<String>,
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
            scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
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
    /// What the key may do (default `["full"]`): `full`; `read_only` (GET and HEAD);
    /// `webhooks` (`POST /api/v1/leads`, for CRM and ad-form integrations); `assistant`
    /// (`/api/v1/voice/tools/*`). A request outside them answers 403 `insufficient_scope`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, example = json!(["read_only"]))]
    pub scopes: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyView>,
}

/// Issues a new API key for the caller's tenant.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", security(("api_key" = [])), request_body = CreateApiKey,
    responses((status = 201, body = NewApiKeyView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody, description = "only a `full` key may issue keys (`insufficient_scope`)"),
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
    let scopes = parse_scopes(body.scopes.as_deref())?;
    let (record, secret) = access::issue_scoped_api_key(&state.ctx, who.tenant_id, name, scopes).await?;
    let id = record.id.to_string();
    audit::record(
        &state.ctx,
        &who.actor(),
        Access { action: "create", resource_type: "api_key", resource_id: Some(&id), patient_id: None },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(NewApiKeyView { key: record.into(), secret: secret.expose().to_owned() })))
}

/// The scopes a client asked for; none given means `full`, an empty list is refused.
fn parse_scopes(raw: Option<&[String]>) -> Result<ScopeSet, ApiError> {
    let invalid =
        |message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_scopes", message);
    let Some(raw) = raw else { return Ok(ScopeSet::full()) };
    let scopes = raw.iter().map(|s| ApiKeyScope::parse(s)).collect::<Result<Vec<_>, _>>();
    let scopes = scopes.map_err(|e| invalid(e.to_string()))?;
    ScopeSet::new(scopes).ok_or_else(|| invalid("scopes must name at least one scope".into()))
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
