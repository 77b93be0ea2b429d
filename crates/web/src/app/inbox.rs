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
use frontdesk_domain::messaging::{
    Channel, Conversation, Direction, ProviderKind, TemplateKey, render as render_template,
};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::staff::Permission;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::messaging::{self as engine, Content, MessagingFailure, SendRequest};
use frontdesk_store::{AppointmentFilter, ConversationFilter, LeadFilter};
use serde::Deserialize;
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub patient: String,
    pub channel: &'static str,
    pub when: String,
    pub needs_staff: bool,
    /// A red flag was seen (docs/safety.md): listed first, marked.
    pub urgent: bool,
    /// The colleague working it, when someone is.
    pub assignee: Option<String>,
    pub opted_out: bool,
    /// Patient messages this person has not read.
    pub unread: u64,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: &'static Texts,
    chrome: Chrome,
    filter: &'static str,
    /// The channel shown ("" for every channel).
    channel: &'static str,
    rows: Vec<Row>,
    /// The key under which this person's sound choice is remembered in the browser.
    sound_key: String,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    show: Option<String>,
    channel: Option<String>,
}

/// Whether the patient's latest word on `channel` was "stop".
fn opted_out(consents: &[frontdesk_domain::messaging::Consent], channel: Channel) -> bool {
    !frontdesk_domain::messaging::may_send_automated(consents, channel)
}

/// The people of the clinic by id, for "assigned to".
async fn colleagues(state: &AppState, staff: &Staff) -> Result<Vec<(String, String)>, Response> {
    let users =
        state.ctx.store.list_users(staff.tenant.id).await.map_err(|e| internal(staff.locale(), &e))?;
    Ok(users.into_iter().filter(|u| u.is_active()).map(|u| (u.id.to_string(), u.name)).collect())
}

pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<InboxQuery>) -> Response {
    let me = staff.user.id.to_string();
    let which = match q.show.as_deref() {
        Some("needs_staff") => "needs_staff",
        Some("unassigned") => "unassigned",
        Some("mine") => "mine",
        Some("opted_out") => "opted_out",
        _ => "all",
    };
    let channel = q.channel.as_deref().and_then(|c| c.parse::<Channel>().ok());
    let filter =
        ConversationFilter { assignee: (which == "mine").then(|| me.clone()), channel, ..Default::default() };
    let tz = staff.tenant.timezone.time_zone();
    let page = PageRequest::new(None, Some(100));
    let conversations = match state.ctx.store.list_conversations(staff.tenant.id, &filter, page).await {
        Ok(p) => p.items,
        Err(e) => return internal(staff.locale(), &e),
    };
    let people = match colleagues(&state, &staff).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let unread: std::collections::HashMap<_, _> =
        match state.ctx.store.unread_counts(staff.tenant.id, staff.user.id).await {
            Ok(counts) => counts.into_iter().collect(),
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
        let consents = match state.ctx.store.consents(staff.tenant.id, c.patient_id).await {
            Ok(list) => list,
            Err(e) => return internal(staff.locale(), &e),
        };
        let stopped = opted_out(&consents, c.channel);
        if which == "opted_out" && !stopped {
            continue;
        }
        let patient = match patient_name(&state, &staff, c.patient_id).await {
            Ok(name) => name,
            Err(e) => return internal(staff.locale(), &e),
        };
        let assignee = c.assignee.as_ref().map(|a| {
            people.iter().find(|(id, _)| id == a).map(|(_, name)| name.clone()).unwrap_or_else(|| a.clone())
        });
        rows.push(Row {
            id: c.id.to_string(),
            patient,
            channel: c.channel.as_str(),
            when: c.last_message_at.map(|t| day_time(t, &tz)).unwrap_or_default(),
            needs_staff: c.needs_staff,
            urgent: c.urgent,
            assignee,
            opted_out: stopped,
            unread: unread.get(&c.id).copied().unwrap_or(0),
        });
    }
    // Emergencies first; otherwise the store's order (latest first) stands.
    rows.sort_by_key(|r| !r.urgent);
    let chrome = match Chrome::new(&state, &staff, "inbox").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = InboxPage {
        t: staff.texts(),
        chrome,
        filter: which,
        channel: channel.map_or("", |c| c.as_str()),
        rows,
        sound_key: format!("fd-sound:{}", staff.user.id),
    };
    render(&page, StatusCode::OK)
}

pub struct MessageRow {
    pub outbound: bool,
    pub body: Option<String>,
    pub voice: bool,
    pub transcript: Option<String>,
    pub when: String,
    pub status: &'static str,
    /// The status's wire name, for its style (`failed` shows red).
    pub status_key: &'static str,
    /// Why an automated message was not sent, in the reader's language.
    pub not_sent: Option<&'static str>,
    pub media: Vec<MediaRow>,
}

/// An attachment: images shown inline, anything else as a link with its type. Only
/// http(s) links are shown, never a `javascript:` one a provider might pass on.
pub struct MediaRow {
    pub url: String,
    pub content_type: String,
    pub image: bool,
}

/// An approved template staff may send while the window is closed, with its text
/// filled for this patient.
pub struct TemplateOption {
    pub key: &'static str,
    pub preview: String,
}

/// What the side panel says about the patient.
pub struct PatientPanel {
    pub id: String,
    /// (when, status) of the coming appointments.
    pub upcoming: Vec<(String, &'static str)>,
    pub lead_stage: Option<&'static str>,
    pub opted_out: bool,
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
    urgent: bool,
    can_work: bool,
    messages: Vec<MessageRow>,
    /// Why no free text can be sent now (the WhatsApp window closed).
    blocked: Option<String>,
    problem: Option<&'static str>,
    templates: Vec<TemplateOption>,
    /// (user id, name) of the clinic's people, for "assign to".
    people: Vec<(String, String)>,
    assignee: String,
    panel: PatientPanel,
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
    // Shown, so read by this person (the live refreshes keep it read while it is open).
    if let Err(e) =
        state.ctx.store.mark_read(staff.tenant.id, staff.user.id, c.id, state.ctx.clock.now()).await
    {
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
            status_key: m.status.as_str(),
            not_sent: match m.error_code.as_deref() {
                Some("opted_out") => Some(t.not_sent_opted_out),
                Some("no_approved_template") => Some(t.not_sent_no_template),
                _ => None,
            },
            media: m
                .media
                .iter()
                .filter(|media| !media.is_audio())
                .filter(|media| media.url.starts_with("https://") || media.url.starts_with("http://"))
                .map(|media| MediaRow {
                    url: media.url.clone(),
                    content_type: media.content_type.clone(),
                    image: media.content_type.trim_start().to_ascii_lowercase().starts_with("image/"),
                })
                .collect(),
        })
        .collect();
    let chrome = match Chrome::new(state, staff, "inbox").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = state.ctx.clock.now();
    let blocked = (!c.window_open(now)).then(|| match c.last_inbound_at {
        Some(at) => format!("{} {} {}.", t.window_closed, t.window_last_patient_message, day_time(at, &tz)),
        None => format!("{} {}", t.window_closed, t.window_never_opened),
    });
    let extras = match side_panel(state, staff, c, blocked.is_some()).await {
        Ok(x) => x,
        Err(e) => return internal(staff.locale(), &e),
    };
    let people = match colleagues(state, staff).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let page = ThreadPage {
        t,
        chrome,
        id: c.id.to_string(),
        patient,
        channel: c.channel.as_str(),
        needs_staff: c.needs_staff,
        urgent: c.urgent,
        can_work: staff.may(Permission::Work),
        messages: rows,
        blocked,
        problem,
        templates: extras.1,
        people,
        assignee: c.assignee.clone().unwrap_or_default(),
        panel: extras.0,
    };
    render(&page, status)
}

/// Variables staff templates may use: what the clinic knows without an appointment.
fn staff_variables(patient: &frontdesk_domain::patients::Patient, clinic: &str) -> serde_json::Value {
    serde_json::json!({"patient_first_name": patient.name.first_name(), "clinic_name": clinic})
}

/// The templates staff can send to this patient: approved for their language (in the
/// sandbox, which plays WhatsApp, any), and fillable with what staff templates know.
fn staff_templates(
    settings: &frontdesk_domain::messaging::MessagingSettings,
    channel: Channel,
    patient: &frontdesk_domain::patients::Patient,
    clinic: &str,
) -> Vec<TemplateOption> {
    let variables = staff_variables(patient, clinic);
    let sandbox = settings.provider_for(channel) == ProviderKind::Sandbox;
    TemplateKey::ALL
        .iter()
        .filter(|k| k.required_variables().iter().all(|v| variables.get(v).is_some()))
        .filter(|k| sandbox || settings.approved_template(**k, patient.locale).is_some())
        // The automation's own replies (keywords, voice notes, misunderstandings, outages)
        // make no sense from a person.
        .filter(|k| {
            !matches!(
                k,
                TemplateKey::OptOutConfirmation
                    | TemplateKey::OptInConfirmation
                    | TemplateKey::AskToType
                    | TemplateKey::DidNotUnderstand
                    | TemplateKey::BackShortly
                    | TemplateKey::NotAdvice
                    | TemplateKey::StaffAlert
            )
        })
        .filter_map(|k| {
            let source = settings.template_override(*k, patient.locale);
            let preview = render_template(*k, patient.locale, source, &variables).ok()?;
            Some(TemplateOption { key: k.as_str(), preview })
        })
        .collect()
}

/// The side panel (coming appointments, lead stage, consent) and, when the window is
/// closed, the templates that may be sent.
async fn side_panel(
    state: &AppState,
    staff: &Staff,
    c: &Conversation,
    window_closed: bool,
) -> Result<(PatientPanel, Vec<TemplateOption>), frontdesk_store::StoreError> {
    let store = &state.ctx.store;
    let tenant = staff.tenant.id;
    let t = staff.texts();
    let tz = staff.tenant.timezone.time_zone();
    let now = state.ctx.clock.now();
    let filter = AppointmentFilter { patient_id: Some(c.patient_id), from: Some(now), ..Default::default() };
    let upcoming = store
        .list_appointments(tenant, &filter, PageRequest::new(None, Some(5)))
        .await?
        .items
        .iter()
        .map(|a| (day_time(a.start, &tz), a.status.as_str()))
        .collect();
    let leads = store
        .list_leads(
            tenant,
            &LeadFilter { patient_id: Some(c.patient_id), ..Default::default() },
            PageRequest::new(None, Some(1)),
        )
        .await?
        .items;
    let consents = store.consents(tenant, c.patient_id).await?;
    let panel = PatientPanel {
        id: c.patient_id.to_string(),
        upcoming,
        lead_stage: leads.first().map(|l| t.stage(l.stage)),
        opted_out: opted_out(&consents, c.channel),
    };
    let templates = if window_closed {
        match store.get_patient(tenant, c.patient_id).await? {
            Some(patient) => {
                let settings = store.tenant_settings(tenant).await?;
                staff_templates(&settings.messaging, c.channel, &patient, &staff.tenant.name)
            }
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    Ok((panel, templates))
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
    send_and_show(&state, &staff, &c, Content::Text(text.to_owned())).await
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    template: String,
}

/// Sends an approved template (the window closed), filled for the patient, through the
/// same engine path as the API.
pub async fn send_template(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Response {
    if let Err(refused) = may_post(&staff, &headers, &form.csrf) {
        return refused;
    }
    let c = match load(&state, &staff, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let patient = match state.ctx.store.get_patient(staff.tenant.id, c.patient_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e) => return internal(staff.locale(), &e),
    };
    let settings = match state.ctx.store.tenant_settings(staff.tenant.id).await {
        Ok(s) => s,
        Err(e) => return internal(staff.locale(), &e),
    };
    let offered = staff_templates(&settings.messaging, c.channel, &patient, &staff.tenant.name);
    let Some(key) =
        offered.iter().find(|o| o.key == form.template).and_then(|o| o.key.parse::<TemplateKey>().ok())
    else {
        return thread_page(&state, &staff, &c, Some(t.template_pick_one), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    };
    let content = Content::Template { key, variables: staff_variables(&patient, &staff.tenant.name) };
    send_and_show(&state, &staff, &c, content).await
}

/// Sends the patient their personal link to the clinic's booking page: they choose a time
/// without typing their details.
pub async fn send_booking_link(
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
    let patient = match state.ctx.store.get_patient(staff.tenant.id, c.patient_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e) => return internal(staff.locale(), &e),
    };
    let Some(url) = frontdesk_engine::links::booking_url(&state.ctx, &staff.tenant, patient.id) else {
        let t = staff.texts();
        return thread_page(
            &state,
            &staff,
            &c,
            Some(t.booking_link_unavailable),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut variables = staff_variables(&patient, &staff.tenant.name);
    variables["booking_url"] = serde_json::json!(url);
    send_and_show(&state, &staff, &c, Content::Template { key: TemplateKey::BookingLink, variables }).await
}

/// Sends `content` to the conversation's patient as staff, audits it, and shows the
/// thread again (post/redirect/get), or the thread with the reason it was not sent.
async fn send_and_show(state: &AppState, staff: &Staff, c: &Conversation, content: Content) -> Response {
    let t = staff.texts();
    let request = SendRequest {
        tenant_id: staff.tenant.id,
        patient_id: c.patient_id,
        channel: c.channel,
        content,
        automated: false,
        by: frontdesk_domain::messaging::Sender::Staff,
        campaign: None,
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
        return thread_page(state, staff, c, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
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
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    /// Whom to assign to (a colleague's id); empty or absent: me.
    #[serde(default)]
    to: String,
}

/// `assign`: the conversation is mine (or the chosen colleague's) and the assistant stays
/// quiet; `release`: it goes back to the assistant.
pub async fn take_or_release(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, what)): Path<(String, String)>,
    Form(form): Form<AssignForm>,
) -> Response {
    if let Err(refused) = may_post(&staff, &headers, &form.csrf) {
        return refused;
    }
    let mut c = match load(&state, &staff, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let assignee = match what.as_str() {
        "assign" if form.to.is_empty() => Some(staff.user.id.to_string()),
        "assign" => {
            // Only an active colleague of this clinic.
            let people = match colleagues(&state, &staff).await {
                Ok(p) => p,
                Err(r) => return r,
            };
            if !people.iter().any(|(id, _)| *id == form.to) {
                let t = staff.texts();
                return thread_page(
                    &state,
                    &staff,
                    &c,
                    Some(t.assign_unknown),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Some(form.to.clone())
        }
        "release" => None,
        _ => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
    };
    if let Err(e) = engine::set_assignee(&state.ctx, &mut c, assignee).await {
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
