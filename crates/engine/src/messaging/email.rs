//! E-mail as a channel: the inbound webhooks (Mailgun, SendGrid; Gmail in `gmail`) into
//! the same inbound path as WhatsApp and SMS, and unsubscribing. Composing and sending
//! live in `email_send`, threading, unknown senders and bounces in `email_threads` (the
//! inbound job's side), so that sending and receiving do not import each other.
//!
//! Message ids: an outbound e-mail's `Message-ID` is `{message id}@{sender domain}` and is
//! stored as its provider id, so a reply's `In-Reply-To` finds the message it answers.
//! Inbound e-mail is stored under the provider `email` whichever webhook brought it, so a
//! message delivered by two routes is one message.

use super::contact_prefs::{OptOutScope, opt_out};
use super::inbound::{InboundMessageEvent, accept_inbound};
use super::webhooks::WebhookError;
use crate::Ctx;
use frontdesk_domain::messaging::Channel;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_providers::email::{self as provider, InboundEmail};
use subtle::ConstantTimeEq;

pub use super::email_send::message_id_for;
pub use super::email_threads::{INBOUND_PROVIDER, UNMATCHED_PROVIDER};

/// Files an inbound e-mail as an inbound message event (stored before the webhook answers,
/// deduplicated by its `Message-ID`). Returns whether it was new.
pub(super) async fn accept_email(
    ctx: &Ctx,
    tenant: TenantId,
    via: &str,
    email: InboundEmail,
) -> Result<bool, WebhookError> {
    let from = email.from_address.clone().unwrap_or_default();
    // A message without an id (rare) is keyed by what identifies its content.
    let id = email.message_id.clone().unwrap_or_else(|| {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{from}\n{:?}\n{}", email.subject, email.text));
        format!("sha256-{}", hex::encode(&digest[..16]))
    });
    let event = InboundMessageEvent {
        provider: INBOUND_PROVIDER.into(),
        provider_message_id: id,
        channel: Channel::Email,
        from,
        body: email.text.clone(),
        media: Vec::new(),
        profile_name: email.from_name.clone(),
        extra: serde_json::json!({
            "via": via,
            "subject": email.subject,
            "in_reply_to": email.in_reply_to,
            "references": email.references,
            "automatic": email.automatic,
            "attachments": email.attachments,
            "bounce": email.bounce.as_ref().map(|b| serde_json::json!({
                "original_ids": b.original_ids, "status": b.status, "permanent": b.permanent,
            })),
        }),
    };
    Ok(!accept_inbound(ctx, tenant, &event).await?.duplicate)
}

/// A Mailgun route post (form fields), checked against the tenant's signing key.
pub async fn mailgun_webhook(
    ctx: &Ctx,
    slug: &str,
    fields: &[(String, String)],
) -> Result<bool, WebhookError> {
    let entry = super::webhooks::tenant(ctx, slug).await?;
    let key = entry
        .settings
        .messaging
        .email
        .as_ref()
        .and_then(|e| e.mailgun_signing_key.clone())
        .ok_or(WebhookError::NotConfigured("Mailgun"))?;
    provider::verify_mailgun(&key, fields, ctx.clock.now().as_second())
        .map_err(|e| WebhookError::Forbidden(e.to_string()))?;
    let email = provider::mailgun_email(fields).map_err(|e| WebhookError::Invalid(e.to_string()))?;
    accept_email(ctx, entry.tenant.id, "mailgun", email).await
}

/// A SendGrid Inbound Parse post, authenticated by the token in its URL.
pub async fn sendgrid_webhook(
    ctx: &Ctx,
    slug: &str,
    token: Option<&str>,
    fields: &[(String, String)],
) -> Result<bool, WebhookError> {
    let entry = super::webhooks::tenant(ctx, slug).await?;
    let expected = entry
        .settings
        .messaging
        .email
        .as_ref()
        .and_then(|e| e.inbound_token.clone())
        .ok_or(WebhookError::NotConfigured("SendGrid Inbound Parse"))?;
    let given = token.unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(WebhookError::Forbidden("the inbound parse token does not match".into()));
    }
    let email = provider::sendgrid_email(fields).map_err(|e| WebhookError::Invalid(e.to_string()))?;
    accept_email(ctx, entry.tenant.id, "sendgrid", email).await
}

/// every channel, calls included. Returns whether anything changed.
pub async fn unsubscribe(
    ctx: &Ctx,
    slug: &str,
    patient: PatientId,
    token: &str,
) -> Result<Patient, WebhookError> {
    let p = unsubscribe_link_patient(ctx, slug, patient, token).await?;
    opt_out(ctx, &p, OptOutScope::Everything, "unsubscribe_link", &format!("unsubscribe:{patient}")).await?;
    Ok(p)
}

/// The patient an unsubscribe link names, when its token is genuine (the page shows
/// itself in their language; a forged link learns nothing of them).
pub async fn unsubscribe_link_patient(
    ctx: &Ctx,
    slug: &str,
    patient: PatientId,
    token: &str,
) -> Result<Patient, WebhookError> {
    let entry = super::webhooks::tenant(ctx, slug).await?;
    let signer = ctx.links.as_ref().ok_or(WebhookError::NotConfigured("signed links"))?;
    let invalid = || WebhookError::Forbidden("the unsubscribe link is not valid".into());
    if !signer.verify_unsubscribe(entry.tenant.id, patient, token) {
        return Err(invalid());
    }
    ctx.store.get_patient(entry.tenant.id, patient).await?.ok_or_else(invalid)
}

/// The latest e-mails from nobody on file (newest first, at most `limit`), as they were
/// received, with when.
pub async fn unmatched(
    ctx: &Ctx,
    tenant: TenantId,
    limit: u32,
) -> Result<Vec<(jiff::Timestamp, InboundMessageEvent)>, frontdesk_store::StoreError> {
    let events = ctx.store.recent_inbound_events(tenant, UNMATCHED_PROVIDER, limit).await?;
    // An event this version cannot read (written by a later one) is left out, not a failure.
    Ok(events
        .into_iter()
        .filter_map(|e| serde_json::from_value(e.payload).ok().map(|m| (e.received_at, m)))
        .collect())
}
