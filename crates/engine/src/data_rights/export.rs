//! Everything the clinic holds about one person, gathered for a data-subject request
//! (LGPD art. 18 II/V, HIPAA right of access): the patient, their leads and timelines,
//! conversations with every message, appointments with their history, calls with their
//! transcripts, consents, and who accessed their data.

use crate::Ctx;
use crate::audit::{self, Access, Actor};
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::data_rights::AuditFilter;
use frontdesk_domain::leads::{Lead, LeadEvent};
use frontdesk_domain::messaging::{Consent, Conversation, Message};
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentEvent};
use frontdesk_domain::voice::{Call, TranscriptTurn};
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_store::{
    AppointmentFilter, CallFilter, ConversationFilter, LeadFilter, StoreError, StoreResult,
};
use jiff::Timestamp;
use serde::Serialize;
use std::future::Future;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct LeadRecord {
    pub lead: Lead,
    pub events: Vec<LeadEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationRecord {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppointmentRecord {
    pub appointment: Appointment,
    pub history: Vec<AppointmentEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub call: Call,
    pub transcript: Vec<TranscriptTurn>,
}

/// The plain JSON export.
#[derive(Debug, Clone, Serialize)]
pub struct PatientRecord {
    pub exported_at: Timestamp,
    pub patient: Patient,
    /// Set when the person was erased: what remains is what the clinic must keep.
    pub erased_at: Option<Timestamp>,
    pub leads: Vec<LeadRecord>,
    pub conversations: Vec<ConversationRecord>,
    pub appointments: Vec<AppointmentRecord>,
    pub calls: Vec<CallRecord>,
    pub consents: Vec<Consent>,
    /// The labels staff put on them.
    pub tags: Vec<String>,
    /// Who read or changed this person's data, oldest first.
    pub access_log: Vec<AuditEntry>,
}

/// Every page of a keyset-paged list.
async fn all<T, F, Fut>(mut page: F) -> StoreResult<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = StoreResult<Page<T>>>,
{
    let mut out = Vec::new();
    let mut before: Option<Uuid> = None;
    loop {
        let p = page(PageRequest::new(before, Some(frontdesk_domain::page::MAX_LIMIT))).await?;
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => before = Some(c),
            None => return Ok(out),
        }
    }
}

/// Gathers the person's record and audits the export (`action` = `export`, the format as
/// resource id). `NotFound` for an unknown patient or another tenant's.
pub async fn export_patient(
    ctx: &Ctx,
    actor: &Actor,
    id: PatientId,
    format: &str,
) -> StoreResult<PatientRecord> {
    let record = gather(ctx, actor.tenant_id, id).await?;
    let access = Access {
        action: "export",
        resource_type: "patient",
        resource_id: Some(format),
        patient_id: Some(id),
    };
    audit::record(ctx, actor, access).await?;
    Ok(record)
}

async fn gather(ctx: &Ctx, tenant: TenantId, id: PatientId) -> StoreResult<PatientRecord> {
    let store = &ctx.store;
    let patient = store.get_patient(tenant, id).await?.ok_or(StoreError::NotFound)?;
    let erased_at = store.patient_erased_at(tenant, id).await?;

    let lead_filter = LeadFilter { patient_id: Some(id), ..Default::default() };
    let mut leads = Vec::new();
    for lead in all(|p| store.list_leads(tenant, &lead_filter, p)).await? {
        let events = store.lead_events(tenant, lead.id).await?;
        leads.push(LeadRecord { lead, events });
    }

    let conv_filter = ConversationFilter { patient_id: Some(id), ..Default::default() };
    let mut conversations = Vec::new();
    for conversation in all(|p| store.list_conversations(tenant, &conv_filter, p)).await? {
        let messages = store.list_messages(tenant, conversation.id).await?;
        conversations.push(ConversationRecord { conversation, messages });
    }

    let appt_filter = AppointmentFilter { patient_id: Some(id), ..Default::default() };
    let mut appointments = Vec::new();
    for appointment in all(|p| store.list_appointments(tenant, &appt_filter, p)).await? {
        let history = store.appointment_history(tenant, appointment.id).await?;
        appointments.push(AppointmentRecord { appointment, history });
    }

    let call_filter = CallFilter { patient_id: Some(id), ..Default::default() };
    let mut calls = Vec::new();
    for call in all(|p| store.list_calls(tenant, &call_filter, p)).await? {
        let transcript = store.transcript(tenant, call.id).await?;
        calls.push(CallRecord { call, transcript });
    }

    let audit_filter = AuditFilter { patient_id: Some(id), ..Default::default() };
    let mut access_log = all(|p| store.search_audit(tenant, &audit_filter, p)).await?;
    access_log.reverse();

    Ok(PatientRecord {
        exported_at: ctx.clock.now(),
        consents: store.consents(tenant, id).await?,
        tags: store.patient_tags(tenant, &[id]).await?.into_iter().map(|(_, tag)| tag).collect(),
        patient,
        erased_at,
        leads,
        conversations,
        appointments,
        calls,
        access_log,
    })
}
