//! Leads from a CSV file, in the app: the upload (a size limit with a clear message), then a
//! page whose progress bar follows the durable import job (htmx polls a small fragment
//! until it is done) and ends with the report: imported, duplicates merged into an
//! existing lead, and rows left out with their line and reason. The import itself is the
//! engine's, the same as `POST /api/v1/leads/import` and `frontdesk leads import`.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{internal, problem_page, render};
use super::session::{Staff, same_origin};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::leads::{ImportStatus, LeadImport};
use frontdesk_domain::staff::Permission;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::leads::{ImportSummary, LeadFailure, start_import};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "lead_import.html")]
struct UploadPage {
    t: &'static Texts,
    chrome: Chrome,
    problem: Option<String>,
    max_kb: usize,
}

/// The progress bar and, once done, the report.
pub struct Progress {
    id: String,
    percent: u64,
    done: u64,
    rows: u64,
    finished: bool,
    failed: Option<String>,
    summary: Option<ImportSummary>,
}

impl Progress {
    fn of(import: &LeadImport) -> Self {
        Self {
            id: import.id.to_string(),
            percent: import.percent(),
            done: import.done,
            rows: import.rows,
            finished: import.status.finished(),
            failed: (import.status == ImportStatus::Failed).then(|| import.error.clone().unwrap_or_default()),
            summary: import.summary.clone().and_then(|s| serde_json::from_value(s).ok()),
        }
    }
}

#[derive(Template)]
#[template(path = "lead_import_run.html")]
struct RunPage {
    t: &'static Texts,
    chrome: Chrome,
    p: Progress,
}

#[derive(Template)]
#[template(path = "lead_import_progress.html")]
struct ProgressFragment {
    t: &'static Texts,
    p: Progress,
}

async fn upload_page(
    state: &AppState,
    staff: &Staff,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let chrome = match Chrome::new(state, staff, "leads").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let max_kb = state.config.body_limit_bytes / 1024;
    render(&UploadPage { t: staff.texts(), chrome, problem, max_kb }, status)
}

pub async fn form(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(refused) = staff.require(Permission::Work) {
        return refused;
    }
    upload_page(&state, &staff, None, StatusCode::OK).await
}

pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    let t = staff.texts();
    let max_kb = state.config.body_limit_bytes / 1024;
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let problem = format!("{} {max_kb} KB.", t.import_too_large);
            return upload_page(&state, &staff, Some(problem), StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Err(_) => {
            return upload_page(&state, &staff, Some(t.import_no_file.into()), StatusCode::BAD_REQUEST).await;
        }
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let parts = multipart::parts(content_type, &body).unwrap_or_default();
    let field = |name: &str| parts.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice());
    let csrf = field("csrf").and_then(|v| std::str::from_utf8(v).ok()).unwrap_or("");
    if let Err(refused) = staff.check_csrf(csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let file = match field("file") {
        Some(f) if !f.iter().all(u8::is_ascii_whitespace) => f,
        _ => {
            return upload_page(
                &state,
                &staff,
                Some(t.import_no_file.into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let Ok(csv) = String::from_utf8(file.to_vec()) else {
        return upload_page(&state, &staff, Some(t.import_not_utf8.into()), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    };
    let by = format!("user:{}", staff.user.id);
    let import = match start_import(&state.ctx, staff.tenant.id, &by, csv).await {
        Ok(import) => import,
        Err(LeadFailure::Invalid(reason)) => {
            let problem = format!("{} {reason}", t.import_refused);
            return upload_page(&state, &staff, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return internal(staff.locale(), &e),
    };
    let id = import.id.to_string();
    let access = Access { action: "import", resource_type: "lead", resource_id: Some(&id), patient_id: None };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    // Post/redirect/get: a reload shows the run, it does not upload again.
    Redirect::to(&format!("/app/leads/import/{id}")).into_response()
}

async fn find(state: &AppState, staff: &Staff, id: &str) -> Result<LeadImport, Response> {
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    match state.ctx.store.get_lead_import(staff.tenant.id, id).await {
        Ok(Some(import)) => Ok(import),
        Ok(None) => Err(not_found()),
        Err(e) => Err(internal(staff.locale(), &e)),
    }
}

pub async fn run(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let import = match find(&state, &staff, &id).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let chrome = match Chrome::new(&state, &staff, "leads").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&RunPage { t: staff.texts(), chrome, p: Progress::of(&import) }, StatusCode::OK)
}

pub async fn progress(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    match find(&state, &staff, &id).await {
        Ok(import) => {
            render(&ProgressFragment { t: staff.texts(), p: Progress::of(&import) }, StatusCode::OK)
        }
        Err(r) => r,
    }
}

/// Just enough of `multipart/form-data` (RFC 7578) for one small form: named parts and
/// their bytes. Anything malformed is `None`, answered as "no file".
mod multipart {
    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    fn boundary(content_type: &str) -> Option<String> {
        let (essence, params) = content_type.split_once(';')?;
        if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
            return None;
        }
        params.split(';').find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_owned())
        })
    }

    fn part_name(headers: &str) -> Option<String> {
        let disposition =
            headers.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let at = disposition.find(" name=\"").or_else(|| disposition.find(";name=\""))? + 7;
        let rest = &disposition[at..];
        Some(rest[..rest.find('"')?].to_owned())
    }

    pub fn parts(content_type: &str, body: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
        let delimiter = format!("--{}", boundary(content_type)?);
        let next_delimiter = format!("\r\n{delimiter}");
        let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
        let mut parts = Vec::new();
        while !rest.starts_with(b"--") {
            rest = rest.strip_prefix(b"\r\n")?;
            let headers_end = find(rest, b"\r\n\r\n")?;
            let name = part_name(std::str::from_utf8(&rest[..headers_end]).ok()?)?;
            let content = &rest[headers_end + 4..];
            let end = find(content, next_delimiter.as_bytes())?;
            parts.push((name, content[..end].to_vec()));
            rest = &content[end + next_delimiter.len()..];
        }
        Some(parts)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn reads_named_parts_and_refuses_garbage() {
            let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n\
                        --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"l.csv\"\r\n\
                        Content-Type: text/csv\r\n\r\nname,phone\r\nAna,1199\r\n\r\n--XyZ--\r\n";
            let parts = super::parts("multipart/form-data; boundary=XyZ", body.as_bytes()).unwrap();
            assert_eq!(parts[0], ("csrf".to_owned(), b"abc".to_vec()));
            assert_eq!(parts[1], ("file".to_owned(), b"name,phone\r\nAna,1199\r\n".to_vec()));
            assert!(super::parts("multipart/form-data; boundary=\"XyZ\"", body.as_bytes()).is_some());
            assert!(super::parts("text/csv", body.as_bytes()).is_none());
            assert!(super::parts("multipart/form-data; boundary=XyZ", b"--XyZ\r\nno headers").is_none());
        }
    }
}
