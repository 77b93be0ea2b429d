//! Twilio's webhook forms, field for field (`PROVIDERS.md` sections 1.1 and 1.2).
//!
//! Twilio adds parameters without notice, so unknown fields are ignored here (and still
//! signed over, see `signature`). A field Twilio sends twice is read from its first
//! occurrence. Errors name the field and never quote its value, which may be a phone
//! number or a patient's message.

use super::types::{Channel, InboundMessage, Media, MessageStatus, StatusUpdate};

/// More attachments than any Twilio channel allows (MMS: 10, WhatsApp: 1). The bound keeps a
/// forged `NumMedia=4000000000` from turning into a long loop of missing-field lookups.
pub const MAX_MEDIA: u32 = 100;

/// A webhook form that cannot be read as the message or status it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A field Twilio always sends is absent. The name is this crate's, never input text.
    #[error("the Twilio field {0} is missing")]
    Missing(String),
    #[error("the Twilio field {field} {reason}")]
    Invalid { field: String, reason: &'static str },
}

/// Decodes an `application/x-www-form-urlencoded` body into its pairs, in order, repeats
/// kept (`+` is a space; invalid percent escapes and UTF-8 are replaced, never refused).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(name, value)| (name.into_owned(), value.into_owned())).collect()
}

/// Reads an inbound-message webhook (SMS or WhatsApp).
pub fn parse_inbound(params: &[(String, String)]) -> Result<InboundMessage, ParseError> {
    let fields = Fields(params);
    let message_sid = fields.sid()?;
    let account_sid = fields.required("AccountSid")?.to_owned();
    let from = fields.required("From")?.to_owned();
    let to = fields.required("To")?.to_owned();
    let num_media = fields.num_media()?;
    let media = (0..num_media)
        .map(|n| {
            Ok(Media {
                url: fields.required(&format!("MediaUrl{n}"))?.to_owned(),
                content_type: fields.required(&format!("MediaContentType{n}"))?.to_owned(),
            })
        })
        .collect::<Result<Vec<_>, ParseError>>()?;
    let channel = if is_whatsapp(&from) { Channel::Whatsapp } else { Channel::Sms };
    Ok(InboundMessage {
        message_sid,
        account_sid,
        messaging_service_sid: fields.optional("MessagingServiceSid"),
        from,
        to,
        // The text is kept exactly as sent: leading spaces or an empty body are the
        // patient's, and keyword matching downstream does its own trimming.
        body: fields.get("Body").unwrap_or_default().to_owned(),
        num_media,
        media,
        profile_name: fields.optional("ProfileName"),
        wa_id: fields.optional("WaId"),
        button_payload: fields.optional("ButtonPayload"),
        button_text: fields.optional("ButtonText"),
        message_type: fields.optional("MessageType"),
        opt_out_type: fields.optional("OptOutType"),
        channel,
    })
}

/// Reads a status callback.
pub fn parse_status(params: &[(String, String)]) -> Result<StatusUpdate, ParseError> {
    let fields = Fields(params);
    let message_sid = fields.sid()?;
    // `SmsStatus` is the legacy twin of `MessageStatus`; older callbacks carry only it.
    let status = match fields.optional("MessageStatus").or_else(|| fields.optional("SmsStatus")) {
        Some(status) => MessageStatus::from_wire(&status),
        None => return Err(ParseError::Missing("MessageStatus".into())),
    };
    let error_code = match fields.optional("ErrorCode") {
        None => None,
        Some(code) => Some(code.parse::<u32>().map_err(|_| ParseError::Invalid {
            field: "ErrorCode".into(),
            reason: "is not a whole number",
        })?),
    };
    Ok(StatusUpdate {
        message_sid,
        account_sid: fields.optional("AccountSid"),
        status,
        error_code,
        error_message: fields.optional("ErrorMessage"),
    })
}

/// Whether a Twilio address is a WhatsApp one (`whatsapp:+55...`).
pub fn is_whatsapp(address: &str) -> bool {
    address.get(..9).is_some_and(|prefix| prefix.eq_ignore_ascii_case("whatsapp:"))
}

struct Fields<'a>(&'a [(String, String)]);

impl Fields<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Present and not blank; surrounding whitespace removed.
    fn required(&self, name: &str) -> Result<&str, ParseError> {
        let value = self.get(name).ok_or_else(|| ParseError::Missing(name.to_owned()))?.trim();
        if value.is_empty() {
            return Err(ParseError::Invalid { field: name.to_owned(), reason: "is empty" });
        }
        Ok(value)
    }

    /// Absent and blank both read as `None`.
    fn optional(&self, name: &str) -> Option<String> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// `MessageSid`, or the legacy `SmsMessageSid` / `SmsSid` that carry the same id.
    fn sid(&self) -> Result<String, ParseError> {
        ["MessageSid", "SmsMessageSid", "SmsSid"]
            .into_iter()
            .find_map(|name| self.optional(name))
            .ok_or_else(|| ParseError::Missing("MessageSid".into()))
    }

    fn num_media(&self) -> Result<u32, ParseError> {
        let Some(raw) = self.optional("NumMedia") else { return Ok(0) };
        let invalid = |reason| ParseError::Invalid { field: "NumMedia".into(), reason };
        let count = raw.parse::<u32>().map_err(|_| invalid("is not a whole number"))?;
        if count > MAX_MEDIA {
            return Err(invalid("is larger than any Twilio channel allows"));
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Vec<(String, String)> {
        parse_form(body.as_bytes())
    }

    #[test]
    fn repeats_and_order_are_kept_and_plus_is_a_space() {
        let pairs = form("a=1&b=x+y&a=2&c=%E2%9C%93&d");
        let expected = [("a", "1"), ("b", "x y"), ("a", "2"), ("c", "✓"), ("d", "")];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn invalid_escapes_and_utf8_are_replaced_not_refused() {
        let pairs = parse_form(b"Body=%ZZ%FF&x=\xff");
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].1, "%ZZ\u{FFFD}");
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let err = parse_inbound(&form("MessageSid=SM1&AccountSid=AC1&To=%2B1")).expect_err("no From");
        assert_eq!(err, ParseError::Missing("From".into()));
        let err =
            parse_inbound(&form("MessageSid=SM1&AccountSid=AC1&From=+5511999998888&To=x&NumMedia=lots"))
                .expect_err("bad NumMedia");
        assert_eq!(err.to_string(), "the Twilio field NumMedia is not a whole number");
        let err = parse_inbound(&form("MessageSid=SM1&AccountSid=AC1&From=%2B5511999998888&To=x&NumMedia=2&MediaUrl0=u&MediaContentType0=t"))
            .expect_err("second media missing");
        assert_eq!(err, ParseError::Missing("MediaUrl1".into()));
        assert!(!err.to_string().contains("5511"));
        let err = parse_inbound(&form("MessageSid=+&AccountSid=AC1&From=a&To=b")).expect_err("blank sid");
        assert_eq!(err, ParseError::Missing("MessageSid".into()));
        let err = parse_inbound(&form("MessageSid=SM1&AccountSid=AC1&From=a&To=b&NumMedia=101"))
            .expect_err("too many");
        assert!(matches!(err, ParseError::Invalid { ref field, .. } if field == "NumMedia"), "{err}");
    }

    #[test]
    fn legacy_sid_and_status_names_are_accepted() {
        let update = parse_status(&form("SmsSid=SM9&SmsStatus=sent")).expect("legacy names");
        assert_eq!(update.message_sid, "SM9");
        assert_eq!(update.status, MessageStatus::Sent);
        assert_eq!(update.error_code, None);
    }

    #[test]
    fn status_errors() {
        assert_eq!(parse_status(&form("MessageSid=SM1")), Err(ParseError::Missing("MessageStatus".into())));
        let err = parse_status(&form("MessageSid=SM1&MessageStatus=failed&ErrorCode=abc")).expect_err("code");
        assert!(matches!(err, ParseError::Invalid { ref field, .. } if field == "ErrorCode"), "{err}");
        let blank = parse_status(&form("MessageSid=SM1&MessageStatus=failed&ErrorCode=")).expect("blank");
        assert_eq!(blank.error_code, None);
    }

    #[test]
    fn unknown_status_is_kept() {
        let update = parse_status(&form("MessageSid=SM1&MessageStatus=teleported")).expect("parses");
        assert_eq!(update.status, MessageStatus::Other("teleported".into()));
        assert_eq!(update.status.as_str(), "teleported");
    }

    #[test]
    fn whatsapp_prefix_is_case_insensitive_and_utf8_safe() {
        assert!(is_whatsapp("whatsapp:+5511999998888"));
        assert!(is_whatsapp("WhatsApp:+5511999998888"));
        assert!(!is_whatsapp("+5511999998888"));
        assert!(!is_whatsapp("whatsáp:+55"));
        assert!(!is_whatsapp("ééééé"));
    }
}
