//! Sending to a patient: decide the text, check consent, the WhatsApp window and quiet
//! hours, file the message as queued, and enqueue the job that hands it to the provider.

use super::MessagingFailure;
use super::send_job::{SEND_JOB, SendPayload};
use crate::Ctx;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::messaging::{
    Channel, Conversation, Direction, Message, MessageStatus, MessageText, ProviderKind, TemplateKey,
    may_send_automated, next_allowed, render,
};
use frontdesk_domain::{MessageId, PatientId, TenantId};
use std::collections::BTreeMap;

#[derive(Clone)]
pub enum Content {
    /// Free-form text (a staff reply).
    Text(String),
    /// One of Frontdesk's templates, rendered in the patient's language; outside the
    /// WhatsApp window the tenant's approved template for it is sent instead.
    Template { key: TemplateKey, variables: serde_json::Value },
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pii::Redacted;
        match self {
            Self::Text(text) => f.debug_tuple("Text").field(&Redacted(text)).finish(),
            Self::Template { key, variables } => {
                f.debug_struct("Template").field("key", key).field("variables", &Redacted(variables)).finish()
            }
        }
    }
}

/// A message to send; its `Debug` is `Content`'s, which hides the text.
#[derive(Debug, Clone)]
pub struct SendRequest {
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub channel: Channel,
    pub content: Content,
    /// Reminders and campaigns: subject to consent and quiet hours. Replies within a
    /// conversation and staff messages are not.
    pub automated: bool,
    /// Who has it sent (the assistant, the automation, staff): for the figures.
    pub by: frontdesk_domain::messaging::Sender,
    /// The campaign this message is a step of: its results are split by campaign.
    pub campaign: Option<uuid::Uuid>,
}

/// Files the message as queued and enqueues its delivery. Not keyed: a caller that may run
/// twice (a job) uses `send_keyed`.
pub async fn send(ctx: &Ctx, req: SendRequest) -> Result<Message, MessagingFailure> {
    send_inner(ctx, req, None).await
}

/// What makes a send happen at most once: the `seq`-th message of kind `purpose` caused
/// by `anchor` - the message answered, or the job sending it (both time-ordered ids that
/// stay the same when the step is retried).
#[derive(Debug, Clone, Copy)]
pub struct SendKey {
    pub anchor: uuid::Uuid,
    pub purpose: &'static str,
    pub seq: u32,
}

/// `send`, at most once per key: the message id is derived from the key (sorting just
/// after the message answered), so a rerun finds the message it filed before and only
/// makes sure its delivery is enqueued (the delivery job skips a message no longer queued).
pub async fn send_keyed(ctx: &Ctx, req: SendRequest, key: SendKey) -> Result<Message, MessagingFailure> {
    send_inner(ctx, req, Some(key)).await
}

async fn send_inner(ctx: &Ctx, req: SendRequest, key: Option<SendKey>) -> Result<Message, MessagingFailure> {
    // `Voice` scopes consent to calls; there is no message to send on it.
    if !req.channel.is_messaging() {
        return Err(MessagingFailure::Invalid("messages go on whatsapp, sms or email, not voice".into()));
    }
    let store = &ctx.store;
    let id = match key {
        Some(k) => MessageId::from(crate::faults::derived_after(
            req.tenant_id,
            k.anchor,
            1 + u64::from(k.seq),
            k.purpose,
        )),
        None => MessageId::new(),
    };
    if key.is_some()
        && let Some(existing) = store.get_message(req.tenant_id, id).await?
    {
        match existing.error_code.as_deref() {
            Some("opted_out") => return Err(MessagingFailure::OptedOut),
            Some("no_approved_template") => {
                return Err(MessagingFailure::NoApprovedTemplate(existing.template.unwrap_or_default()));
            }
            _ => {}
        }
        if existing.status == MessageStatus::Queued {
            enqueue_delivery(ctx, &existing, req.automated, None).await?;
        }
        return Ok(existing);
    }
    let now = ctx.clock.now();
    let patient = store
        .get_patient(req.tenant_id, req.patient_id)
        .await?
        .ok_or(MessagingFailure::NotFound("patient"))?;
    let tenant = store.tenant_by_id(req.tenant_id).await?.ok_or(MessagingFailure::NotFound("tenant"))?;
    if req.channel == Channel::Email && patient.email.is_none() {
        return Err(MessagingFailure::Invalid("the patient has no e-mail address".into()));
    }
    let settings = store.tenant_settings(req.tenant_id).await?;
    let provider = settings.messaging.provider_for(req.channel);
    let conversation =
        store.conversation_for(&Conversation::new(req.tenant_id, patient.id, req.channel, now)).await?;
    if req.automated && !may_send_automated(&store.consents(req.tenant_id, patient.id).await?, req.channel) {
        // Kept on the conversation, so staff can see why the patient heard nothing.
        let skipped = skipped_message(
            id,
            &req,
            conversation.id,
            provider,
            ("opted_out", "skipped: the patient opted out of automated messages"),
            now,
        );
        store.insert_message(&skipped).await?;
        return Err(MessagingFailure::OptedOut);
    }
    // The 24-hour rule is Meta's; the sandbox plays the patient and does not enforce it.
    let window_closed = provider != ProviderKind::Sandbox
        && req.channel == Channel::Whatsapp
        && !conversation.window_open(now);
    let (body, template, approved) = match &req.content {
        Content::Text(text) => {
            if text.trim().is_empty() {
                return Err(MessagingFailure::Invalid("the message is empty".into()));
            }
            if window_closed {
                return Err(MessagingFailure::WindowClosed);
            }
            (text.trim().to_owned(), None, None)
        }
        Content::Template { key, variables } => {
            let override_source = settings.messaging.template_override(*key, patient.locale);
            let text = render(*key, patient.locale, override_source, variables)
                .map_err(|e| MessagingFailure::Invalid(e.to_string()))?;
            let approved = if window_closed {
                let Some(t) = settings.messaging.approved_template(*key, patient.locale) else {
                    if req.automated {
                        // Nobody is there to see the error: the conversation shows it instead.
                        let why = (
                            "no_approved_template",
                            "skipped: WhatsApp's 24-hour window is closed and the clinic has no approved template for this message",
                        );
                        store
                            .insert_message(&skipped_message(id, &req, conversation.id, provider, why, now))
                            .await?;
                    }
                    return Err(MessagingFailure::NoApprovedTemplate(key.as_str().into()));
                };
                let params = t.parameters(variables).map_err(|e| MessagingFailure::Invalid(e.to_string()))?;
                Some((t.id.clone(), params))
            } else {
                None
            };
            (text, Some(key.as_str().to_owned()), approved)
        }
    };
    let message = Message {
        id,
        tenant_id: req.tenant_id,
        conversation_id: conversation.id,
        patient_id: patient.id,
        direction: Direction::Outbound,
        channel: req.channel,
        body: Some(MessageText::new(body)),
        media: Vec::new(),
        transcript: None,
        template: approved.as_ref().map(|(id, _)| id.clone()).or(template),
        provider: provider.as_str().to_owned(),
        provider_message_id: None,
        status: MessageStatus::Queued,
        error_code: None,
        error_message: None,
        created_at: now,
        updated_at: now,
    };
    // Automated messages wait for the clinic's allowed hours (in the clinic's time zone).
    let run_at = if req.automated {
        next_allowed(now, &tenant.timezone.time_zone(), &settings.messaging.quiet_hours)
    } else {
        now
    };
    // Filed with its delivery job in one transaction: never queued without a way out.
    let job = delivery_job(&message, req.automated, approved, run_at);
    // The live views learn of it with the same commit (keyed by the message).
    let mut updated = conversation;
    updated.record_outbound(now);
    // A person answering a patient who waited for one: how long they waited.
    let waited =
        if req.by == frontdesk_domain::messaging::Sender::Staff { updated.staff_replied(now) } else { None };
    let mut fact = crate::facts::message_fact(frontdesk_domain::facts::FactKind::MessageSent, &message, now);
    fact.payload["by"] = serde_json::json!(req.by.as_str());
    if let Some(campaign) = req.campaign {
        fact.payload["campaign_id"] = serde_json::json!(campaign);
    }
    if let Some(seconds) = waited {
        fact.payload["staff_response_seconds"] = serde_json::json!(seconds);
    }
    let mut jobs = vec![job];
    jobs.extend(crate::facts::jobs_for(&fact, now));
    store.insert_message_with_jobs(&message, &jobs, now).await?;
    ctx.faults.interrupt("send.filed")?;
    store.save_conversation(&updated).await?;
    Ok(message)
}

/// An automated message that was not sent, recorded failed with `why` (`(code, text)`) so
/// that the conversation and the failed-sends list say why the patient heard nothing.
fn skipped_message(
    id: MessageId,
    req: &SendRequest,
    conversation: frontdesk_domain::ConversationId,
    provider: ProviderKind,
    why: (&str, &str),
    now: jiff::Timestamp,
) -> Message {
    Message {
        id,
        tenant_id: req.tenant_id,
        conversation_id: conversation,
        patient_id: req.patient_id,
        direction: Direction::Outbound,
        channel: req.channel,
        body: None,
        media: Vec::new(),
        transcript: None,
        template: match &req.content {
            Content::Template { key, .. } => Some(key.as_str().to_owned()),
            Content::Text(_) => None,
        },
        provider: provider.as_str().to_owned(),
        provider_message_id: None,
        status: MessageStatus::Failed,
        error_code: Some(why.0.into()),
        error_message: Some(why.1.into()),
        created_at: now,
        updated_at: now,
    }
}

/// An approved WhatsApp template: its provider id and numbered parameters.
type Approved = Option<(String, BTreeMap<String, String>)>;

/// Enqueues the job that hands `message` to the provider, keyed by the message: enqueueing
/// again while it waits changes nothing. A rerun of a keyed send that found its message
/// still queued passes `None` and re-derives what the job needs.
async fn enqueue_delivery(
    ctx: &Ctx,
    message: &Message,
    automated: bool,
    planned: Option<(Approved, jiff::Timestamp)>,
) -> Result<(), MessagingFailure> {
    let now = ctx.clock.now();
    // A rerun (`None`) sends the filed text; keyed sends are replies within the window.
    let (approved, run_at) = match planned {
        Some(p) => p,
        None => (None, now),
    };
    ctx.store.enqueue(&delivery_job(message, automated, approved, run_at), now).await?;
    Ok(())
}

/// The job that hands `message` to the provider, keyed by the message.
fn delivery_job(message: &Message, automated: bool, approved: Approved, run_at: jiff::Timestamp) -> NewJob {
    let payload = SendPayload { message_id: message.id, automated, approved };
    NewJob::new(message.tenant_id, SEND_JOB, serde_json::json!(payload), run_at)
        .with_dedupe_key(format!("message:{}", message.id))
}
