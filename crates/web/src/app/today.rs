//! The landing page: today's agenda, who waits for staff, hot leads not yet reached, and
//! messages that could not be delivered (a patient who was never told).

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{clock_time, day_time, internal, render};
use super::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::leads::{LeadStage, Temperature};
use frontdesk_domain::page::PageRequest;
use frontdesk_store::{AppointmentFilter, ConversationFilter, LeadFilter, StoreError};
use std::collections::HashMap;

pub struct AgendaRow {
    pub time: String,
    pub patient: String,
    pub practitioner: String,
    pub status: &'static str,
}

pub struct ConversationRow {
    pub id: String,
    pub patient: String,
    pub channel: &'static str,
    pub when: String,
}

pub struct LeadRow {
    pub id: String,
    pub patient: String,
    pub source: &'static str,
    pub when: String,
}

pub struct FailedRow {
    pub conversation: String,
    pub patient: String,
    pub when: String,
    /// The provider's error code, for whoever follows it up (`63016`...).
    pub code: Option<String>,
}

/// How far back failed sends are shown: a week covers a weekend and a holiday.
const FAILED_DAYS: i64 = 7;

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    t: &'static Texts,
    chrome: Chrome,
    date: String,
    agenda: Vec<AgendaRow>,
    waiting: Vec<ConversationRow>,
    hot: Vec<LeadRow>,
    failed: Vec<FailedRow>,
}

pub async fn today(State(state): State<AppState>, staff: Staff) -> Response {
    match load(&state, &staff).await {
        Ok(page) => render(&page, StatusCode::OK),
        Err(Err(e)) => internal(staff.locale(), &e),
        Err(Ok(refused)) => refused,
    }
}

async fn load(state: &AppState, staff: &Staff) -> Result<TodayPage, Result<Response, StoreError>> {
    let store = &state.ctx.store;
    let tenant = staff.tenant.id;
    let tz = staff.tenant.timezone.time_zone();
    let now = state.ctx.clock.now().to_zoned(tz.clone());
    let day_start = now.start_of_day().map_err(|e| Err(StoreError::corrupt(e.to_string())))?;
    let day_end = day_start.tomorrow().map_err(|e| Err(StoreError::corrupt(e.to_string())))?;
    let filter = AppointmentFilter {
        from: Some(day_start.timestamp()),
        to: Some(day_end.timestamp()),
        ..Default::default()
    };
    let page = PageRequest::new(None, Some(200));
    let mut appointments = store.list_appointments(tenant, &filter, page).await.map_err(Err)?.items;
    appointments.sort_by_key(|a| a.start);
    let practitioners: HashMap<_, _> =
        store.list_practitioners(tenant).await.map_err(Err)?.into_iter().map(|p| (p.id, p.name)).collect();
    let mut agenda = Vec::new();
    for a in appointments {
        agenda.push(AgendaRow {
            time: clock_time(a.start, &tz),
            patient: patient_name(state, staff, a.patient_id).await.map_err(Err)?,
            practitioner: practitioners.get(&a.practitioner_id).cloned().unwrap_or_default(),
            status: staff.texts().appointment_status(a.status),
        });
    }
    let conversations =
        store.list_conversations(tenant, &ConversationFilter::default(), page).await.map_err(Err)?;
    let mut waiting = Vec::new();
    for c in conversations.items.into_iter().filter(|c| c.needs_staff) {
        waiting.push(ConversationRow {
            id: c.id.to_string(),
            patient: patient_name(state, staff, c.patient_id).await.map_err(Err)?,
            channel: c.channel.as_str(),
            when: c.last_message_at.map(|t| day_time(t, &tz)).unwrap_or_default(),
        });
    }
    let hot_filter =
        LeadFilter { temperature: Some(Temperature::Hot), stage: Some(LeadStage::New), ..Default::default() };
    let mut hot = Vec::new();
    for l in store.list_leads(tenant, &hot_filter, page).await.map_err(Err)?.items {
        hot.push(LeadRow {
            id: l.id.to_string(),
            patient: patient_name(state, staff, l.patient_id).await.map_err(Err)?,
            source: l.source.as_str(),
            when: day_time(l.created_at, &tz),
        });
    }
    let since = now.timestamp() - jiff::SignedDuration::from_hours(24 * FAILED_DAYS);
    let mut failed = Vec::new();
    for m in store.failed_messages(tenant, since, 20).await.map_err(Err)? {
        failed.push(FailedRow {
            conversation: m.conversation_id.to_string(),
            patient: patient_name(state, staff, m.patient_id).await.map_err(Err)?,
            when: day_time(m.created_at, &tz),
            code: m.error_code,
        });
    }
    let chrome = Chrome::new(state, staff, "today").await.map_err(Ok)?;
    Ok(TodayPage {
        t: staff.texts(),
        chrome,
        date: now.strftime("%d/%m/%Y").to_string(),
        agenda,
        waiting,
        hot,
        failed,
    })
}

pub async fn patient_name(
    state: &AppState,
    staff: &Staff,
    id: frontdesk_domain::PatientId,
) -> Result<String, StoreError> {
    Ok(state
        .ctx
        .store
        .get_patient(staff.tenant.id, id)
        .await?
        .map(|p| p.name.as_str().to_owned())
        .unwrap_or_default())
}
