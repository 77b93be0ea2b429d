//! The inbox: conversations with filters, a thread with delivery state and voice-note
//! transcripts, the reply box, and taking over from or handing back to the assistant.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{day_time, internal, problem_page, render};
use super::session::{Staff, same_origin};
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::ConversationId;
use frontdesk_domain::messaging::{Conversation, Direction};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::staff::Permission;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::messaging::{self as engine, Content, MessagingFailure, SendRequest};
use frontdesk_store::ConversationFilter;
use serde::Deserialize;
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub patient: String,
    pub channel: &'static str,
    pub when: String,
    pub needs_staff: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: &'static Texts,
    chrome: Chrome,
    filter: &'static str,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    show: Option<String>,
}

pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<InboxQuery>) -> Response {
    let me = staff.user.id.to_string();
    let (filter, which) = match q.show.as_deref() {
        Some("needs_staff") => (ConversationFilter::default(), "needs_staff"),
        Some("unassigned") => (ConversationFilter::default(), "unassigned"),
        Some("mine") => (ConversationFilter { assignee: Some(me.clone()), ..Default::default() }, "mine"),
        _ => (ConversationFilter::default(), "all"),
    };
    let tz = staff.tenant.timezone.time_zone();
    let page = PageRequest::new(None, Some(100));
    let conversations = match state.ctx.store.list_conversations(staff.tenant.id, &filter, page).await {
        Ok(p) => p.items,
        Err(e) => return internal(staff.locale(), &e),
    };
    let mut rows = Vec::new();
    for c in conversations {
        let keep = match which {
            "needs_staff" => c.needs_staff,
            "unassigned" => c.assignee.is_none(),
            _ => true,
        };
        if !keep {
            continue;
        }
        let patient = match patient_name(&state, &staff, c.patient_id).await {
            Ok(name) => name,
            Err(e) => return internal(staff.locale(), &e),
        };
        rows.push(Row {
            id: c.id.to_string(),
            patient,
            channel: c.channel.as_str(),
            when: c.last_message_at.map(|t| day_time(t, &tz)).unwrap_or_default(),
            needs_staff: c.needs_staff,
        });
    }
    let chrome = match Chrome::new(&state, &staff, "inbox").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&InboxPage { t: staff.texts(), chrome, filter: which, rows }, StatusCode::OK)
}

pub struct MessageRow {
    pub outbound: bool,
    pub body: Option<String>,
    pub voice: bool,
    pub transcript: Option<String>,
    pub when: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    t: &'static Texts,
    chrome: Chrome,
    id: String,
    patient: String,
    channel: &'static str,
    needs_staff: bool,
    can_work: bool,
    messages: Vec<MessageRow>,
    /// Why no free text can be sent now (the WhatsApp window closed).
    blocked: Option<&'static str>,
    problem: Option<&'static str>,
}

async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Conversation, Response> {
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    match state.ctx.store.get_conversation(staff.tenant.id, ConversationId(id)).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(not_found()),
        Err(e) => Err(internal(staff.locale(), &e)),
    }
}

async fn thread_page(
    state: &AppState,
    staff: &Staff,
    c: &Conversation,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let t = staff.texts();
    let tz = staff.tenant.timezone.time_zone();
    let messages = match state.ctx.store.list_messages(staff.tenant.id, c.id).await {
        Ok(m) => m,
        Err(e) => return internal(staff.locale(), &e),
    };
    let access = Access {
        action: "read",
        resource_type: "conversation",
        resource_id: None,
        patient_id: Some(c.patient_id),
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    let patient = match patient_name(state, staff, c.patient_id).await {
        Ok(name) => name,
        Err(e) => return internal(staff.locale(), &e),
    };
    let rows = messages
        .iter()
        .map(|m| MessageRow {
            outbound: m.direction == Direction::Outbound,
            body: m.body.as_ref().map(|b| b.as_str().to_owned()).filter(|b| !b.trim().is_empty()),
            voice: m.media.iter().any(|media| media.is_audio()),
            transcript: m.transcript.as_ref().map(|tr| tr.as_str().to_owned()),
            when: day_time(m.created_at, &tz),
            status: t.message_status(m.status),
        })
        .collect();
    let chrome = match Chrome::new(state, staff, "inbox").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let blocked = (!c.window_open(state.ctx.clock.now())).then_some(t.window_closed);
    let page = ThreadPage {
        t,
        chrome,
        id: c.id.to_string(),
        patient,
        channel: c.channel.as_str(),
        needs_staff: c.needs_staff,
        can_work: staff.may(Permission::Work),
        messages: rows,
        blocked,
        problem,
    };
    render(&page, status)
}

pub async fn thread(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    match load(&state, &staff, &id).await {
        Ok(c) => thread_page(&state, &staff, &c, None, StatusCode::OK).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// Checks that a form may change something: same origin, this session's CSRF token, a
/// role that works.
fn may_post(staff: &Staff, headers: &HeaderMap, csrf: &str) -> Result<(), Response> {
    if !same_origin(headers) {
        return Err(problem_page(staff.locale(), StatusCode::FORBIDDEN));
    }
    staff.check_csrf(csrf)?;
    staff.require(Permission::Work)
}

pub async fn reply(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> Response {
    if let Err(refused) = may_post(&staff, &headers, &form.csrf) {
        return refused;
    }
    let c = match load(&state, &staff, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let text = form.body.trim();
    if text.is_empty() {
        return thread_page(&state, &staff, &c, Some(t.message_empty), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let request = SendRequest {
        tenant_id: staff.tenant.id,
        patient_id: c.patient_id,
        channel: c.channel,
        content: Content::Text(text.to_owned()),
        automated: false,
    };
    let problem = match engine::send(&state.ctx, request).await {
        Ok(_) => None,
        Err(MessagingFailure::WindowClosed | MessagingFailure::NoApprovedTemplate(_)) => {
            Some(t.window_closed)
        }
        Err(MessagingFailure::OptedOut) => Some(t.opted_out),
        Err(MessagingFailure::Invalid(_)) => Some(t.message_empty),
        Err(MessagingFailure::NotFound(_)) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(MessagingFailure::Store(e)) => return internal(staff.locale(), &e),
    };
    if let Some(problem) = problem {
        return thread_page(&state, &staff, &c, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let access = Access {
        action: "send",
        resource_type: "conversation",
        resource_id: None,
        patient_id: Some(c.patient_id),
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    // Post/redirect/get: a reload does not send the reply twice.
    Redirect::to(&format!("/app/inbox/{}", c.id)).into_response()
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `assign`: the conversation is mine and the assistant stays quiet; `release`: it goes
/// back to the assistant.
pub async fn take_or_release(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, what)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let mine = match what.as_str() {
        "assign" => Some(staff.user.id.to_string()),
        "release" => None,
        _ => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
    };
    change(&state, &staff, &headers, &id, &form.csrf, move |c| {
        c.needs_staff = mine.is_some();
        c.assignee = mine;
    })
    .await
}

async fn change(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    id: &str,
    csrf: &str,
    edit: impl FnOnce(&mut Conversation),
) -> Response {
    if let Err(refused) = may_post(staff, headers, csrf) {
        return refused;
    }
    let mut c = match load(state, staff, id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    edit(&mut c);
    if let Err(e) = state.ctx.store.save_conversation(&c).await {
        return internal(staff.locale(), &e);
    }
    let access = Access {
        action: "update",
        resource_type: "conversation",
        resource_id: None,
        patient_id: Some(c.patient_id),
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/inbox/{}", c.id)).into_response()
}
