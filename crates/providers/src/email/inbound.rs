//! An inbound e-mail in Frontdesk's terms, read from raw MIME with `mail-parser`.

use super::{bare_message_id, message_ids, strip_quoted};
use mail_parser::{MessageParser, MimeHeaders};

/// The most of a reply's text kept: an e-mail is read for what the patient asks, and a
/// pasted document is not that.
pub const MAX_TEXT_CHARS: usize = 8_000;

#[derive(Clone, Default, PartialEq)]
pub struct InboundEmail {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: Option<String>,
    /// The reply without quoted history or signature, at most [`MAX_TEXT_CHARS`].
    pub text: String,
    pub attachments: usize,
    /// Written by a program (an out-of-office, a vacation notice): never answered, so two
    /// robots cannot talk to each other forever.
    pub automatic: bool,
    pub bounce: Option<Bounce>,
}

impl std::fmt::Debug for InboundEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboundEmail")
            .field("message_id", &self.message_id)
            .field("in_reply_to", &self.in_reply_to)
            .field("attachments", &self.attachments)
            .field("automatic", &self.automatic)
            .field("bounce", &self.bounce)
            .finish_non_exhaustive()
    }
}

/// A delivery status notification: a message of ours that could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The ids of the returned message(s) found in the report.
    pub original_ids: Vec<String>,
    /// The enhanced status code (`5.1.1`), if the report has one.
    pub status: Option<String>,
    /// A 5.x.x status (or none given): the address does not work. 4.x.x is a delay.
    pub permanent: bool,
}

/// Reads a raw message; `None` when it is not MIME at all.
pub fn parse_mime(raw: &[u8]) -> Option<InboundEmail> {
    let message = MessageParser::default().parse(raw)?;
    // A message without a single header is not an e-mail (mail-parser reads anything).
    if message.headers().is_empty() {
        return None;
    }
    let ids = |v: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        v.as_text_list().map(|l| l.iter().map(|s| bare_message_id(s)).collect()).unwrap_or_default()
    };
    let from = message.from().and_then(|a| a.first());
    let full_text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let auto_submitted = message.header_raw("Auto-Submitted").map(|v| v.trim().to_ascii_lowercase());
    let precedence = message.header_raw("Precedence").map(|v| v.trim().to_ascii_lowercase());
    let automatic = auto_submitted.is_some_and(|v| v != "no")
        || precedence.is_some_and(|p| ["bulk", "junk", "auto_reply", "list"].contains(&p.as_str()))
        || message.header_raw("X-Autoreply").is_some()
        || message.header_raw("X-Autorespond").is_some();
    let own_id = message.message_id().map(bare_message_id);
    let bounce = message
        .content_type()
        .filter(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
                && ct.attribute("report-type").is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
        })
        .map(|_| read_bounce(raw, own_id.as_deref()));
    Some(InboundEmail {
        message_id: own_id,
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        from_address: from.and_then(|a| a.address()).map(str::to_owned),
        from_name: from.and_then(|a| a.name()).map(str::to_owned),
        subject: message.subject().map(str::to_owned),
        text: cap(&strip_quoted(&full_text)),
        attachments: message.attachment_count(),
        automatic: automatic || bounce.is_some(),
        bounce,
    })
}

/// Like [`parse_mime`], but what is not MIME is still an e-mail: its bytes as text, from
/// nobody, so that it is kept and shown to staff rather than refused and lost.
pub fn parse_mime_lenient(raw: &[u8]) -> InboundEmail {
    parse_mime(raw).unwrap_or_else(|| InboundEmail {
        text: cap(String::from_utf8_lossy(raw).trim()),
        ..Default::default()
    })
}

pub(super) fn cap(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS).collect()
}

/// The report's status and the returned message's id, read from the report's text: the
/// `message/delivery-status` part ("Status: 5.1.1") and the returned headers
/// (`message/rfc822` or `text/rfc822-headers`) are plain header lines in any shape of DSN.
fn read_bounce(raw: &[u8], own_id: Option<&str>) -> Bounce {
    let text = String::from_utf8_lossy(raw);
    let mut status = None;
    let mut original_ids = Vec::new();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let name = name.trim().to_ascii_lowercase();
        if name == "status" && status.is_none() {
            let code = value.split_whitespace().next().unwrap_or_default();
            if code.len() >= 5 && code.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                status = Some(code.to_owned());
            }
        }
        if name == "message-id" {
            for id in message_ids(value) {
                if Some(id.as_str()) != own_id && !original_ids.contains(&id) {
                    original_ids.push(id);
                }
            }
        }
    }
    let permanent = status.as_deref().is_none_or(|s| s.starts_with('5'));
    Bounce { original_ids, status, permanent }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "From: Maria Souza <Maria@Example.com>\r\nTo: contato@sorriso.example\r\nSubject: Re: Faz tempo!\r\nMessage-ID: <CAF123@mail.gmail.com>\r\nIn-Reply-To: <019a-1@sorriso.example>\r\nReferences: <019a-0@sorriso.example> <019a-1@sorriso.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nQuero marcar, pode ser quinta?\r\n\r\nEm seg., 7 de dez. de 2026 às 10:00, Clínica <contato@sorriso.example> escreveu:\r\n> Olá Maria\r\n";

    #[test]
    fn a_reply_is_threaded_and_read_without_its_quote() {
        let e = parse_mime(REPLY.as_bytes()).unwrap();
        assert_eq!(e.message_id.as_deref(), Some("CAF123@mail.gmail.com"));
        assert_eq!(e.in_reply_to, ["019a-1@sorriso.example"]);
        assert_eq!(e.references, ["019a-0@sorriso.example", "019a-1@sorriso.example"]);
        assert_eq!(e.from_address.as_deref(), Some("Maria@Example.com"));
        assert_eq!(e.from_name.as_deref(), Some("Maria Souza"));
        assert_eq!(e.text, "Quero marcar, pode ser quinta?");
        assert!(!e.automatic && e.bounce.is_none());
    }

    #[test]
    fn html_only_and_huge_mail_is_read_as_capped_text() {
        let html = "From: a@b.example\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Sim, <b>quero</b> marcar</p></body></html>\r\n";
        assert_eq!(parse_mime(html.as_bytes()).unwrap().text, "Sim, quero marcar");
        let huge = format!("From: a@b.example\r\nSubject: x\r\n\r\n{}\r\n", "palavra ".repeat(5_000));
        assert_eq!(parse_mime(huge.as_bytes()).unwrap().text.chars().count(), MAX_TEXT_CHARS);
    }

    #[test]
    fn out_of_office_replies_are_automatic() {
        let ooo = "From: a@b.example\r\nAuto-Submitted: auto-replied\r\nSubject: Ausente\r\n\r\nEstou de férias\r\n";
        assert!(parse_mime(ooo.as_bytes()).unwrap().automatic);
        let human = "From: a@b.example\r\nAuto-Submitted: no\r\nSubject: oi\r\n\r\noi\r\n";
        assert!(!parse_mime(human.as_bytes()).unwrap().automatic);
    }

    #[test]
    fn a_delivery_report_names_the_returned_message_and_its_status() {
        let dsn = "From: MAILER-DAEMON@mx.example\r\nMessage-ID: <dsn-1@mx.example>\r\nSubject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: contato@sorriso.example\r\nMessage-ID: <019a-7@sorriso.example>\r\nSubject: Faz tempo!\r\n--B--\r\n";
        let e = parse_mime(dsn.as_bytes()).unwrap();
        let b = e.bounce.unwrap();
        assert_eq!(b.original_ids, ["019a-7@sorriso.example"]);
        assert_eq!(b.status.as_deref(), Some("5.1.1"));
        assert!(b.permanent);
        assert!(e.automatic);
    }

    #[test]
    fn garbage_is_not_an_email() {
        assert!(parse_mime(b"").is_none());
        assert!(parse_mime(b"\x00\x01\x02 not mime at all").is_none_or(|e| e.from_address.is_none()));
    }
}
