//! E-mail: sending over SMTP (`lettre`) with the headers that make replies thread and
//! unsubscribing one click (RFC 8058), and reading what comes back (`mail-parser`): a
//! patient's reply with the quoted history cut off, or a bounce naming the message it
//! returns. Inbound mail reaches Frontdesk through a provider's webhook: Mailgun routes
//! (HMAC-signed) or SendGrid Inbound Parse (raw MIME, a secret in the URL), or Gmail's
//! push notifications and API (`gmail`).

pub mod gmail;
mod inbound;
mod mailgun;
mod reply_text;
mod sendgrid;
mod smtp;

pub use inbound::{Bounce, InboundEmail, parse_mime, parse_mime_lenient};
pub use mailgun::{MailgunError, mailgun_email, verify_mailgun};
pub use reply_text::strip_quoted;
pub use sendgrid::{SendgridError, sendgrid_email};
pub use smtp::{
    EmailError, EmailSender, OutboundEmail, SentEmail, SmtpConfig, SmtpSecurity, SmtpSender, build_message,
};

/// A message id as Frontdesk stores it: without the angle brackets, trimmed.
pub fn bare_message_id(raw: &str) -> String {
    raw.trim().trim_start_matches('<').trim_end_matches('>').trim().to_owned()
}

/// Every message id in a `References` or `In-Reply-To` header value, in order.
pub fn message_ids(raw: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else { break };
        let id = bare_message_id(&rest[start..start + len + 1]);
        if !id.is_empty() {
            ids.push(id);
        }
        rest = &rest[start + len + 1..];
    }
    if ids.is_empty() {
        ids.extend(raw.split_whitespace().map(bare_message_id).filter(|s| !s.is_empty()));
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_read_with_or_without_brackets() {
        assert_eq!(message_ids("<a@x.com> <b@y.com>\r\n <c@z.com>"), ["a@x.com", "b@y.com", "c@z.com"]);
        assert_eq!(message_ids("a@x.com"), ["a@x.com"]);
        assert!(message_ids("  ").is_empty());
        assert_eq!(bare_message_id(" <m1@clinic.example> "), "m1@clinic.example");
    }
}
