//! Composing and sending the clinic's e-mail: subject, text and HTML, the headers that
//! thread a reply (`Message-ID`, `In-Reply-To`, `References`) and the one-click unsubscribe
//! link, sent over the clinic's SMTP server.

use super::email_threads::{INBOUND_PROVIDER, MAX_REFERENCES};
use crate::Ctx;
use crate::jobs::JobError;
use frontdesk_domain::messaging::{Direction, EmailSettings, Message};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_providers::email::{self as provider, EmailSender, OutboundEmail};
use secrecy::SecretString;

/// The `Message-ID` (bare) of an outbound e-mail.
pub fn message_id_for(message: &Message, email: Option<&EmailSettings>) -> String {
    let domain = email.map_or("frontdesk.invalid", EmailSettings::domain);
    format!("{}@{domain}", message.id.0.simple())
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
    let mut paragraphs: String = body.split("\n\n").map(|p| format!("<p>{}</p>", linked(p))).collect();
    // A booking link (the recall's, the reply agent's) is also a button: on a phone, a tap
    // target bigger than a line of text.
    if let Some(url) = urls(body).find(|u| u.contains("/book/")) {
        let label = match locale {
            Locale::PtBr => "Escolher um horário",
            Locale::En => "Choose a time",
        };
        paragraphs.push_str(&format!(
            "<p><a href=\"{}\" style=\"display:inline-block;background:#0b5cad;color:#ffffff;padding:12px 20px;\
             border-radius:6px;text-decoration:none;font-weight:bold\">{label}</a></p>",
            escape(url)
        ));
    }
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

/// The web addresses in `text` (`http://` or `https://` up to a space), without the
/// punctuation that ends a sentence after them.
fn urls(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']))
}

/// A paragraph as HTML: escaped, line breaks kept, web addresses as links.
fn linked(paragraph: &str) -> String {
    paragraph
        .split('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| match urls(word).next() {
                    Some(url) => {
                        let rest = &word[url.len()..];
                        format!("<a href=\"{0}\">{0}</a>{1}", escape(url), escape(rest))
                    }
                    None => escape(word),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("<br>")
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

    #[test]
    fn links_are_clickable_and_a_booking_link_is_a_button() {
        let body = "Olá!\nAgende aqui: https://c.example/book/sorriso?patient=1&invite=2.\nAté logo";
        let (text, html) = bodies(body, None, Locale::PtBr, "Clínica");
        assert_eq!(text, body, "the plain text stays as written");
        assert!(
            html.contains(
                "Agende aqui: <a href=\"https://c.example/book/sorriso?patient=1&amp;invite=2\">\
                 https://c.example/book/sorriso?patient=1&amp;invite=2</a>.<br>Até logo"
            ),
            "{html}"
        );
        assert!(html.contains(">Escolher um horário</a>"), "{html}");
        let (_, html) = bodies("See https://c.example/faq", None, Locale::En, "C");
        assert!(
            html.contains("<a href=\"https://c.example/faq\">") && !html.contains("Choose a time"),
            "{html}"
        );
    }
}
