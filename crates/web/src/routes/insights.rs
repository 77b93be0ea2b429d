//! Read-outs for staff and analytics: no-show counts, and what the sandbox notifier
//! "sent".

use crate::auth::Principal;
use crate::extract::ApiQuery;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_domain::PatientId;
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::{NoShowCounts, NotificationRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// No-shows per patient and per practitioner, highest first.
#[utoipa::path(get, path = "/api/v1/no-shows", tag = "scheduling", security(("api_key" = [])),
    responses((status = 200, body = Object)))]
pub async fn no_show_counts(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<NoShowCounts>, ApiError> {
    Ok(Json(state.ctx.store.no_show_counts(who.tenant_id).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    pub patient_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<NotificationRecord>,
}

/// Notifications recorded by the sandbox notifier (newest first, at most 500).
#[utoipa::path(get, path = "/api/v1/sandbox/notifications", tag = "sandbox", security(("api_key" = [])),
    params(NotificationQuery), responses((status = 200, body = NotificationList)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> Result<Json<NotificationList>, ApiError> {
    let patient = q.patient_id.map(PatientId);
    let items = state.ctx.store.list_notifications(who.tenant_id, patient).await?;
    let access =
        Access { action: "list", resource_type: "notification", resource_id: None, patient_id: patient };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(Json(NotificationList { items }))
}
