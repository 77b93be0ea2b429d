//! Sending e-mail over SMTP. The message carries Frontdesk's own `Message-ID` (so a reply's
//! `In-Reply-To` names the message it answers), `In-Reply-To` and `References` when it
//! answers the patient, a plain-text and an HTML part, and `List-Unsubscribe` with
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) for automated mail.

use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or in tests.
    None,
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// One e-mail to one patient. Message ids are bare (`id@domain`, no angle brackets).
#[derive(Clone)]
pub struct OutboundEmail {
    pub from_name: Option<String>,
    pub from_address: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// Oldest first; the message answered last.
    pub references: Vec<String>,
    /// An `https://` URL that unsubscribes with one POST (RFC 8058).
    pub unsubscribe_url: Option<String>,
}

impl std::fmt::Debug for OutboundEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundEmail").field("message_id", &self.message_id).finish_non_exhaustive()
    }
}

/// What the server said when it took the message.
#[derive(Debug, Clone)]
pub struct SentEmail {
    pub message_id: String,
    pub reply: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// The message could not be built (an address that is not one, a header that cannot be).
    #[error("the e-mail cannot be built: {0}")]
    Invalid(String),
    /// The server refused it for good (a 5xx reply: unknown mailbox, rejected content).
    #[error("the mail server refused the message ({code})")]
    Rejected { code: String },
    /// A 4xx reply, a timeout or a connection that failed: the same message may go later.
    #[error("the mail server could not take the message now: {0}")]
    Transient(String),
}

impl EmailError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Transient(_))
    }

    /// The SMTP reply code of a refusal (`550`...), to record on the message.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Rejected { code } => Some(code),
            _ => None,
        }
    }
}

#[async_trait]
pub trait EmailSender: Send + Sync {
    async fn send(&self, email: &OutboundEmail) -> Result<SentEmail, EmailError>;
}

/// The e-mail as an RFC 5322 message.
pub fn build_message(email: &OutboundEmail) -> Result<Message, EmailError> {
    let invalid = |what: &str| EmailError::Invalid(what.to_owned());
    let from_address = email.from_address.parse().map_err(|_| invalid("the sender address is not valid"))?;
    let to = email.to.parse().map_err(|_| invalid("the recipient address is not valid"))?;
    let mut builder = Message::builder()
        .from(Mailbox::new(email.from_name.clone(), from_address))
        .to(Mailbox::new(None, to))
        .subject(email.subject.clone())
        .message_id(Some(format!("<{}>", email.message_id)));
    if let Some(parent) = &email.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !email.references.is_empty() {
        let refs = email.references.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(" ");
        builder = builder.references(refs);
    }
    if let Some(url) = &email.unsubscribe_url {
        if !url.starts_with("https://") && !url.starts_with("http://") || url.contains(['<', '>', '\r', '\n'])
        {
            return Err(invalid("the unsubscribe link is not an http(s) URL"));
        }
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(email.html.clone())),
        )
        .map_err(|e| EmailError::Invalid(e.to_string()))
}

/// Sends through one SMTP server, one connection per message (campaign sends are spread
/// over time, so a pool would mostly hold idle connections).
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    pub fn new(config: &SmtpConfig) -> Result<Self, EmailError> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| EmailError::Invalid(format!("TLS: {e}")))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            .port(config.port)
            .timeout(Some(config.timeout))
            .tls(match config.security {
                SmtpSecurity::StartTls => Tls::Required(tls(&config.host)?),
                SmtpSecurity::Tls => Tls::Wrapper(tls(&config.host)?),
                SmtpSecurity::None => Tls::None,
            });
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose_secret().to_owned()));
        }
        Ok(Self { transport: builder.build() })
    }
}

#[async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: &OutboundEmail) -> Result<SentEmail, EmailError> {
        let message = build_message(email)?;
        match self.transport.send(message).await {
            Ok(response) => Ok(SentEmail {
                message_id: email.message_id.clone(),
                reply: format!("{} {}", response.code(), response.first_line().unwrap_or_default()),
            }),
            Err(e) if e.is_permanent() => {
                Err(EmailError::Rejected { code: e.status().map_or_else(|| "5xx".into(), |c| c.to_string()) })
            }
            // lettre's errors name the server, never the recipient.
            Err(e) => Err(EmailError::Transient(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> OutboundEmail {
        OutboundEmail {
            from_name: Some("Clínica Sorriso".into()),
            from_address: "contato@sorriso.example".into(),
            to: "maria@example.com".into(),
            subject: "Sua consulta".into(),
            text: "Olá, Maria!".into(),
            html: "<p>Olá, Maria!</p>".into(),
            message_id: "0190-abc@sorriso.example".into(),
            in_reply_to: Some("CAF=xyz@mail.gmail.com".into()),
            references: vec!["first@sorriso.example".into(), "CAF=xyz@mail.gmail.com".into()],
            unsubscribe_url: Some("https://fd.example/unsubscribe/tok".into()),
        }
    }

    #[test]
    fn the_message_threads_and_unsubscribes_in_one_click() {
        let raw = String::from_utf8(build_message(&email()).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <0190-abc@sorriso.example>"), "{raw}");
        assert!(raw.contains("In-Reply-To: <CAF=xyz@mail.gmail.com>"), "{raw}");
        assert!(raw.contains("References: <first@sorriso.example> <CAF=xyz@mail.gmail.com>"), "{raw}");
        assert!(raw.contains("List-Unsubscribe: <https://fd.example/unsubscribe/tok>"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/html"), "{raw}");
        // A reader gets the same message back out.
        let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(parsed.message_id(), Some("0190-abc@sorriso.example"));
        assert_eq!(parsed.subject(), Some("Sua consulta"));
        assert_eq!(parsed.body_text(0).unwrap().trim(), "Olá, Maria!");
    }

    #[test]
    fn bad_addresses_and_links_are_refused_before_any_connection() {
        let mut e = email();
        e.to = "not an address".into();
        assert!(matches!(build_message(&e), Err(EmailError::Invalid(_))));
        let mut e = email();
        e.unsubscribe_url = Some("https://x>\r\nBcc: all@example.com".into());
        assert!(matches!(build_message(&e), Err(EmailError::Invalid(_))));
        let mut e = email();
        e.in_reply_to = None;
        e.references.clear();
        e.unsubscribe_url = None;
        let raw = String::from_utf8(build_message(&e).unwrap().formatted()).unwrap();
        assert!(!raw.contains("In-Reply-To") && !raw.contains("List-Unsubscribe"));
    }

    #[test]
    fn only_transient_failures_are_retried() {
        assert!(EmailError::Transient("timeout".into()).is_retryable());
        assert!(!EmailError::Rejected { code: "550".into() }.is_retryable());
        assert_eq!(EmailError::Rejected { code: "550".into() }.code(), Some("550"));
    }
}
