//! SendGrid Inbound Parse: a multipart post per received message. SendGrid signs nothing,
//! so the clinic's parse URL carries a secret the caller compares in constant time. With
//! "POST the raw, full MIME message" on, the `email` field is the whole message; otherwise
//! the headers, text and HTML come as separate fields.

use super::inbound::cap;
use super::inbound::parse_mime_lenient;
use super::mailgun::split_mailbox;
use super::{InboundEmail, parse_mime, strip_quoted};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendgridError {
    #[error("the post has neither an email nor a headers field")]
    Empty,
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub fn sendgrid_email(fields: &[(String, String)]) -> Result<InboundEmail, SendgridError> {
    if let Some(raw) = field(fields, "email") {
        return Ok(parse_mime_lenient(raw.as_bytes()));
    }
    let headers = field(fields, "headers").ok_or(SendgridError::Empty)?;
    // The header block alone is a message without a body: the threading headers come
    // from it, the text from the fields.
    let mut email = parse_mime(format!("{}\r\n\r\n", headers.trim_end()).as_bytes()).unwrap_or_default();
    let text = match (field(fields, "text"), field(fields, "html")) {
        (Some(t), _) if !t.trim().is_empty() => t.to_owned(),
        (_, Some(h)) => mail_parser::decoders::html::html_to_text(h),
        _ => String::new(),
    };
    email.text = cap(&strip_quoted(&text));
    if email.from_address.is_none() {
        let (name, address) = split_mailbox(field(fields, "from").unwrap_or_default());
        email.from_name = name;
        email.from_address = address;
    }
    if email.subject.is_none() {
        email.subject = field(fields, "subject").map(str::to_owned);
    }
    email.attachments = field(fields, "attachments").and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_mime_and_split_fields_read_the_same() {
        let raw = "From: Maria <maria@example.com>\r\nMessage-ID: <s1@mail.example>\r\nIn-Reply-To: <019a-1@sorriso.example>\r\nSubject: Re: oi\r\n\r\nSim, quero\r\n";
        let from_raw = sendgrid_email(&[("email".into(), raw.into())]).unwrap();
        let split = sendgrid_email(&[
            (
                "headers".into(),
                "From: Maria <maria@example.com>\nMessage-ID: <s1@mail.example>\nIn-Reply-To: <019a-1@sorriso.example>\nSubject: Re: oi\nContent-Type: multipart/alternative; boundary=\"x\"".into(),
            ),
            ("text".into(), "Sim, quero\n\nOn Mon, Clinic wrote:\n> oi".into()),
            ("attachments".into(), "0".into()),
        ])
        .unwrap();
        for e in [&from_raw, &split] {
            assert_eq!(e.from_address.as_deref(), Some("maria@example.com"));
            assert_eq!(e.message_id.as_deref(), Some("s1@mail.example"));
            assert_eq!(e.in_reply_to, ["019a-1@sorriso.example"]);
            assert_eq!(e.text, "Sim, quero");
        }
        assert_eq!(sendgrid_email(&[]), Err(SendgridError::Empty));
        // Not MIME at all: kept as text from nobody, for staff to read.
        let junk = sendgrid_email(&[("email".into(), "\u{0}garbage".into())]).unwrap();
        assert!(junk.from_address.is_none());
    }
}
