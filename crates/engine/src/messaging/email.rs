//! E-mail as a channel: composing the clinic's message (subject, text and HTML, the
//! headers that thread a reply, the one-click unsubscribe link) and sending it over the
//! clinic's SMTP server; reading what comes back through the inbound webhooks (Mailgun,
//! SendGrid) into the same inbound path as WhatsApp and SMS; bounces; unsubscribing.
//!
//! Message ids: an outbound e-mail's `Message-ID` is `{message id}@{sender domain}` and is
//! stored as its provider id, so a reply's `In-Reply-To` finds the message it answers.
//! Inbound e-mail is stored under the provider `email` whichever webhook brought it, so a
//! message delivered by two routes is one message.

use super::contact_prefs::{OptOutScope, opt_out};
use super::inbound::{InboundMessageEvent, accept_inbound};
use super::status::{StatusReport, accept_status};
use super::webhooks::WebhookError;
use crate::Ctx;
use crate::jobs::JobError;
use frontdesk_domain::messaging::{Channel, Direction, EmailSettings, Message, MessageStatus};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_providers::email::{self as provider, EmailSender, InboundEmail, OutboundEmail};
use frontdesk_store::NewInboundEvent;
use secrecy::SecretString;
use subtle::ConstantTimeEq;

/// The provider name inbound e-mail is stored under.
pub const INBOUND_PROVIDER: &str = "email";
/// Where e-mail from an address the clinic does not know is kept for staff.
pub const UNMATCHED_PROVIDER: &str = "email-unmatched";
/// The providers an outbound e-mail may have been sent by (its id is looked up in each).
const OUTBOUND_PROVIDERS: [&str; 2] = ["smtp", "sandbox"];
/// How many earlier message ids a reply's `References` carries.
const MAX_REFERENCES: usize = 10;

/// The `Message-ID` (bare) of an outbound e-mail.
pub fn message_id_for(message: &Message, email: Option<&EmailSettings>) -> String {
    let domain = email.map_or("frontdesk.invalid", EmailSettings::domain);
    format!("{}@{domain}", message.id.0.simple())
}

/// The message of the clinic's that an inbound e-mail answers, found from its
/// `In-Reply-To`, then its `References` (latest first).
async fn answered_message(
    ctx: &Ctx,
    tenant: TenantId,
    email: &serde_json::Value,
) -> Result<Option<Message>, JobError> {
    let ids = |k: &str| -> Vec<String> {
        email[k]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let mut candidates = ids("in_reply_to");
    candidates.extend(ids("references").into_iter().rev());
    for id in candidates.iter().take(MAX_REFERENCES * 2) {
        for provider in OUTBOUND_PROVIDERS.iter().chain([&INBOUND_PROVIDER]) {
            if let Some(m) = ctx.store.message_by_provider_id(tenant, provider, id).await? {
                return Ok(Some(m));
            }
        }
    }
    Ok(None)
}

/// Who wrote an inbound e-mail: the patient of the message it answers, else the patient
/// with the sender's address. `None`: nobody the clinic knows.
pub(super) async fn identify(
    ctx: &Ctx,
    tenant: TenantId,
    event: &InboundMessageEvent,
) -> Result<Option<Patient>, JobError> {
    if let Some(m) = answered_message(ctx, tenant, &event.extra).await? {
        return Ok(ctx.store.get_patient(tenant, m.patient_id).await?);
    }
    Ok(ctx.store.patient_by_email(tenant, event.from.trim()).await?)
}

/// Keeps an e-mail from an unknown address where staff find it (`GET
/// /api/v1/email/unmatched`), once.
pub(super) async fn keep_unmatched(
    ctx: &Ctx,
    tenant: TenantId,
    event: &InboundMessageEvent,
) -> Result<(), JobError> {
    let record = NewInboundEvent {
        tenant_id: tenant,
        provider: UNMATCHED_PROVIDER.into(),
        external_id: event.provider_message_id.clone(),
        kind: "email".into(),
        payload: serde_json::to_value(event).map_err(|e| JobError::permanent(e.to_string()))?,
    };
    ctx.store.record_event(&record, &[], ctx.clock.now()).await?;
    tracing::info!("an e-mail from an address on no patient's record was kept for staff");
    Ok(())
}

/// A bounce: the returned message is marked undelivered (or failed, for a permanent
/// refusal) with the report's status. Returns whether a message of ours was named.
pub(super) async fn apply_bounce(
    ctx: &Ctx,
    tenant: TenantId,
    event: &InboundMessageEvent,
) -> Result<bool, JobError> {
    let bounce = &event.extra["bounce"];
    let permanent = bounce["permanent"].as_bool().unwrap_or(true);
    let status = bounce["status"].as_str().map(str::to_owned);
    for id in bounce["original_ids"].as_array().into_iter().flatten().filter_map(|v| v.as_str()) {
        for provider in OUTBOUND_PROVIDERS {
            if ctx.store.message_by_provider_id(tenant, provider, id).await?.is_some() {
                let report = StatusReport {
                    provider: provider.into(),
                    provider_message_id: id.to_owned(),
                    status: if permanent { MessageStatus::Failed } else { MessageStatus::Undelivered },
                    error_code: Some("bounced".into()),
                    error_message: Some(format!(
                        "the mail server returned the message{}",
                        status.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
                    )),
                };
                accept_status(ctx, tenant, &report).await?;
                return Ok(true);
            }
        }
    }
    Ok(false)
}

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

/// What the send job needs to know to send one e-mail.
pub(super) struct Composed {
    pub email: OutboundEmail,
}

/// The clinic's message as an e-mail to the patient, answering the patient's latest
/// e-mail in the conversation when there is one.
pub(super) async fn compose(
    ctx: &Ctx,
    settings: &EmailSettings,
    tenant: &Tenant,
    message: &Message,
    patient: &Patient,
) -> Result<Result<Composed, &'static str>, JobError> {
    let Some(to) = patient.email.as_ref() else { return Ok(Err("no_email_address")) };
    let thread = ctx.store.list_messages(tenant.id, message.conversation_id).await?;
    let ids: Vec<String> =
        thread.iter().filter(|m| m.id != message.id).filter_map(|m| m.provider_message_id.clone()).collect();
    let last_inbound =
        thread.iter().rev().find(|m| m.direction == Direction::Inbound && m.provider_message_id.is_some());
    let subject = match last_inbound {
        Some(m) => {
            let stored = ctx
                .store
                .inbound_event(
                    tenant.id,
                    INBOUND_PROVIDER,
                    m.provider_message_id.as_deref().unwrap_or_default(),
                )
                .await?;
            let theirs = stored.and_then(|e| e.payload["extra"]["subject"].as_str().map(str::to_owned));
            match theirs {
                Some(s) if s.to_lowercase().starts_with("re:") => s,
                Some(s) if !s.trim().is_empty() => format!("Re: {s}"),
                _ => subject_from(&tenant.name, message),
            }
        }
        None => subject_from(&tenant.name, message),
    };
    let body = message.body.as_ref().map(|b| b.as_str().to_owned()).unwrap_or_default();
    let unsubscribe = crate::links::unsubscribe_url(ctx, tenant, patient.id);
    let (text, html) = bodies(&body, unsubscribe.as_deref(), patient.locale, &tenant.name);
    let start = ids.len().saturating_sub(MAX_REFERENCES);
    Ok(Ok(Composed {
        email: OutboundEmail {
            from_name: Some(settings.from_name.clone().unwrap_or_else(|| tenant.name.clone())),
            from_address: settings.from_address.clone(),
            to: to.as_str().to_owned(),
            subject,
            text,
            html,
            message_id: message_id_for(message, Some(settings)),
            in_reply_to: last_inbound.and_then(|m| m.provider_message_id.clone()),
            references: ids[start..].to_vec(),
            unsubscribe_url: unsubscribe,
        },
    }))
}

/// A first message's subject: the clinic's name and the text's first sentence.
fn subject_from(clinic: &str, message: &Message) -> String {
    let body = message.body.as_ref().map(|b| b.as_str()).unwrap_or_default();
    let first = body.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim();
    let sentence = first.split_inclusive(['.', '!', '?']).next().unwrap_or(first).trim();
    let short: String = sentence.chars().take(70).collect();
    if short.is_empty() { clinic.to_owned() } else { format!("{clinic}: {short}") }
}

/// The plain-text and HTML bodies, each ending with the unsubscribe line.
fn bodies(body: &str, unsubscribe: Option<&str>, locale: Locale, clinic: &str) -> (String, String) {
    let footer = match locale {
        Locale::PtBr => "Não quer mais receber mensagens da clínica? Cancele aqui:",
        Locale::En => "Don't want messages from the clinic anymore? Unsubscribe here:",
    };
    let mut text = body.to_owned();
    let paragraphs: String =
        body.split("\n\n").map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>"))).collect();
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif;line-height:1.5\">{paragraphs}",
        locale.as_str()
    );
    html.push_str(&format!("<p style=\"color:#555;font-size:0.9em\">{}</p>", escape(clinic)));
    if let Some(url) = unsubscribe {
        text.push_str(&format!("\n\n--\n{footer} {url}"));
        html.push_str(&format!(
            "<p style=\"color:#555;font-size:0.8em\">{} <a href=\"{}\">{}</a></p>",
            escape(footer),
            escape(url),
            escape(url)
        ));
    }
    html.push_str("</body></html>");
    (text, html)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Sends through the clinic's SMTP server: accepted (the server took it: `sent`, the
/// provider id is the `Message-ID`), refused for good (`Err(code)`), or a retryable error.
pub(super) async fn send_smtp(
    settings: &EmailSettings,
    composed: &Composed,
) -> Result<Result<String, (String, String)>, JobError> {
    let smtp = settings.smtp.as_ref().ok_or_else(|| JobError::permanent("SMTP is not configured"))?;
    let config = provider::SmtpConfig {
        host: smtp.host.clone(),
        port: smtp.port,
        security: match smtp.security {
            frontdesk_domain::messaging::SmtpSecurity::Starttls => provider::SmtpSecurity::StartTls,
            frontdesk_domain::messaging::SmtpSecurity::Tls => provider::SmtpSecurity::Tls,
            frontdesk_domain::messaging::SmtpSecurity::None => provider::SmtpSecurity::None,
        },
        username: smtp.username.clone(),
        password: smtp.password.clone().map(SecretString::from),
        timeout: std::time::Duration::from_secs(30),
    };
    let sender = provider::SmtpSender::new(&config).map_err(|e| JobError::permanent(e.to_string()))?;
    match sender.send(&composed.email).await {
        Ok(sent) => Ok(Ok(sent.message_id)),
        Err(e) if e.is_retryable() => Err(JobError::retryable(e.to_string())),
        Err(e) => Ok(Err((e.code().unwrap_or("refused").to_owned(), e.to_string()))),
    }
}

/// One-click unsubscribe (RFC 8058), or the page's button: the patient is opted out of
/// every channel, calls included. Returns whether anything changed.
pub async fn unsubscribe(
    ctx: &Ctx,
    slug: &str,
    patient: PatientId,
    token: &str,
) -> Result<bool, WebhookError> {
    let entry = super::webhooks::tenant(ctx, slug).await?;
    let signer = ctx.links.as_ref().ok_or(WebhookError::NotConfigured("signed links"))?;
    if !signer.verify_unsubscribe(entry.tenant.id, patient, token) {
        return Err(WebhookError::Forbidden("the unsubscribe link is not valid".into()));
    }
    let Some(p) = ctx.store.get_patient(entry.tenant.id, patient).await? else {
        return Err(WebhookError::Forbidden("the unsubscribe link is not valid".into()));
    };
    Ok(opt_out(ctx, &p, OptOutScope::Everything, "unsubscribe_link", &format!("unsubscribe:{patient}"))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_escape_the_text_and_end_with_the_unsubscribe_line() {
        let (text, html) =
            bodies("Olá <Maria>!\n\nAté & logo", Some("https://x/u?a=1&b=2"), Locale::PtBr, "Clínica");
        assert!(text.ends_with("Cancele aqui: https://x/u?a=1&b=2"));
        assert!(html.contains("<p>Olá &lt;Maria&gt;!</p><p>Até &amp; logo</p>"));
        assert!(html.contains("href=\"https://x/u?a=1&amp;b=2\""));
        let (text, _) = bodies("Hi", None, Locale::En, "C");
        assert_eq!(text, "Hi");
    }
}
