use crate::auth::Principal;
use crate::extract::ApiQuery;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_domain::PatientId;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::data_rights::AuditFilter;
use frontdesk_domain::page::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: Uuid,
    /// `api_key:<prefix>`, `user:<id>` or `system:<component>`.
    pub actor: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<Uuid>,
    pub request_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id.0,
            actor: e.actor,
            action: e.action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            patient_id: e.patient_id.map(|p| p.0),
            request_id: e.request_id,
            at: e.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Cursor from a previous page.
    pub before: Option<Uuid>,
    /// Page size, 1-500 (default 50).
    pub limit: Option<u32>,
    /// Exact actor (`api_key:<prefix>`, `user:<id>`, `system:<component>`).
    pub actor: Option<String>,
    /// Exact action (`read`, `search`, `create`, `update`, `export`, `erase`...).
    pub action: Option<String>,
    /// The patient the entry is about (the subject).
    pub patient_id: Option<Uuid>,
    /// Exact resource type (`patient`, `appointment`, `lead`...).
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Entries at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<jiff::Timestamp>,
    /// Entries before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<jiff::Timestamp>,
}

impl AuditQuery {
    /// Which entries: every given criterion must hold.
    pub fn filter(&self) -> Result<AuditFilter, ApiError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            return Err(ApiError::bad_request("invalid_period", "from must be before to"));
        }
        let text =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(AuditFilter {
            actor: text(&self.actor),
            action: text(&self.action),
            patient_id: self.patient_id.map(PatientId),
            resource_type: text(&self.resource_type),
            resource_id: text(&self.resource_id),
            from: self.from,
            to: self.to,
        })
    }
}

/// Who read or changed what, newest first; filtered by actor, action, subject and period.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("api_key" = [])),
    responses((status = 200, body = AuditPage), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let filter = q.filter()?;
    let page =
        state.ctx.store.search_audit(who.tenant_id, &filter, PageRequest::new(q.before, q.limit)).await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
