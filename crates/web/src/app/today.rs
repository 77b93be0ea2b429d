//! The landing page: today's agenda, who waits for staff, hot leads not yet reached.

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
    pub status: String,
}

pub struct ConversationRow {
    pub id: String,
    pub patient: String,
    pub channel: &'static str,
    pub when: String,
}

pub struct LeadRow {
    pub patient: String,
    pub source: &'static str,
    pub when: String,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    t: &'static Texts,
    chrome: Chrome,
    date: String,
    agenda: Vec<AgendaRow>,
    waiting: Vec<ConversationRow>,
    hot: Vec<LeadRow>,
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
            status: a.status.as_str().to_owned(),
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
            patient: patient_name(state, staff, l.patient_id).await.map_err(Err)?,
            source: l.source.as_str(),
            when: day_time(l.created_at, &tz),
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
