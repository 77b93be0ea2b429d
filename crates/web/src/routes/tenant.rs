use crate::auth::Principal;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use serde::Serialize;
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

/// The tenant the API key belongs to.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant", security(("api_key" = [])),
    responses((status = 200, body = TenantView), (status = 401, body = crate::error::ErrorBody)))]
pub async fn current_tenant(State(state): State<AppState>, who: Principal) -> Result<Json<TenantView>, ApiError> {
    let tenant = state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok(Json(TenantView {
        id: tenant.id.0,
        slug: tenant.slug.to_string(),
        name: tenant.name,
        timezone: tenant.timezone.as_str().to_owned(),
        locale: tenant.locale.as_str().to_owned(),
    }))
}
