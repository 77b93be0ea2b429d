//! The job that hands a queued message to its provider. Every send carries the message id
//! as idempotency key, so a retried job never messages a patient twice. Provider 429/5xx
//! and timeouts are retried with back-off; a permanent refusal is recorded on the message
//! with the provider's error code.

use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::MessageId;
use frontdesk_domain::jobs::Job;
use frontdesk_domain::messaging::{Channel, Message, MessageStatus, ProviderKind, may_send_automated};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_providers::helena::{HelenaApi, HelenaClient, HelenaConfig, HelenaTemplate, HelenaText};
use frontdesk_providers::twilio::{
    self, MessageContent, OutboundSms, TwilioApi, TwilioClient, TwilioConfig, TwilioSender,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SEND_JOB: &str = "messaging.send";

#[derive(Debug, Serialize, Deserialize)]
pub struct SendPayload {
    pub message_id: MessageId,
    pub automated: bool,
    /// An approved WhatsApp template (provider id, numbered parameters), used outside the
    /// 24-hour window instead of the text.
    pub approved: Option<(String, BTreeMap<String, String>)>,
}

pub(super) struct SendHandler {
    pub ctx: Ctx,
}

/// What a provider answered.
enum Outcome {
    Accepted { provider_id: String, status: MessageStatus },
    Refused { code: Option<String>, message: String },
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

#[async_trait]
impl JobHandler for SendHandler {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: SendPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let tenant = job.tenant_id;
        let Some(mut message) = ctx.store.get_message(tenant, p.message_id).await.map_err(retry)? else {
            return Ok(());
        };
        if message.status != MessageStatus::Queued {
            return Ok(());
        }
        let now = ctx.clock.now();
        // Consent may have changed between scheduling and sending: skip, and say why.
        if p.automated
            && !may_send_automated(
                &ctx.store.consents(tenant, message.patient_id).await.map_err(retry)?,
                message.channel,
            )
        {
            message.apply_status(
                MessageStatus::Failed,
                Some("opted_out".into()),
                Some("skipped: the patient opted out of automated messages".into()),
                now,
            );
            if !ctx.store.save_message_status(&message, MessageStatus::Queued).await.map_err(retry)? {
                return Ok(());
            }
            tracing::info!(message_id = %message.id, "automated message skipped: opted out");
            let fact = crate::facts::message_fact(
                frontdesk_domain::facts::FactKind::MessageStatusChanged,
                &message,
                now,
            );
            return crate::facts::note(ctx, &fact).await.map_err(retry);
        }
        let patient = ctx
            .store
            .get_patient(tenant, message.patient_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("patient gone"))?;
        let settings = ctx.store.tenant_settings(tenant).await.map_err(retry)?;
        let tenant_record = ctx
            .store
            .tenant_by_id(tenant)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("no tenant"))?;
        let slug = tenant_record.slug.to_string();
        let outcome = match message.provider.parse::<ProviderKind>().unwrap_or(ProviderKind::Sandbox) {
            // The sandbox "delivers" e-mail under its real Message-ID, so replies thread.
            ProviderKind::Sandbox if message.channel == Channel::Email => Outcome::Accepted {
                provider_id: super::email_send::message_id_for(&message, settings.messaging.email.as_ref()),
                status: MessageStatus::Delivered,
            },
            ProviderKind::Sandbox => Outcome::Accepted {
                provider_id: format!("SB{}", message.id.0.simple()),
                status: MessageStatus::Delivered,
            },
            ProviderKind::Twilio => send_twilio(ctx, &settings, &slug, &message, &patient, &p).await?,
            ProviderKind::Helena => send_helena(ctx, &settings, &message, &patient, &p).await?,
            ProviderKind::Smtp => send_email(ctx, &settings, &tenant_record, &message, &patient).await?,
        };
        match outcome {
            Outcome::Accepted { provider_id, status } => {
                message.provider_message_id = Some(provider_id);
                message.apply_status(MessageStatus::Sent, None, None, now);
                message.apply_status(status, None, None, now);
                metrics::counter!("frontdesk_messages_sent_total", "provider" => message.provider.clone())
                    .increment(1);
            }
            Outcome::Refused { code, message: text } => {
                message.apply_status(MessageStatus::Failed, code, Some(text), now);
                metrics::counter!("frontdesk_messages_failed_total", "provider" => message.provider.clone())
                    .increment(1);
            }
        }
        // Compare-and-set on `queued`: if this job's lease ran out while the provider was
        // answering and another run sent it too, the first record stands (its provider id is
        // the one status callbacks will name) and this one changes nothing.
        if !ctx.store.save_message_status(&message, MessageStatus::Queued).await.map_err(retry)? {
            tracing::warn!(message_id = %message.id, "send recorded by another run first; this run's copy is not recorded");
            return Ok(());
        }
        let fact = crate::facts::message_fact(
            frontdesk_domain::facts::FactKind::MessageStatusChanged,
            &message,
            now,
        );
        crate::facts::note(ctx, &fact).await.map_err(retry)
    }
}

fn body_of(message: &Message) -> String {
    message.body.as_ref().map(|b| b.as_str().to_owned()).unwrap_or_default()
}

async fn send_twilio(
    ctx: &Ctx,
    settings: &TenantSettings,
    slug: &str,
    message: &Message,
    patient: &Patient,
    p: &SendPayload,
) -> Result<Outcome, JobError> {
    let t =
        settings.messaging.twilio.as_ref().ok_or_else(|| JobError::permanent("Twilio is not configured"))?;
    let sender = match (&t.messaging_service_sid, message.channel) {
        (Some(sid), _) => TwilioSender::MessagingService(sid.clone()),
        (None, Channel::Whatsapp) => TwilioSender::Number(t.whatsapp_from.clone().unwrap_or_default()),
        (None, Channel::Sms) => TwilioSender::Number(t.sms_from.clone().unwrap_or_default()),
        // `send` refuses the voice channel, so no such message reaches delivery.
        (None, Channel::Voice | Channel::Email) => {
            return Err(JobError::permanent("Twilio sends WhatsApp and SMS only"));
        }
    };
    let client = twilio_client(t, sender, ctx.media.allow_private_network)?;
    let content = match &p.approved {
        Some((content_sid, variables)) => {
            MessageContent::Template { content_sid: content_sid.clone(), variables: variables.clone() }
        }
        None => MessageContent::Text { body: body_of(message), media_urls: Vec::new() },
    };
    let sms = OutboundSms {
        channel: match message.channel {
            Channel::Whatsapp => twilio::Channel::Whatsapp,
            Channel::Sms | Channel::Voice | Channel::Email => twilio::Channel::Sms,
        },
        to: patient.phone.as_str().to_owned(),
        from: None,
        content,
        status_callback: Some(format!(
            "{}/webhooks/twilio/{slug}/status",
            ctx.public_url.trim_end_matches('/')
        )),
        idempotency_token: message.id.to_string(),
    };
    match client.send(&sms).await {
        Ok(sent) => Ok(Outcome::Accepted { provider_id: sent.sid, status: twilio_status(&sent.status) }),
        Err(e) if e.is_retryable() => Err(retry(e)),
        Err(e) => Ok(Outcome::Refused { code: e.code().map(|c| c.to_string()), message: e.to_string() }),
    }
}

/// E-mail over the clinic's SMTP server: `sent` once the server took it (delivery is
/// learnt only from a bounce).
async fn send_email(
    ctx: &Ctx,
    settings: &TenantSettings,
    tenant: &frontdesk_domain::tenant::Tenant,
    message: &Message,
    patient: &Patient,
) -> Result<Outcome, JobError> {
    let email =
        settings.messaging.email.as_ref().ok_or_else(|| JobError::permanent("e-mail is not configured"))?;
    let composed = match super::email_send::compose(ctx, email, tenant, message, patient).await? {
        Ok(c) => c,
        Err(code) => {
            return Ok(Outcome::Refused {
                code: Some(code.into()),
                message: "the patient has no e-mail address".into(),
            });
        }
    };
    Ok(match super::email_send::send_smtp(email, &composed).await? {
        Ok(id) => Outcome::Accepted { provider_id: id, status: MessageStatus::Sent },
        Err((code, text)) => Outcome::Refused { code: Some(code), message: text },
    })
}

/// Twilio's statuses in Frontdesk's terms.
pub fn twilio_status(s: &twilio::MessageStatus) -> MessageStatus {
    use twilio::MessageStatus as T;
    match s {
        T::Queued | T::Accepted | T::Scheduled => MessageStatus::Queued,
        T::Sending => MessageStatus::Sending,
        T::Sent => MessageStatus::Sent,
        T::Delivered | T::PartiallyDelivered => MessageStatus::Delivered,
        T::Read => MessageStatus::Read,
        T::Failed | T::Canceled => MessageStatus::Failed,
        T::Undelivered => MessageStatus::Undelivered,
        T::Receiving | T::Received => MessageStatus::Received,
        T::Other(_) => MessageStatus::Sent,
    }
}

async fn send_helena(
    ctx: &Ctx,
    settings: &TenantSettings,
    message: &Message,
    patient: &Patient,
    p: &SendPayload,
) -> Result<Outcome, JobError> {
    let h =
        settings.messaging.helena.as_ref().ok_or_else(|| JobError::permanent("Helena is not configured"))?;
    let config = HelenaConfig::new(SecretString::from(h.api_token.clone()))
        .with_base_url(&h.base_url)
        .with_default_from(&h.from)
        .with_private_network(ctx.media.allow_private_network);
    let client = HelenaClient::new(config).map_err(|e| JobError::permanent(e.to_string()))?;
    let to = patient.phone.as_str().to_owned();
    let sender_id = Some(message.id.to_string());
    let result = match &p.approved {
        Some((template_id, parameters)) => {
            let t = HelenaTemplate {
                to,
                from: None,
                template_id: template_id.clone(),
                parameters: parameters.clone(),
                sender_id,
            };
            client.send_template(&t).await
        }
        None => {
            let t = HelenaText {
                to,
                from: None,
                text: body_of(message),
                session_id: None,
                ref_id: None,
                callback_url: None,
                sender_id,
            };
            client.send_text(&t).await
        }
    };
    match result {
        Ok(sent) => Ok(Outcome::Accepted { provider_id: sent.id, status: MessageStatus::Sent }),
        Err(e) if e.is_retryable() => Err(retry(e)),
        Err(e) => Ok(Outcome::Refused { code: None, message: e.to_string() }),
    }
}

/// The tenant's Twilio account as a client (`sender` only matters for sends).
pub(super) fn twilio_client(
    t: &frontdesk_domain::messaging::TwilioSettings,
    sender: TwilioSender,
    allow_private_network: bool,
) -> Result<TwilioClient, JobError> {
    let config = TwilioConfig::new(&t.account_sid, SecretString::from(t.auth_token.clone()), sender)
        .with_base_url(&t.base_url)
        .with_private_network(allow_private_network);
    TwilioClient::new(config).map_err(|e| JobError::permanent(e.to_string()))
}
