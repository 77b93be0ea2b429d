//! Patients: search by name or phone, and a profile with appointments, conversations,
//! consent and calls. Reading a profile is audited with the person.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{channel_label, day_time, internal, problem_page, render};
use super::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::PatientId;
use frontdesk_domain::messaging::{Channel, ConsentState, Direction};
use frontdesk_domain::page::PageRequest;
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::{AppointmentFilter, CallFilter, ConversationFilter, PatientQuery, StoreError};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "patients.html")]
struct SearchPage {
    t: &'static Texts,
    chrome: Chrome,
    query: String,
    /// (id, name, phone)
    rows: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// What a person typed to find a patient: mostly digits is a phone, anything else a name.
pub fn patient_query(text: &str) -> PatientQuery {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if !digits.is_empty() && digits.len() * 2 >= text.len() {
        PatientQuery { phone_digits: Some(digits), ..Default::default() }
    } else {
        PatientQuery { name: Some(text.to_owned()).filter(|t| !t.is_empty()), ..Default::default() }
    }
}

pub async fn search(State(state): State<AppState>, staff: Staff, Query(q): Query<SearchQuery>) -> Response {
    let text = q.q.trim();
    let query = patient_query(text);
    let page = PageRequest::new(None, Some(50));
    let rows = match state.ctx.store.search_patients(staff.tenant.id, &query, page).await {
        Ok(p) => p
            .items
            .into_iter()
            .map(|p| (p.id.to_string(), p.name.as_str().to_owned(), p.phone.as_str().to_owned()))
            .collect(),
        Err(e) => return internal(staff.locale(), &e),
    };
    let chrome = match Chrome::new(&state, &staff, "patients").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&SearchPage { t: staff.texts(), chrome, query: text.to_owned(), rows }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "patient.html")]
struct ProfilePage {
    t: &'static Texts,
    chrome: Chrome,
    name: String,
    phone: String,
    email: Option<String>,
    appointments: Vec<AppointmentRow>,
    conversations: Vec<ConversationRow>,
    /// Whether each channel may be used now: (channel, allowed, since).
    reachable: Vec<(&'static str, bool, Option<String>)>,
    /// Every consent change, newest first.
    consent: Vec<String>,
    calls: Vec<CallRow>,
}

pub struct AppointmentRow {
    pub when: String,
    pub status: &'static str,
    pub service: String,
    /// Its day in the calendar.
    pub href: String,
}

pub struct ConversationRow {
    pub id: String,
    pub channel: &'static str,
    pub last: Option<String>,
    /// The latest messages, oldest first: (from the clinic, when, text).
    pub recent: Vec<(bool, String, String)>,
}

pub struct CallRow {
    pub id: String,
    pub when: String,
    pub outcome: &'static str,
}

/// How many of a conversation's latest messages the profile shows.
const RECENT_MESSAGES: usize = 3;
/// Longer previews are cut (the thread has the whole text).
const PREVIEW_CHARS: usize = 140;

fn preview(text: &str) -> String {
    let mut cut: String = text.chars().take(PREVIEW_CHARS).collect();
    if text.chars().count() > PREVIEW_CHARS {
        cut.push('…');
    }
    cut
}

pub async fn profile(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<Uuid>().map(PatientId) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    match load(&state, &staff, id).await {
        Ok(Some(page)) => render(&page, StatusCode::OK),
        Ok(None) => problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(Ok(refused)) => refused,
        Err(Err(e)) => internal(staff.locale(), &e),
    }
}

async fn load(
    state: &AppState,
    staff: &Staff,
    id: PatientId,
) -> Result<Option<ProfilePage>, Result<Response, StoreError>> {
    let store = &state.ctx.store;
    let tenant = staff.tenant.id;
    let t = staff.texts();
    let tz = staff.tenant.timezone.time_zone();
    let Some(patient) = store.get_patient(tenant, id).await.map_err(Err)? else { return Ok(None) };
    let access = Access { action: "read", resource_type: "patient", resource_id: None, patient_id: Some(id) };
    audit::record(&state.ctx, &staff.actor(), access).await.map_err(Err)?;
    let page = PageRequest::new(None, Some(50));
    let filter = AppointmentFilter { patient_id: Some(id), ..Default::default() };
    let appointments = store.list_appointments(tenant, &filter, page).await.map_err(Err)?.items;
    let conversations = store
        .list_conversations(tenant, &ConversationFilter { patient_id: Some(id), ..Default::default() }, page)
        .await
        .map_err(Err)?
        .items;
    let consent = store.consents(tenant, id).await.map_err(Err)?;
    let calls = store
        .list_calls(tenant, &CallFilter { patient_id: Some(id), ..Default::default() }, page)
        .await
        .map_err(Err)?
        .items;
    let services: std::collections::HashMap<_, _> =
        store.list_services(tenant).await.map_err(Err)?.into_iter().map(|s| (s.id, s.name)).collect();
    let mut conversation_rows = Vec::new();
    for c in &conversations {
        let messages = store.list_messages(tenant, c.id).await.map_err(Err)?;
        let recent = messages
            .iter()
            .rev()
            .take(RECENT_MESSAGES)
            .rev()
            .map(|m| {
                let text =
                    m.body.as_ref().map(|b| preview(b.as_str())).unwrap_or_else(|| t.voice_note.to_owned());
                (m.direction == Direction::Outbound, day_time(m.created_at, &tz), text)
            })
            .collect();
        conversation_rows.push(ConversationRow {
            id: c.id.to_string(),
            channel: channel_label(c.channel),
            last: c.last_message_at.map(|at| day_time(at, &tz)),
            recent,
        });
    }
    // The latest change per channel decides; no record means the patient may be written to
    // (or, for `Voice`, called).
    let reachable = [Channel::Whatsapp, Channel::Sms, Channel::Voice]
        .into_iter()
        .map(|channel| {
            let last = consent.iter().rev().find(|c| c.channel == channel);
            let allowed = last.is_none_or(|c| c.state == ConsentState::OptedIn);
            (channel_label(channel), allowed, last.map(|c| day_time(c.at, &tz)))
        })
        .collect();
    let chrome = Chrome::new(state, staff, "patients").await.map_err(Ok)?;
    Ok(Some(ProfilePage {
        t,
        chrome,
        name: patient.name.as_str().to_owned(),
        phone: patient.phone.as_str().to_owned(),
        email: patient.email.as_ref().map(|e| e.as_str().to_owned()),
        appointments: appointments
            .iter()
            .map(|a| AppointmentRow {
                when: day_time(a.start, &tz),
                status: t.appointment_status(a.status),
                service: services.get(&a.service_id).cloned().unwrap_or_default(),
                href: format!("/app/calendar?date={}#appt-{}", a.start.to_zoned(tz.clone()).date(), a.id),
            })
            .collect(),
        conversations: conversation_rows,
        reachable,
        consent: consent
            .iter()
            .rev()
            .map(|c| {
                let what = if c.state == ConsentState::OptedIn { t.opted_in_on } else { t.opted_out_on };
                format!("{} · {what} {}", day_time(c.at, &tz), channel_label(c.channel))
            })
            .collect(),
        calls: calls
            .iter()
            .map(|c| CallRow {
                id: c.id.to_string(),
                when: day_time(c.created_at, &tz),
                outcome: c.outcome.map_or_else(|| t.call_status(c.status), |o| t.call_outcome(o)),
            })
            .collect(),
    }))
}
