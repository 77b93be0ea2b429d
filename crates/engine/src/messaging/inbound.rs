//! Inbound messages: the webhook stores the provider's event and enqueues its processing
//! in one transaction (so an acknowledged message is never lost and a retried webhook is a
//! no-op); the job identifies the patient, files the message in the conversation, and
//! handles consent keywords.

use super::outbound::{Content, SendKey, SendRequest, send_keyed};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::messaging::{
    Channel, Consent, ConsentKeyword, ConsentState, Conversation, Direction, Media, Message, MessageStatus,
    MessageText, TemplateKey, keyword,
};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::{MessageId, TenantId};
use frontdesk_store::{NewInboundEvent, RecordedEvent, StoreError, StoreResult};
use serde::{Deserialize, Serialize};

pub const PROCESS_INBOUND_JOB: &str = "messaging.process_inbound";

/// An inbound message in provider-neutral form, as stored with the raw event.
#[derive(Clone, Serialize, Deserialize)]
pub struct InboundMessageEvent {
    /// `twilio`, `helena` or `sandbox`.
    pub provider: String,
    pub provider_message_id: String,
    pub channel: Channel,
    /// The sender as the provider wrote it (`whatsapp:+55...`, `+55...`, digits).
    pub from: String,
    pub body: String,
    #[serde(default)]
    pub media: Vec<Media>,
    /// The name the patient uses on WhatsApp, for a first contact.
    pub profile_name: Option<String>,
    /// Everything else the provider sent (button payloads, WaId...), kept for later use.
    #[serde(default)]
    pub extra: serde_json::Value,
}

impl std::fmt::Debug for InboundMessageEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pii::Redacted;
        f.debug_struct("InboundMessageEvent")
            .field("provider", &self.provider)
            .field("provider_message_id", &self.provider_message_id)
            .field("channel", &self.channel)
            .field("from", &Redacted(&self.from))
            .field("body", &Redacted(&self.body))
            .field("media", &self.media.len())
            .field("profile_name", &Redacted(&self.profile_name))
            .field("extra", &Redacted(&self.extra))
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    provider: String,
    external_id: String,
}

/// Stores the event and enqueues its processing. A second delivery of the same provider
/// message changes nothing (`duplicate` in the result).
pub async fn accept_inbound(
    ctx: &Ctx,
    tenant: TenantId,
    event: &InboundMessageEvent,
) -> StoreResult<RecordedEvent> {
    let raw = serde_json::to_value(event).map_err(|e| StoreError::corrupt(e.to_string()))?;
    let record = NewInboundEvent {
        tenant_id: tenant,
        provider: event.provider.clone(),
        external_id: event.provider_message_id.clone(),
        kind: "message".into(),
        payload: raw,
    };
    let payload =
        Payload { provider: event.provider.clone(), external_id: event.provider_message_id.clone() };
    // No dedupe key: the store adds the job only with a new event, so the event's own
    // uniqueness (tenant, provider, id) already keeps a message to one processing job, and a
    // key would cost a unique-index insert on every delivery for nothing.
    let job = NewJob::new(tenant, PROCESS_INBOUND_JOB, serde_json::json!(payload), ctx.clock.now());
    ctx.store.record_event(&record, &[job], ctx.clock.now()).await
}

pub(super) struct ProcessInbound {
    pub ctx: Ctx,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

#[async_trait]
impl JobHandler for ProcessInbound {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let tenant = job.tenant_id;
        let Some(stored) =
            ctx.store.inbound_event(tenant, &p.provider, &p.external_id).await.map_err(retry)?
        else {
            return Err(JobError::permanent("the inbound event is gone"));
        };
        let event: InboundMessageEvent = serde_json::from_value(stored.payload)
            .map_err(|e| JobError::permanent(format!("stored event unreadable: {e}")))?;
        let now = ctx.clock.now();
        let (patient, first_contact) = if event.channel == Channel::Email {
            // A bounce names a message of ours; it is a delivery report, not a patient's words.
            if !event.extra["bounce"].is_null() {
                if !super::email_threads::apply_bounce(ctx, tenant, &event.extra).await? {
                    keep_unmatched(ctx, tenant, &event).await?;
                }
                return Ok(());
            }
            match super::email_threads::identify(ctx, tenant, &event.from, &event.extra).await? {
                Some(p) => (p, false),
                None => return keep_unmatched(ctx, tenant, &event).await,
            }
        } else {
            identify_patient(ctx, tenant, &event).await?
        };
        ctx.faults.check("inbound.patient")?;
        let mut conversation = ctx
            .store
            .conversation_for(&Conversation::new(tenant, patient.id, event.channel, now))
            .await
            .map_err(retry)?;
        conversation.reopen_on_inbound(stored.received_at);
        let body = event.body.trim();
        // The tone of a message with words (a photo has none); the conversation keeps the
        // latest and when it turned negative (docs/metrics.md, "Patient sentiment").
        let tone = (!body.is_empty()).then(|| frontdesk_domain::nlu::sentiment::sentiment(body));
        let turned_negative = tone.is_some_and(|t| conversation.record_tone(t, stored.received_at));
        let message = Message {
            id: MessageId::new(),
            tenant_id: tenant,
            conversation_id: conversation.id,
            patient_id: patient.id,
            direction: Direction::Inbound,
            channel: event.channel,
            body: (!body.is_empty()).then(|| MessageText::new(body)),
            media: event.media.clone(),
            transcript: None,
            template: None,
            provider: event.provider.clone(),
            provider_message_id: Some(event.provider_message_id.clone()),
            status: MessageStatus::Received,
            error_code: None,
            error_message: None,
            created_at: stored.received_at,
            updated_at: now,
        };
        let filed = match ctx.store.insert_message(&message).await {
            Ok(()) => message.id,
            // Filed by an earlier run of this job that failed later on: carry on with it.
            Err(StoreError::Conflict(_)) => ctx
                .store
                .message_by_provider_id(tenant, &event.provider, &event.provider_message_id)
                .await?
                .map(|m| m.id)
                .ok_or_else(|| JobError::retryable("the filed message is not visible yet"))?,
            Err(e) => return Err(e.into()),
        };
        ctx.faults.check("inbound.filed")?;
        ctx.store.save_conversation(&conversation).await.map_err(retry)?;
        metrics::counter!("frontdesk_messages_received_total", "channel" => event.channel.as_str())
            .increment(1);
        if let Some(k) = keyword(body) {
            return apply_keyword(ctx, &patient, event.channel, k, filed).await;
        }
        // "Não me liguem mais" / "stop texting me": a consent change in words, for calls or
        // messages, recorded like a keyword whoever owns the conversation.
        if let Some(scope) =
            frontdesk_domain::nlu::contact_request(body).and_then(super::contact_prefs::OptOutScope::of)
        {
            return apply_phrase(ctx, &patient, event.channel, scope, filed).await;
        }
        if first_contact {
            new_lead(ctx, tenant, patient.id, &event, stored.received_at).await?;
            ctx.faults.check("inbound.lead")?;
        }
        // The playbooks (the dialogue, n8n forwarding) and the live views react to the
        // fact. It is keyed by the filed message, so a rerun of this job enqueues nothing
        // new. Every message gets one - staff must see it arrive even when the automation
        // stays quiet; the dialogue skips staffed conversations and empty texts itself.
        // An out-of-office e-mail is filed and shown, and never answered (the dialogue
        // reads `automatic`): two robots must not write to each other forever.
        let automatic = event.extra["automatic"].as_bool().unwrap_or(false);
        let fact = Fact::new(
            tenant,
            FactKind::MessageReceived,
            format_args!("message:{filed}"),
            serde_json::json!({"message_id": filed, "conversation_id": conversation.id, "patient_id": patient.id,
                "sentiment": tone, "turned_negative": turned_negative, "automatic": automatic}),
            now,
        );
        if conversation.needs_staff {
            // Staff took over: the automation stays quiet.
            ctx.store.enqueue_many(&crate::facts::jobs_for(&fact, now), now).await?;
            return Ok(());
        }
        // A voice note is answered from its transcript (stored on the message); when
        // nothing can listen to it, the patient is asked kindly for text.
        if message.is_voice_only() && super::voice_notes::transcribe(ctx, tenant, &message).await?.is_none() {
            let ask = SendRequest {
                tenant_id: tenant,
                patient_id: patient.id,
                channel: event.channel,
                content: Content::Template {
                    key: TemplateKey::AskToType,
                    variables: serde_json::json!({"patient_first_name": patient.known_first_name().unwrap_or_default()}),
                },
                automated: false,
                by: frontdesk_domain::messaging::Sender::Assistant,
                campaign: None,
            };
            send_keyed(ctx, ask, SendKey { anchor: filed.as_uuid(), purpose: "ask_to_type", seq: 0 }).await?;
        }
        ctx.store.enqueue_many(&crate::facts::jobs_for(&fact, now), now).await?;
        Ok(())
    }
}

/// Finds the patient by phone (every spelling of a number meets in its E.164 form), or
/// registers a new one from the first message (`true`: a number the clinic did not know).
async fn identify_patient(
    ctx: &Ctx,
    tenant: TenantId,
    event: &InboundMessageEvent,
) -> Result<(Patient, bool), JobError> {
    let settings = ctx.store.tenant_settings(tenant).await.map_err(retry)?;
    let phone = PhoneE164::parse(&event.from, &settings.default_region)
        .map_err(|e| JobError::permanent(format!("sender is not a phone number: {e}")))?;
    // The patient a message registers gets an id derived from the message: a rerun of
    // this job after the patient was stored still knows it was the first contact.
    let registered_here = frontdesk_domain::PatientId::from(crate::faults::derived_id(
        tenant,
        &format!("patient-from:{}:{}", event.provider, event.provider_message_id),
    ));
    if let Some(p) = ctx.store.patient_by_phone(tenant, &phone).await.map_err(retry)? {
        let first = p.id == registered_here;
        return Ok((p, first));
    }
    let t = ctx
        .store
        .tenant_by_id(tenant)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobError::permanent("no tenant"))?;
    let name = event
        .profile_name
        .as_deref()
        .and_then(|n| PersonName::parse(n).ok())
        .unwrap_or_else(|| PersonName::placeholder(&phone));
    let mut patient = Patient::new(tenant, name, phone.clone(), t.locale, ctx.clock.now());
    patient.id = registered_here;
    match ctx.store.create_patient(&patient).await {
        Ok(()) => Ok((patient, true)),
        Err(StoreError::Conflict(_)) => ctx
            .store
            .patient_by_phone(tenant, &phone)
            .await
            .map_err(retry)?
            .map(|p| (p, false))
            .ok_or_else(|| JobError::retryable("patient vanished")),
        Err(e) => Err(retry(e)),
    }
}

/// STOP/PARAR... opt the patient out of automated messages on the channel; START/VOLTAR
/// opt back in. Each change is confirmed once (a reply, which consent rules allow).
async fn apply_keyword(
    ctx: &Ctx,
    patient: &Patient,
    channel: Channel,
    k: ConsentKeyword,
    answering: MessageId,
) -> Result<(), JobError> {
    let (state, template) = match k {
        ConsentKeyword::OptOut => (ConsentState::OptedOut, TemplateKey::OptOutConfirmation),
        ConsentKeyword::OptIn => (ConsentState::OptedIn, TemplateKey::OptInConfirmation),
    };
    let consent = Consent { channel, state, source: "keyword".into(), at: ctx.clock.now() };
    // An opt-out is a fact, recorded with the consent in one transaction (keyed by the
    // message, so a rerun adds no reaction).
    let now = ctx.clock.now();
    let jobs = if k == ConsentKeyword::OptOut {
        let fact = Fact::new(
            patient.tenant_id,
            FactKind::OptedOut,
            format_args!("message:{answering}"),
            serde_json::json!({"patient_id": patient.id, "channel": channel}),
            now,
        );
        crate::facts::jobs_for(&fact, now)
    } else {
        Vec::new()
    };
    ctx.store
        .record_consent_with_jobs(patient.tenant_id, patient.id, &consent, &jobs, now)
        .await
        .map_err(retry)?;
    let reply = SendRequest {
        tenant_id: patient.tenant_id,
        patient_id: patient.id,
        channel,
        content: Content::Template {
            key: template,
            variables: serde_json::json!({"patient_first_name": patient.known_first_name().unwrap_or_default()}),
        },
        automated: false,
        by: frontdesk_domain::messaging::Sender::Assistant,
        campaign: None,
    };
    send_keyed(ctx, reply, SendKey { anchor: answering.as_uuid(), purpose: "consent", seq: 0 }).await?;
    Ok(())
}

/// A consent phrase: opts the patient out of calls or messages (source `keyword`) and
/// confirms in their language, once per message.
async fn apply_phrase(
    ctx: &Ctx,
    patient: &Patient,
    channel: Channel,
    scope: super::contact_prefs::OptOutScope,
    answering: MessageId,
) -> Result<(), JobError> {
    use super::contact_prefs::{confirmation, opt_out};
    opt_out(ctx, patient, scope, "keyword", &format!("message:{answering}")).await.map_err(retry)?;
    let reply = SendRequest {
        tenant_id: patient.tenant_id,
        patient_id: patient.id,
        channel,
        content: Content::Text(confirmation(patient.locale, scope).to_owned()),
        automated: false,
        by: frontdesk_domain::messaging::Sender::Assistant,
        campaign: None,
    };
    send_keyed(ctx, reply, SendKey { anchor: answering.as_uuid(), purpose: "consent", seq: 0 }).await?;
    Ok(())
}

/// A number the clinic did not know wrote in: a lead, already in conversation (so no
/// outreach playbook; the dialogue answers).
async fn new_lead(
    ctx: &Ctx,
    tenant: TenantId,
    patient: frontdesk_domain::PatientId,
    event: &InboundMessageEvent,
    at: jiff::Timestamp,
) -> Result<(), JobError> {
    // A rerun after the lead was stored: one lead, and no "merged" entry for itself.
    if ctx.store.latest_lead_for_patient(tenant, patient).await?.is_some() {
        return Ok(());
    }
    let intake = crate::leads::LeadIntake {
        source: Some(match event.channel {
            Channel::Whatsapp => frontdesk_domain::leads::LeadSource::Whatsapp,
            Channel::Sms | Channel::Voice | Channel::Email => frontdesk_domain::leads::LeadSource::Phone,
        }),
        name: event.profile_name.clone(),
        phone: event.from.clone(),
        submitted_at: Some(at),
        first_message: Some(event.body.clone()),
        in_conversation: true,
        ..Default::default()
    };
    crate::leads::create_lead(ctx, tenant, intake).await?;
    Ok(())
}

/// An e-mail from nobody on file, kept whole for staff.
async fn keep_unmatched(ctx: &Ctx, tenant: TenantId, event: &InboundMessageEvent) -> Result<(), JobError> {
    let payload = serde_json::to_value(event).map_err(|e| JobError::permanent(e.to_string()))?;
    super::email_threads::keep_unmatched(ctx, tenant, &event.provider_message_id, payload).await
}
