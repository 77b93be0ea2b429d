//! The HTTP client behind [`TwilioApi`]: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! (`PROVIDERS.md` section 1.4).

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

use super::TwilioApi;
use super::config::{TwilioConfig, TwilioSender};
use super::error::TwilioError;
use super::types::{Channel, MessageContent, MessageStatus, OutboundSms, SentMessage};
use super::wire::is_whatsapp;
use crate::media::{self, Download, HostPattern, MediaPolicy};
use crate::redact::scrub;

/// Twilio's limit for `Body`.
pub const MAX_BODY_CHARS: usize = 1600;
/// Twilio's limit for repeated `MediaUrl`.
pub const MAX_MEDIA_URLS: usize = 10;
/// The header Twilio reads to drop a repeated create.
pub const IDEMPOTENCY_HEADER: &str = "I-Twilio-Idempotency-Token";

/// Sends through one Twilio account. Cheap to share behind an `Arc`.
pub struct TwilioClient {
    http: reqwest::Client,
    messages_url: String,
    account_sid: String,
    auth_token: SecretString,
    sender: TwilioSender,
    base_url: reqwest::Url,
    media: MediaPolicy,
}

impl TwilioClient {
    pub fn new(config: TwilioConfig) -> Result<Self, TwilioError> {
        // The sid becomes part of the path; anything but letters and digits is a typo or
        // an attempt to reach another path.
        if config.account_sid.is_empty() || !config.account_sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TwilioError::InvalidRequest("account_sid must be letters and digits (AC...)"));
        }
        if config.auth_token.expose_secret().is_empty() {
            return Err(TwilioError::InvalidRequest("auth_token is empty"));
        }
        let base = config.base_url.trim_end_matches('/');
        // Fail at start-up on a typo rather than on the first patient's message.
        let base_url = crate::egress::check_url(base, config.allow_private_network).map_err(|_| {
            TwilioError::InvalidRequest("base_url must be a valid https URL of a public host")
        })?;
        let http = crate::egress::client(config.allow_private_network)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|_| TwilioError::InvalidRequest("the HTTP client could not be built"))?;
        Ok(Self {
            http,
            messages_url: format!("{base}/2010-04-01/Accounts/{}/Messages.json", config.account_sid),
            account_sid: config.account_sid,
            auth_token: config.auth_token,
            sender: config.sender,
            base_url,
            media: config.media,
        })
    }
}

impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("messages_url", &self.messages_url)
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl TwilioApi for TwilioClient {
    #[tracing::instrument(skip_all, fields(channel = message.channel.as_str()))]
    async fn send(&self, message: &OutboundSms) -> Result<SentMessage, TwilioError> {
        let form = form_fields(message, &self.sender)?;
        let token = message.idempotency_token.trim();
        if token.is_empty() {
            return Err(TwilioError::InvalidRequest("the idempotency token is empty"));
        }
        let token = HeaderValue::from_str(token)
            .map_err(|_| TwilioError::InvalidRequest("the idempotency token is not a valid header value"))?;
        // Built before the request: the serializer is not `Send` and must not live across
        // the await below.
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&form).finish();
        let response = self
            .http
            .post(&self.messages_url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .header(IDEMPOTENCY_HEADER, token)
            .body(body)
            .send()
            .await
            .map_err(TwilioError::unreachable)?;
        read_response(response).await
    }

    async fn fetch_media(&self, url: &str) -> Result<Vec<u8>, TwilioError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| TwilioError::InvalidRequest("the media URL is not a URL"))?;
        // The account's credentials go only to this account's media on the API host the
        // client is configured for: a forged webhook cannot make them travel elsewhere.
        let same_origin = parsed.scheme() == self.base_url.scheme()
            && parsed.host_str() == self.base_url.host_str()
            && parsed.port_or_known_default() == self.base_url.port_or_known_default();
        let prefix = format!("/2010-04-01/Accounts/{}/", self.account_sid);
        if !same_origin || !parsed.path().starts_with(&prefix) || !parsed.path().contains("/Media/") {
            return Err(TwilioError::InvalidRequest("the media URL is not this account's Twilio media"));
        }
        let api_host = self.base_url.host_str().unwrap_or_default();
        // Twilio answers with a redirect to a short-lived CDN URL that needs no credentials.
        let hosts =
            [HostPattern::new(api_host), HostPattern::new(".twilio.com"), HostPattern::new(".twiliocdn.com")];
        let download =
            Download { url, hosts: &hosts, basic_auth: Some((&self.account_sid, &self.auth_token)) };
        media::download(&self.media, download).await.map_err(TwilioError::Media)
    }
}

/// The form fields of a send, in the order twilio-python writes them. Validation happens
/// here, before any request, so a message Twilio would refuse costs no API call.
pub(crate) fn form_fields(
    message: &OutboundSms,
    sender: &TwilioSender,
) -> Result<Vec<(&'static str, String)>, TwilioError> {
    let mut form = vec![("To", address(message.channel, &message.to)?)];
    match (&message.from, sender) {
        (Some(from), _) => form.push(("From", address(message.channel, from)?)),
        (None, TwilioSender::Number(from)) => form.push(("From", address(message.channel, from)?)),
        (None, TwilioSender::MessagingService(sid)) if !sid.trim().is_empty() => {
            form.push(("MessagingServiceSid", sid.trim().to_owned()));
        }
        (None, TwilioSender::MessagingService(_)) => {
            return Err(TwilioError::InvalidRequest("the Messaging Service sid is empty"));
        }
    }
    match &message.content {
        MessageContent::Text { body, media_urls } => {
            if body.is_empty() && media_urls.is_empty() {
                return Err(TwilioError::InvalidRequest("a message needs a body or media"));
            }
            if body.chars().count() > MAX_BODY_CHARS {
                return Err(TwilioError::InvalidRequest("the body is longer than Twilio's 1600 characters"));
            }
            if media_urls.len() > MAX_MEDIA_URLS {
                return Err(TwilioError::InvalidRequest("Twilio takes at most 10 media URLs"));
            }
            if !body.is_empty() {
                form.push(("Body", body.clone()));
            }
            form.extend(media_urls.iter().map(|url| ("MediaUrl", url.clone())));
        }
        MessageContent::Template { content_sid, variables } => {
            if content_sid.trim().is_empty() {
                return Err(TwilioError::InvalidRequest("the template's ContentSid is empty"));
            }
            form.push(("ContentSid", content_sid.trim().to_owned()));
            if !variables.is_empty() {
                let json = serde_json::to_string(variables).map_err(|_| {
                    TwilioError::InvalidRequest("the template variables could not be encoded")
                })?;
                form.push(("ContentVariables", json));
            }
        }
    }
    if let Some(callback) = message.status_callback.as_deref().filter(|c| !c.is_empty()) {
        form.push(("StatusCallback", callback.to_owned()));
    }
    Ok(form)
}

/// The address as Twilio wants it on this channel: `whatsapp:+E164` or `+E164`.
fn address(channel: Channel, raw: &str) -> Result<String, TwilioError> {
    let raw = raw.trim();
    let bare = if is_whatsapp(raw) { raw[9..].trim_start() } else { raw };
    if bare.is_empty() {
        return Err(TwilioError::InvalidRequest("a phone number is empty"));
    }
    match channel {
        Channel::Whatsapp => Ok(format!("whatsapp:{bare}")),
        Channel::Sms if is_whatsapp(raw) => {
            Err(TwilioError::InvalidRequest("an SMS address carries a whatsapp: prefix"))
        }
        Channel::Sms => Ok(bare.to_owned()),
    }
}

/// The fields of the 201 body this client uses; the rest (price, dates...) is ignored.
#[derive(Deserialize)]
struct Created {
    sid: Option<String>,
    status: Option<String>,
}

async fn read_response(response: reqwest::Response) -> Result<SentMessage, TwilioError> {
    let status = response.status();
    let code = status.as_u16();
    let body = response.bytes().await.map_err(TwilioError::unreachable)?;
    if status.is_success() {
        let created: Created = serde_json::from_slice(&body)
            .map_err(|_| TwilioError::InvalidResponse(format!("HTTP {code} body is not the message JSON")))?;
        let sid = created.sid.filter(|s| !s.is_empty());
        let Some(sid) = sid else {
            return Err(TwilioError::InvalidResponse(format!("HTTP {code} body has no sid")));
        };
        let status = MessageStatus::from_wire(created.status.as_deref().unwrap_or("queued"));
        tracing::debug!(status = status.as_str(), "twilio accepted a message");
        return Ok(SentMessage { sid, status });
    }
    let (twilio_code, message) = error_details(&body);
    tracing::warn!(status = code, twilio_code, "twilio refused a message");
    Err(match code {
        429 => TwilioError::RateLimited { code: twilio_code },
        500..=599 => TwilioError::Upstream { status: code, code: twilio_code },
        _ => TwilioError::Rejected {
            status: code,
            code: twilio_code,
            message: message.unwrap_or_else(|| format!("HTTP {code}")),
        },
    })
}

/// Twilio's error code and text from either error shape: legacy
/// `{"code","message","more_info","status"}` or RFC 9457 `{"code","detail","title",...}`.
/// The code may arrive as a number or a numeric string.
fn error_details(body: &[u8]) -> (Option<u32>, Option<String>) {
    let Ok(Value::Object(json)) = serde_json::from_slice::<Value>(body) else {
        return (None, None);
    };
    let code = json.get("code").and_then(|c| match c {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let message = ["message", "detail", "title"]
        .iter()
        .find_map(|key| json.get(*key).and_then(Value::as_str).filter(|m| !m.trim().is_empty()))
        .map(scrub);
    (code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn message(channel: Channel, content: MessageContent) -> OutboundSms {
        OutboundSms {
            channel,
            to: "+5511999998888".into(),
            from: None,
            content,
            status_callback: None,
            idempotency_token: "job-1".into(),
        }
    }

    fn text(body: &str) -> MessageContent {
        MessageContent::Text { body: body.into(), media_urls: vec![] }
    }

    #[test]
    fn whatsapp_addresses_get_one_prefix() {
        let sender = TwilioSender::Number("whatsapp:+14155238886".into());
        let mut msg = message(Channel::Whatsapp, text("Oi"));
        msg.to = "whatsapp:+5511999998888".into();
        let form = form_fields(&msg, &sender).expect("valid");
        assert_eq!(form[0], ("To", "whatsapp:+5511999998888".to_owned()));
        assert_eq!(form[1], ("From", "whatsapp:+14155238886".to_owned()));
    }

    #[test]
    fn refusals_before_any_request() {
        let service = TwilioSender::MessagingService("MG1".into());
        let sms_to_whatsapp = OutboundSms { to: "whatsapp:+55".into(), ..message(Channel::Sms, text("x")) };
        let cases = [
            sms_to_whatsapp,
            message(Channel::Sms, text("")),
            message(Channel::Sms, text(&"a".repeat(1601))),
            message(
                Channel::Sms,
                MessageContent::Template { content_sid: " ".into(), variables: BTreeMap::new() },
            ),
            OutboundSms { to: " ".into(), ..message(Channel::Sms, text("x")) },
        ];
        for case in cases {
            assert!(matches!(form_fields(&case, &service), Err(TwilioError::InvalidRequest(_))), "{case:?}");
        }
        let too_many = MessageContent::Text { body: String::new(), media_urls: vec!["u".into(); 11] };
        assert!(form_fields(&message(Channel::Sms, too_many), &service).is_err());
        assert_eq!(
            form_fields(&message(Channel::Sms, text(&"é".repeat(1600))), &service).map(|f| f.len()).ok(),
            Some(3)
        );
    }

    #[test]
    fn error_details_read_both_shapes() {
        let legacy = br#"{"code":21211,"message":"The 'To' number +15005550001 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#;
        let (code, message) = error_details(legacy);
        assert_eq!(code, Some(21211));
        assert_eq!(message.as_deref(), Some("The 'To' number [redacted] is not a valid phone number."));
        let rfc =
            br#"{"type":"https://x","title":"Bad","status":400,"code":"63016","detail":"Outside window"}"#;
        assert_eq!(error_details(rfc), (Some(63016), Some("Outside window".into())));
        assert_eq!(error_details(b"<html>"), (None, None));
    }
}
