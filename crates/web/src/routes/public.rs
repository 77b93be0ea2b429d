//! What a patient opens from a message, without an account: an appointment's calendar
//! file behind a signed link. Any failure (unknown clinic, appointment or token, links not
//! configured) is the same 404, so the link reveals nothing.

use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use frontdesk_domain::AppointmentId;
use frontdesk_engine::links::LinkPurpose;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct LinkQuery {
    pub token: String,
}

/// An appointment's iCalendar file, from the link in the patient's confirmation.
#[utoipa::path(get, path = "/public/{tenant}/appointments/{file}", tag = "public",
    params(("tenant" = String, Path), ("file" = String, Path, description = "`{appointment id}.ics`"), LinkQuery),
    responses((status = 200, description = "text/calendar"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn appointment_calendar(
    State(state): State<AppState>,
    Path((tenant, file)): Path<(String, String)>,
    Query(q): Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found("appointment");
    let signer = state.ctx.links.as_ref().ok_or_else(not_found)?;
    let id: AppointmentId = file.strip_suffix(".ics").and_then(|id| id.parse().ok()).ok_or_else(not_found)?;
    let tenant = state.ctx.store.tenant_by_slug(&tenant).await?.ok_or_else(not_found)?;
    if !signer.verify(LinkPurpose::Calendar, tenant.id, id, &q.token) {
        return Err(not_found());
    }
    let a = state.ctx.store.get_appointment(tenant.id, id).await?.ok_or_else(not_found)?;
    let body = frontdesk_engine::scheduling::calendar_file(&state.ctx, tenant.id, &a).await?;
    Ok(super::appointments::calendar_response(a.id, body))
}
