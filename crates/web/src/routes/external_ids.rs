//! Linking our calendar to an external system of record: which Ninsaúde professional is
//! which practitioner (and optionally services).

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_store::ExternalId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalIdBody {
    /// The external system: `ninsaude`.
    pub system: String,
    /// `practitioner`, `service` or `location`.
    pub resource: String,
    /// Our id of that resource.
    pub local_id: Uuid,
    /// Its id in the external system.
    pub external_id: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExternalIdQuery {
    pub system: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExternalIdList {
    pub items: Vec<ExternalIdBody>,
}

fn unprocessable(code: &'static str, m: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, m)
}

/// Links one of our practitioners, services or locations to its id in an external system.
#[utoipa::path(put, path = "/api/v1/external-ids", tag = "calendar", security(("api_key" = [])),
    request_body = ExternalIdBody,
    responses((status = 200, body = ExternalIdBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_external_id(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<ExternalIdBody>,
) -> Result<Json<ExternalIdBody>, ApiError> {
    if body.system != "ninsaude" {
        return Err(unprocessable("invalid_request", "system must be \"ninsaude\""));
    }
    let external = body.external_id.trim();
    if external.is_empty() || external.len() > 64 {
        return Err(unprocessable("invalid_request", "external_id must be 1-64 characters"));
    }
    let store = &state.ctx.store;
    let t = who.tenant_id;
    let known = match body.resource.as_str() {
        "practitioner" => store.list_practitioners(t).await?.iter().any(|p| p.id.0 == body.local_id),
        "service" => store.list_services(t).await?.iter().any(|s| s.id.0 == body.local_id),
        "location" => store.list_locations(t).await?.iter().any(|l| l.id.0 == body.local_id),
        _ => {
            return Err(unprocessable(
                "invalid_request",
                "resource must be practitioner, service or location",
            ));
        }
    };
    if !known {
        return Err(unprocessable(
            "unknown_reference",
            format!("no {} with that id in this clinic", body.resource),
        ));
    }
    let id = ExternalId {
        system: body.system.clone(),
        resource: body.resource.clone(),
        local_id: body.local_id,
        external_id: external.to_owned(),
    };
    store.set_external_id(t, &id).await.map_err(|e| match e {
        frontdesk_store::StoreError::Conflict(_) => {
            ApiError::conflict("conflict", "that external id is already linked to another row")
        }
        other => other.into(),
    })?;
    Ok(Json(ExternalIdBody { external_id: id.external_id, ..body }))
}

#[utoipa::path(get, path = "/api/v1/external-ids", tag = "calendar", security(("api_key" = [])),
    params(ExternalIdQuery), responses((status = 200, body = ExternalIdList)))]
pub async fn list_external_ids(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<ExternalIdQuery>,
) -> Result<Json<ExternalIdList>, ApiError> {
    let items = state.ctx.store.list_external_ids(who.tenant_id, &q.system).await?;
    Ok(Json(ExternalIdList {
        items: items
            .into_iter()
            .map(|e| ExternalIdBody {
                system: e.system,
                resource: e.resource,
                local_id: e.local_id,
                external_id: e.external_id,
            })
            .collect(),
    }))
}
