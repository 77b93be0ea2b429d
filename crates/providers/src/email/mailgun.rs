//! Mailgun routes (`forward()`): a form post per received message, signed with the
//! account's webhook signing key: `hex(HMAC-SHA256(key, timestamp + token)) == signature`.
//! A timestamp more than five minutes away is refused (a replayed capture); a reused token
//! is caught by the caller's store (the token is the event's key).

use super::inbound::cap;
use super::{InboundEmail, bare_message_id, message_ids, strip_quoted};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How far a signed timestamp may be from now.
pub const MAX_SKEW_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailgunError {
    #[error("missing field {0}")]
    Missing(&'static str),
    #[error("the signature does not match")]
    BadSignature,
    #[error("the timestamp is too old or in the future")]
    Stale,
    #[error("the message cannot be read: {0}")]
    Unreadable(&'static str),
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Checks the route post's signature and freshness (`now` in Unix seconds).
pub fn verify_mailgun(signing_key: &str, fields: &[(String, String)], now: i64) -> Result<(), MailgunError> {
    let timestamp = field(fields, "timestamp").ok_or(MailgunError::Missing("timestamp"))?;
    let token = field(fields, "token").ok_or(MailgunError::Missing("token"))?;
    let signature = field(fields, "signature").ok_or(MailgunError::Missing("signature"))?;
    let given = hex::decode(signature.trim()).map_err(|_| MailgunError::BadSignature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(signing_key.as_bytes()).map_err(|_| MailgunError::BadSignature)?;
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    mac.verify_slice(&given).map_err(|_| MailgunError::BadSignature)?;
    let at: i64 = timestamp.trim().parse().map_err(|_| MailgunError::Stale)?;
    if (now - at).abs() > MAX_SKEW_SECONDS {
        return Err(MailgunError::Stale);
    }
    Ok(())
}

/// The e-mail a (verified) route post carries: the raw MIME when the route posts it
/// (`body-mime`), else the parsed fields.
pub fn mailgun_email(fields: &[(String, String)]) -> Result<InboundEmail, MailgunError> {
    if let Some(mime) = field(fields, "body-mime") {
        return Ok(super::inbound::parse_mime_lenient(mime.as_bytes()));
    }
    let headers: Vec<(String, String)> = field(fields, "message-headers")
        .map(|h| {
            serde_json::from_str(h).map_err(|_| MailgunError::Unreadable("message-headers is not a list"))
        })
        .transpose()?
        .unwrap_or_default();
    let header =
        |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let from_field = field(fields, "from").or_else(|| header("From"));
    let (from_name, from_address) =
        split_mailbox(from_field.or_else(|| field(fields, "sender")).unwrap_or_default());
    let text = match (field(fields, "body-plain"), field(fields, "body-html")) {
        (Some(plain), _) if !plain.trim().is_empty() => plain.to_owned(),
        (_, Some(html)) => mail_parser::decoders::html::html_to_text(html),
        _ => String::new(),
    };
    let automatic = header("Auto-Submitted").is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"))
        || header("X-Autoreply").is_some();
    Ok(InboundEmail {
        message_id: header("Message-Id").map(bare_message_id),
        in_reply_to: header("In-Reply-To").map(message_ids).unwrap_or_default(),
        references: header("References").map(message_ids).unwrap_or_default(),
        from_address,
        from_name,
        subject: field(fields, "subject").or_else(|| header("Subject")).map(str::to_owned),
        text: cap(&strip_quoted(&text)),
        attachments: field(fields, "attachment-count").and_then(|c| c.parse().ok()).unwrap_or(0),
        automatic,
        bounce: None,
    })
}

/// `Maria Souza <maria@example.com>` as name and address; a bare address has no name.
pub(super) fn split_mailbox(raw: &str) -> (Option<String>, Option<String>) {
    let raw = raw.trim();
    match (raw.rfind('<'), raw.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let name = raw[..open].trim().trim_matches('"').trim();
            let address = raw[open + 1..close].trim();
            ((!name.is_empty()).then(|| name.to_owned()), (!address.is_empty()).then(|| address.to_owned()))
        }
        _ => (None, (!raw.is_empty()).then(|| raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key: &str, timestamp: &str, token: &str) -> Vec<(String, String)> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(format!("{timestamp}{token}").as_bytes());
        let signature = hex::encode(mac.finalize().into_bytes());
        vec![
            ("timestamp".into(), timestamp.into()),
            ("token".into(), token.into()),
            ("signature".into(), signature),
        ]
    }

    #[test]
    fn the_signature_and_its_age_are_checked() {
        let fields = signed("key-1", "1765000000", "tok");
        assert_eq!(verify_mailgun("key-1", &fields, 1_765_000_010), Ok(()));
        assert_eq!(verify_mailgun("key-2", &fields, 1_765_000_010), Err(MailgunError::BadSignature));
        assert_eq!(verify_mailgun("key-1", &fields, 1_765_001_000), Err(MailgunError::Stale));
        let mut forged = fields.clone();
        forged[1].1 = "other".into();
        assert_eq!(verify_mailgun("key-1", &forged, 1_765_000_010), Err(MailgunError::BadSignature));
        assert_eq!(verify_mailgun("key-1", &fields[..2], 0), Err(MailgunError::Missing("signature")));
    }

    #[test]
    fn route_fields_become_a_threaded_reply() {
        let fields: Vec<(String, String)> = vec![
            ("from".into(), "\"Maria Souza\" <maria@example.com>".into()),
            ("subject".into(), "Re: Faz tempo".into()),
            ("body-plain".into(), "Não, obrigada\n\nEm seg., 7 de dez. de 2026, Clínica escreveu:\n> oi".into()),
            (
                "message-headers".into(),
                r#"[["Message-Id","<m-9@mail.example>"],["In-Reply-To","<019a-1@sorriso.example>"],["References","<019a-0@sorriso.example> <019a-1@sorriso.example>"]]"#.into(),
            ),
        ];
        let e = mailgun_email(&fields).unwrap();
        assert_eq!(e.from_address.as_deref(), Some("maria@example.com"));
        assert_eq!(e.from_name.as_deref(), Some("Maria Souza"));
        assert_eq!(e.message_id.as_deref(), Some("m-9@mail.example"));
        assert_eq!(e.in_reply_to, ["019a-1@sorriso.example"]);
        assert_eq!(e.references.len(), 2);
        assert_eq!(e.text, "Não, obrigada");
        let bad = vec![("message-headers".to_owned(), "{".to_owned())];
        assert!(matches!(mailgun_email(&bad), Err(MailgunError::Unreadable(_))));
    }
}
