//! Patients' conversations and messages, for staff.

use crate::auth::Principal;
use crate::etag::{IfMatch, Tagged, or_stale};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::contact::PhoneE164;
use frontdesk_domain::messaging::{Channel, Conversation, ConversationStatus, Message, TemplateKey};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::{ConversationId, PatientId};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::messaging::{self as engine, Content, MessagingFailure, SendRequest, webhooks};
use frontdesk_store::{ConversationFilter, Versioned};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

impl From<MessagingFailure> for ApiError {
    fn from(f: MessagingFailure) -> Self {
        let message = f.to_string();
        let unprocessable = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message.clone());
        match f {
            MessagingFailure::NotFound(what) => ApiError::not_found(what),
            MessagingFailure::OptedOut => unprocessable("opted_out"),
            MessagingFailure::WindowClosed => unprocessable("whatsapp_window_closed"),
            MessagingFailure::NoApprovedTemplate(_) => unprocessable("no_approved_template"),
            MessagingFailure::Invalid(_) => unprocessable("invalid_message"),
            MessagingFailure::Store(e) => e.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub conversation: Conversation,
    /// When the WhatsApp customer-care window closes (free-form replies allowed until then).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub window_expires_at: Option<jiff::Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub messages: Option<Vec<Message>>,
}

fn view(c: Conversation, messages: Option<Vec<Message>>) -> ConversationView {
    ConversationView { window_expires_at: c.window_expires_at(), conversation: c, messages }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConversationQuery {
    #[param(value_type = Option<String>)]
    pub status: Option<ConversationStatus>,
    #[param(value_type = Option<String>)]
    pub channel: Option<Channel>,
    pub patient_id: Option<Uuid>,
    pub assignee: Option<String>,
    /// Text that a message of the conversation contains.
    pub q: Option<String>,
    pub before: Option<Uuid>,
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<ConversationView>,
    pub next_cursor: Option<Uuid>,
}

async fn audited(
    state: &AppState,
    who: &Principal,
    action: &str,
    patient: Option<PatientId>,
) -> Result<(), ApiError> {
    let access = Access { action, resource_type: "conversation", resource_id: None, patient_id: patient };
    Ok(audit::record(&state.ctx, &who.actor(), access).await?)
}

/// Conversations, most recently active first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", security(("api_key" = [])),
    params(ConversationQuery), responses((status = 200, body = ConversationPage)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<ConversationQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    let filter = ConversationFilter {
        status: q.status,
        channel: q.channel,
        patient_id: q.patient_id.map(PatientId),
        assignee: q.assignee,
        text: q.q.filter(|t| !t.trim().is_empty()),
    };
    let page = state
        .ctx
        .store
        .list_conversations(who.tenant_id, &filter, PageRequest::new(q.before, q.limit))
        .await?;
    audited(&state, &who, "list", filter.patient_id).await?;
    Ok(Json(ConversationPage {
        items: page.items.into_iter().map(|c| view(c, None)).collect(),
        next_cursor: page.next_cursor,
    }))
}

async fn load(state: &AppState, who: &Principal, id: Uuid) -> Result<Conversation, ApiError> {
    state
        .ctx
        .store
        .get_conversation(who.tenant_id, ConversationId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// One conversation with its messages.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ConversationView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_conversation(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Tagged<Json<ConversationView>>, ApiError> {
    let Versioned { value: c, version } = load_versioned(&state, &who, id).await?;
    let messages = state.ctx.store.list_messages(who.tenant_id, c.id).await?;
    audited(&state, &who, "read", Some(c.patient_id)).await?;
    Ok(Tagged(version, Json(view(c, Some(messages)))))
}

async fn load_versioned(
    state: &AppState,
    who: &Principal,
    id: Uuid,
) -> Result<Versioned<Conversation>, ApiError> {
    state
        .ctx
        .store
        .get_conversation_versioned(who.tenant_id, ConversationId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationPatch {
    #[schema(value_type = Option<String>)]
    pub status: Option<ConversationStatus>,
    /// Staff member handling it; `""` unassigns.
    pub assignee: Option<String>,
    /// Set false to release it back to the automated dialogue.
    pub needs_staff: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "conversations", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = ConversationPatch, responses((status = 200, body = ConversationView)))]
pub async fn update_conversation(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<ConversationPatch>,
) -> Result<Tagged<Json<ConversationView>>, ApiError> {
    let Versioned { value: mut c, version } = load_versioned(&state, &who, id).await?;
    if_match.check(version)?;
    if let Some(s) = patch.status {
        c.status = s;
    }
    if let Some(a) = patch.assignee {
        c.assignee = Some(a.trim().to_owned()).filter(|a| !a.is_empty());
    }
    if let Some(n) = patch.needs_staff {
        c.set_needs_staff(n, state.ctx.clock.now());
        // Released to the assistant: the emergency, if any, has been dealt with.
        c.urgent &= n;
    }
    let saved = state.ctx.store.save_conversation_if(&c, if_match.expected(version)).await;
    let store = &state.ctx.store;
    let version = or_stale(saved, || async {
        Ok(store.get_conversation_versioned(who.tenant_id, c.id).await?.map(|v| v.version))
    })
    .await?;
    audited(&state, &who, "update", Some(c.patient_id)).await?;
    Ok(Tagged(version, Json(view(c, None))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    pub body: String,
}

/// A staff reply in the conversation (free text: allowed within the WhatsApp window).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = ReplyBody,
    responses((status = 202, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let c = load(&state, &who, id).await?;
    let request = SendRequest {
        tenant_id: who.tenant_id,
        patient_id: c.patient_id,
        channel: c.channel,
        content: Content::Text(body.body),
        automated: false,
        by: frontdesk_domain::messaging::Sender::Staff,
        campaign: None,
    };
    let message = engine::send(&state.ctx, request).await?;
    audited(&state, &who, "send", Some(c.patient_id)).await?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    pub patient_id: Option<Uuid>,
    /// Instead of `patient_id`: the patient's phone (must be a known patient).
    pub phone: Option<String>,
    #[schema(value_type = String, example = "whatsapp")]
    pub channel: Channel,
    /// Free text...
    pub body: Option<String>,
    /// ...or one of the templates (`appointment_reminder`, `booking_offer`...) with its variables.
    pub template: Option<String>,
    #[serde(default)]
    pub variables: serde_json::Value,
}

/// Sends to a patient by id or phone: text, or a template with variables.
#[utoipa::path(post, path = "/api/v1/messages", tag = "conversations", security(("api_key" = [])),
    request_body = SendBody, responses((status = 202, body = Object),
        (status = 404, description = "no such patient in the clinic", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<SendBody>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let bad = |m: &str| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_message", m.to_owned());
    let patient_id = match (b.patient_id, b.phone.as_deref()) {
        (Some(id), None) => PatientId(id),
        (None, Some(raw)) => {
            let region = state.ctx.store.tenant_settings(who.tenant_id).await?.default_region;
            let phone = PhoneE164::parse(raw, &region).map_err(|e| bad(&e.to_string()))?;
            state
                .ctx
                .store
                .patient_by_phone(who.tenant_id, &phone)
                .await?
                .ok_or_else(|| ApiError::not_found("patient"))?
                .id
        }
        _ => return Err(bad("give exactly one of patient_id or phone")),
    };
    let content = match (b.body, b.template) {
        (Some(text), None) => Content::Text(text),
        (None, Some(name)) => {
            let key = TemplateKey::ALL
                .iter()
                .copied()
                .find(|k| k.as_str() == name)
                .ok_or_else(|| bad("unknown template"))?;
            Content::Template { key, variables: b.variables }
        }
        _ => return Err(bad("give exactly one of body or template")),
    };
    let request = SendRequest {
        tenant_id: who.tenant_id,
        patient_id,
        channel: b.channel,
        content,
        automated: false,
        by: frontdesk_domain::messaging::Sender::Staff,
        campaign: None,
    };
    let message = engine::send(&state.ctx, request).await?;
    audited(&state, &who, "send", Some(patient_id)).await?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxInbound {
    pub from: String,
    pub body: String,
    #[serde(default = "whatsapp")]
    #[schema(value_type = String, example = "whatsapp")]
    pub channel: Channel,
}

fn whatsapp() -> Channel {
    Channel::Whatsapp
}

/// Plays the patient: the message goes through the same path as a provider's webhook.
#[utoipa::path(post, path = "/api/v1/sandbox/inbound", tag = "sandbox", security(("api_key" = [])),
    request_body = SandboxInbound, responses((status = 202), (status = 422, body = crate::error::ErrorBody)))]
pub async fn sandbox_inbound(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<SandboxInbound>,
) -> Result<StatusCode, ApiError> {
    webhooks::sandbox_inbound(&state.ctx, who.tenant_id, &b.from, &b.body, b.channel).await?;
    Ok(StatusCode::ACCEPTED)
}

/// The most conversations `turned-negative` lists.
const TURNED_NEGATIVE_LIMIT: u32 = 100;

#[derive(Serialize, ToSchema)]
pub struct TurnedNegative {
    /// The latest turn first, at most 100; each conversation as `GET /api/v1/conversations`
    /// shows it (its `sentiment` and `turned_negative_at` among the fields).
    pub items: Vec<ConversationView>,
}

/// Conversations whose patient's tone turned negative (from a positive or neutral
/// message) on a day of the period: the ones someone should read. The tone of each
/// message is in the sentiment metrics (`GET /api/v1/metrics/sentiment`).
#[utoipa::path(get, path = "/api/v1/conversations/turned-negative", tag = "conversations",
    security(("api_key" = [])), params(crate::routes::analytics::PeriodQuery),
    responses((status = 200, body = TurnedNegative), (status = 400, body = crate::error::ErrorBody)))]
pub async fn turned_negative(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<crate::routes::analytics::PeriodQuery>,
) -> Result<Json<TurnedNegative>, ApiError> {
    let period = crate::routes::analytics::period(&state, &who, &q).await?;
    let items = state
        .ctx
        .store
        .conversations_turned_negative(who.tenant_id, period.start, period.end, TURNED_NEGATIVE_LIMIT)
        .await?;
    audited(&state, &who, "list", None).await?;
    Ok(Json(TurnedNegative { items: items.into_iter().map(|c| view(c, None)).collect() }))
}
