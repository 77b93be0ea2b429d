//! E-mail: the inbound webhooks (Mailgun routes, SendGrid Inbound Parse) and the list of
//! e-mails from addresses on no patient's record, kept for staff.

use crate::auth::Principal;
use crate::extract::ApiBytes;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::messaging::email;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The fields of a form post, urlencoded or multipart (files are read as text: an
/// attachment's bytes are not kept, only the message's fields).
async fn form_fields(
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> Result<Vec<(String, String)>, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|_| ApiError::bad_request("invalid_payload", "the multipart body has no boundary"))?;
        let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut parts = multer::Multipart::new(stream, boundary);
        let mut fields = Vec::new();
        loop {
            let part = parts.next_field().await.map_err(|e| {
                ApiError::bad_request("invalid_payload", format!("the multipart body is malformed: {e}"))
            })?;
            let Some(part) = part else { break };
            let name = part.name().unwrap_or_default().to_owned();
            if part.file_name().is_some() {
                continue;
            }
            let bytes = part.bytes().await.map_err(|e| {
                ApiError::bad_request("invalid_payload", format!("the multipart body is malformed: {e}"))
            })?;
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
        Ok(fields)
    } else {
        Ok(form_urlencoded::parse(&body).into_owned().collect())
    }
}

/// Mailgun route post: checked against the tenant's webhook signing key, stored once.
#[utoipa::path(post, path = "/webhooks/email/{tenant}/mailgun", tag = "webhooks", params(("tenant" = String, Path)),
    request_body(content = Object, content_type = "application/x-www-form-urlencoded",
        description = "Mailgun's route fields: timestamp, token, signature, from, subject, body-plain, message-headers..."),
    responses((status = 200, description = "Stored"), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn mailgun(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<StatusCode, ApiError> {
    let fields = form_fields(&headers, body).await?;
    email::mailgun_webhook(&state.ctx, &tenant, &fields).await?;
    Ok(StatusCode::OK)
}

#[derive(Deserialize, IntoParams)]
pub struct InboundToken {
    /// The tenant's `email.inbound_token`.
    token: Option<String>,
}

/// SendGrid Inbound Parse post (raw MIME or parsed fields), authenticated by `?token=`.
#[utoipa::path(post, path = "/webhooks/email/{tenant}/sendgrid", tag = "webhooks",
    params(("tenant" = String, Path), InboundToken),
    request_body(content = Object, content_type = "multipart/form-data",
        description = "SendGrid's fields: email (raw MIME), or headers, text, html, from, subject"),
    responses((status = 200, description = "Stored"), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn sendgrid(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(q): Query<InboundToken>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<StatusCode, ApiError> {
    let fields = form_fields(&headers, body).await?;
    email::sendgrid_webhook(&state.ctx, &tenant, q.token.as_deref(), &fields).await?;
    Ok(StatusCode::OK)
}

/// An e-mail from an address on no patient's record.
#[derive(Serialize, ToSchema)]
pub struct UnmatchedEmail {
    pub message_id: String,
    pub received_at: String,
    pub from: String,
    pub name: Option<String>,
    pub subject: Option<String>,
    /// The reply's text, without quoted history.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnmatchedList {
    pub items: Vec<UnmatchedEmail>,
}

/// E-mails nobody on file sent (newest first, the latest 100): for staff to answer or to
/// add the sender to a patient's record.
#[utoipa::path(get, path = "/api/v1/email/unmatched", tag = "conversations",
    responses((status = 200, body = UnmatchedList)), security(("api_key" = [])))]
pub async fn unmatched(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<UnmatchedList>, ApiError> {
    let kept = email::unmatched(&state.ctx, who.tenant_id, 100).await?;
    let access =
        Access { action: "list", resource_type: "unmatched_email", resource_id: None, patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    let items = kept
        .into_iter()
        .map(|(at, m)| UnmatchedEmail {
            received_at: at.to_string(),
            subject: m.extra["subject"].as_str().map(str::to_owned),
            message_id: m.provider_message_id,
            from: m.from,
            name: m.profile_name,
            text: m.body,
        })
        .collect();
    Ok(Json(UnmatchedList { items }))
}

#[derive(Deserialize, IntoParams)]
pub struct PushToken {
    /// The tenant's `email.gmail.push_token`, when pushes are authenticated by URL.
    token: Option<String>,
}

/// Gmail push (Pub/Sub): authenticated by `?token=` or Google's signed bearer token, stored
/// once per Pub/Sub message, acknowledged at once; a job then reads the mailbox.
#[utoipa::path(post, path = "/webhooks/gmail/{tenant}", tag = "webhooks",
    params(("tenant" = String, Path), PushToken),
    request_body(content = Object, description = "Pub/Sub push: {message: {data, messageId}, subscription}"),
    responses((status = 204, description = "Acknowledged"), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn gmail_push(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(q): Query<PushToken>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<StatusCode, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    frontdesk_engine::messaging::gmail::push(&state.ctx, &tenant, q.token.as_deref(), bearer, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
