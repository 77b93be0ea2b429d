//! Provider webhooks, from raw request to stored event: authenticate (Twilio's signature,
//! Helena's token), parse the wire format into Frontdesk's terms, then store. Nothing is
//! stored for a request that fails authentication.

use super::inbound::{InboundMessageEvent, accept_inbound};
use super::send_job::twilio_status;
use super::status::{StatusOutcome, StatusReport, accept_status};
use crate::Ctx;
use crate::tenant_directory::TenantEntry;
use frontdesk_domain::TenantId;
use frontdesk_domain::messaging::{Channel, Media, MessageStatus};
use frontdesk_providers::helena::{
    self, HelenaContactKind, HelenaDirection, HelenaEvent, HelenaMessageStatus,
};
use frontdesk_providers::twilio;
use frontdesk_store::{NewInboundEvent, StoreError};
use secrecy::SecretString;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum WebhookError {
    #[error("unknown tenant")]
    UnknownTenant,
    #[error("{0} is not configured for this tenant")]
    NotConfigured(&'static str),
    #[error("the request is not authentic: {0}")]
    Forbidden(String),
    #[error("invalid payload: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) async fn tenant(ctx: &Ctx, slug: &str) -> Result<Arc<TenantEntry>, WebhookError> {
    ctx.tenants.by_slug(&ctx.store, slug).await?.ok_or(WebhookError::UnknownTenant)
}

async fn twilio_verified(
    ctx: &Ctx,
    slug: &str,
    url: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<(TenantId, Vec<(String, String)>), WebhookError> {
    let t = tenant(ctx, slug).await?;
    let token = t
        .settings
        .messaging
        .twilio
        .as_ref()
        .map(|t| t.auth_token.clone())
        .ok_or(WebhookError::NotConfigured("Twilio"))?;
    let params = twilio::parse_form(body);
    twilio::verify_parsed(&token, url, body, &params, signature)
        .map_err(|e| WebhookError::Forbidden(e.to_string()))?;
    Ok((t.tenant.id, params))
}

/// An inbound Twilio message (`url` is the public URL Twilio called, query included).
/// Returns whether it was new.
pub async fn twilio_message(
    ctx: &Ctx,
    slug: &str,
    url: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<bool, WebhookError> {
    let (tenant, params) = twilio_verified(ctx, slug, url, body, signature).await?;
    let m = twilio::parse_inbound(&params).map_err(|e| WebhookError::Invalid(e.to_string()))?;
    let event = InboundMessageEvent {
        provider: "twilio".into(),
        provider_message_id: m.message_sid.clone(),
        channel: match m.channel {
            twilio::Channel::Whatsapp => Channel::Whatsapp,
            twilio::Channel::Sms => Channel::Sms,
        },
        from: m.from.clone(),
        body: m.body.clone(),
        media: m
            .media
            .iter()
            .map(|x| Media { url: x.url.clone(), content_type: x.content_type.clone() })
            .collect(),
        profile_name: m.profile_name.clone(),
        extra: serde_json::json!({
            "wa_id": m.wa_id, "button_payload": m.button_payload, "button_text": m.button_text,
            "message_type": m.message_type, "opt_out_type": m.opt_out_type,
        }),
    };
    Ok(!accept_inbound(ctx, tenant, &event).await?.duplicate)
}

/// A Twilio status callback. Returns whether it changed a message now (a report on a
/// message not stored yet is kept and applied when it is).
pub async fn twilio_status_callback(
    ctx: &Ctx,
    slug: &str,
    url: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<bool, WebhookError> {
    let (tenant, params) = twilio_verified(ctx, slug, url, body, signature).await?;
    let s = twilio::parse_status(&params).map_err(|e| WebhookError::Invalid(e.to_string()))?;
    let report = StatusReport {
        provider: "twilio".into(),
        provider_message_id: s.message_sid,
        status: twilio_status(&s.status),
        error_code: s.error_code.map(|c| c.to_string()),
        error_message: s.error_message,
    };
    Ok(accept_status(ctx, tenant, &report).await? == StatusOutcome::Applied)
}

fn helena_status(s: &HelenaMessageStatus) -> Option<MessageStatus> {
    Some(match s {
        HelenaMessageStatus::Processing | HelenaMessageStatus::Saved | HelenaMessageStatus::Queued => {
            MessageStatus::Queued
        }
        HelenaMessageStatus::Sent => MessageStatus::Sent,
        HelenaMessageStatus::Delivered => MessageStatus::Delivered,
        HelenaMessageStatus::Read => MessageStatus::Read,
        HelenaMessageStatus::Failed => MessageStatus::Failed,
        _ => return None,
    })
}

/// A Helena webhook, authenticated by the tenant's secret token (query or header).
pub async fn helena_event(
    ctx: &Ctx,
    slug: &str,
    token: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let entry = tenant(ctx, slug).await?;
    let t = &entry.tenant;
    let secret = entry
        .settings
        .messaging
        .helena
        .as_ref()
        .map(|h| h.webhook_secret.clone())
        .ok_or(WebhookError::NotConfigured("Helena"))?;
    if !helena::verify_token(&SecretString::from(secret), token) {
        return Err(WebhookError::Forbidden("wrong or missing token".into()));
    }
    let event = helena::parse_event(body).map_err(|e| WebhookError::Invalid(e.to_string()))?;
    match event {
        HelenaEvent::MessageReceived(m) if m.direction == HelenaDirection::FromContact => {
            let from = m
                .from
                .as_deref()
                .map(helena::phone)
                .ok_or_else(|| WebhookError::Invalid("the message has no sender phone".into()))?;
            let inbound = InboundMessageEvent {
                provider: "helena".into(),
                provider_message_id: m.message_id.clone(),
                channel: Channel::Whatsapp,
                from,
                body: m.text.clone().unwrap_or_default(),
                media: m
                    .file
                    .iter()
                    .filter_map(|f| {
                        Some(Media {
                            url: f.url.clone()?,
                            content_type: f.content_type.clone().unwrap_or_default(),
                        })
                    })
                    .collect(),
                profile_name: None,
                extra: serde_json::json!({"session_id": m.session_id, "contact_id": m.contact_id}),
            };
            accept_inbound(ctx, t.id, &inbound).await?;
        }
        HelenaEvent::MessageUpdated(u) => {
            if let Some(status) = helena_status(&u.status) {
                let report = StatusReport {
                    provider: "helena".into(),
                    provider_message_id: u.message_id.clone(),
                    status,
                    error_code: None,
                    error_message: u.error.clone(),
                };
                accept_status(ctx, t.id, &report).await?;
            }
        }
        // A new contact or CRM card with a phone is a lead (a repeat merges into it).
        HelenaEvent::Contact(contact)
            if matches!(contact.kind, HelenaContactKind::ContactNew | HelenaContactKind::PanelCardNew)
                && contact.phone.is_some() =>
        {
            record_raw(ctx, t.id, "contact", body).await?;
            let intake = crate::leads::LeadIntake {
                source: Some(frontdesk_domain::leads::LeadSource::Crm),
                name: contact.name.clone(),
                phone: contact.phone.clone().unwrap_or_default(),
                email: contact.email.clone(),
                utm_source: contact.utm.get("source").cloned(),
                utm_medium: contact.utm.get("medium").cloned(),
                utm_campaign: contact.utm.get("campaign").cloned(),
                submitted_at: Some(ctx.clock.now()),
                ..Default::default()
            };
            match crate::leads::create_lead(ctx, t.id, intake).await {
                Ok(_) => {}
                Err(crate::leads::LeadFailure::Store(e)) => return Err(e.into()),
                // A contact we cannot turn into a lead (no usable phone) is still kept above.
                // (The error may quote the phone, so it stays out of the log.)
                Err(_) => tracing::info!("helena contact not taken as a lead"),
            }
        }
        // Contacts, our own outbound echoes and event types we do not act on yet are kept
        // for audit (deduplicated on a hash of the body) and acknowledged.
        other => {
            let kind = match &other {
                HelenaEvent::Contact(_) => "contact".to_owned(),
                HelenaEvent::Unknown { event_type } => event_type.clone(),
                _ => "message".to_owned(),
            };
            record_raw(ctx, t.id, &kind, body).await?;
        }
    }
    Ok(())
}

/// Keeps a Helena event as received, deduplicated on a hash of the body.
async fn record_raw(ctx: &Ctx, tenant: TenantId, kind: &str, body: &[u8]) -> Result<(), WebhookError> {
    let payload: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    let record = NewInboundEvent {
        tenant_id: tenant,
        provider: "helena".into(),
        external_id: hex_sha256(body),
        kind: kind.to_owned(),
        payload,
    };
    ctx.store.record_event(&record, &[], ctx.clock.now()).await?;
    Ok(())
}

fn hex_sha256(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(body))
}

/// Plays the patient: a message as if it came from a provider, through the same path.
pub async fn sandbox_inbound(
    ctx: &Ctx,
    tenant: TenantId,
    from: &str,
    body: &str,
    channel: Channel,
) -> Result<(), WebhookError> {
    let event = InboundMessageEvent {
        provider: "sandbox".into(),
        provider_message_id: format!("SBIN{}", uuid::Uuid::now_v7().simple()),
        channel,
        from: from.to_owned(),
        body: body.to_owned(),
        media: Vec::new(),
        profile_name: None,
        extra: serde_json::Value::Null,
    };
    accept_inbound(ctx, tenant, &event).await?;
    Ok(())
}
