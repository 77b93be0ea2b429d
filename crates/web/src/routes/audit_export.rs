//! The audit trail as CSV, streamed page by page (a clinic's trail runs to millions of
//! rows), safe to open in a spreadsheet.

use super::audit::AuditQuery;
use crate::auth::Principal;
use crate::extract::ApiQuery;
use crate::{ApiError, AppState};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::TenantId;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::data_rights::AuditFilter;
use frontdesk_domain::page::{MAX_LIMIT, PageRequest};
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::DynStore;
use uuid::Uuid;

const HEADER: [&str; 8] =
    ["at", "actor", "action", "resource_type", "resource_id", "patient_id", "request_id", "id"];

/// A cell a spreadsheet will not run (CSV injection): see `frontdesk_reports::csv_safe_text`.
pub use frontdesk_reports::csv_safe_text as safe_cell;

fn row(e: &AuditEntry) -> [String; 8] {
    [
        e.at.to_string(),
        e.actor.clone(),
        e.action.clone(),
        e.resource_type.clone(),
        e.resource_id.clone().unwrap_or_default(),
        e.patient_id.map(|p| p.to_string()).unwrap_or_default(),
        e.request_id.clone().unwrap_or_default(),
        e.id.to_string(),
    ]
}

fn encode(rows: impl IntoIterator<Item = [String; 8]>, header: bool) -> std::io::Result<Bytes> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(HEADER)?;
    }
    for r in rows {
        w.write_record(r.iter().map(|c| safe_cell(c)))?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| e.into_error())
}

struct Cursor {
    store: DynStore,
    tenant: TenantId,
    filter: AuditFilter,
    before: Option<Uuid>,
    first: bool,
    done: bool,
}

/// The next chunk of CSV: the header with the first page, then one page per chunk.
async fn next_chunk(mut c: Cursor) -> Option<(std::io::Result<Bytes>, Cursor)> {
    if c.done {
        return None;
    }
    let page =
        match c.store.search_audit(c.tenant, &c.filter, PageRequest::new(c.before, Some(MAX_LIMIT))).await {
            Ok(p) => p,
            Err(e) => {
                // The status line is gone: cutting the stream short is how the client learns.
                tracing::error!(error = %e, "audit export failed");
                c.done = true;
                return Some((Err(std::io::Error::other("audit export failed")), c));
            }
        };
    let chunk = encode(page.items.iter().map(row), c.first);
    c.first = false;
    c.before = page.next_cursor;
    c.done = page.next_cursor.is_none();
    Some((chunk, c))
}

/// The entries matching the same filters as `GET /api/v1/audit` (paging parameters are
/// ignored: all of them), newest first, as CSV. The export itself is audited.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit", params(AuditQuery), security(("api_key" = [])),
    responses((status = 200, description = "CSV, newest first", content_type = "text/csv", body = String),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn export_audit(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let filter = q.filter()?;
    let access = Access { action: "export", resource_type: "audit_log", resource_id: None, patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(csv_response(state.ctx.store.clone(), who.tenant_id, filter))
}

/// The streamed CSV response (also served to owners and admins by the staff app).
pub fn csv_response(store: DynStore, tenant: TenantId, filter: AuditFilter) -> Response {
    let cursor = Cursor { store, tenant, filter, before: None, first: true, done: false };
    let body = Body::from_stream(futures::stream::unfold(cursor, next_chunk));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"audit.csv\""));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
