//! The messaging section of a tenant's settings document: which provider serves each
//! channel, their credentials, quiet hours and template overrides. Secrets follow the
//! rules of `crate::settings`: masked in `Debug` and in what the API shows, and kept
//! when a client sends the mask back.

use super::channel::Channel;
use super::quiet_hours::{QuietHours, QuietHoursError};
use super::templates::{TemplateError, TemplateKey, render};
use crate::settings::MASK;
use crate::tenant::Locale;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Twilio,
    Helena,
    /// E-mail over the clinic's SMTP server (`email.smtp`).
    Smtp,
    /// Records messages locally and lets a user answer as the patient: the default, so
    /// a new tenant can run the whole funnel without an account anywhere.
    #[default]
    Sandbox,
}

wire_names!(ProviderKind { Twilio => "twilio", Helena => "helena", Smtp => "smtp", Sandbox => "sandbox" });

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessagingSettings {
    pub whatsapp_provider: ProviderKind,
    pub sms_provider: ProviderKind,
    pub twilio: Option<TwilioSettings>,
    pub helena: Option<HelenaSettings>,
    /// E-mail: the sender, SMTP, and the inbound webhooks' secrets.
    pub email: Option<super::EmailSettings>,
    pub quiet_hours: QuietHours,
    /// Tenant overrides of the built-in texts: template key -> locale -> minijinja source.
    pub templates: BTreeMap<String, BTreeMap<String, String>>,
    /// WhatsApp templates approved by Meta, used outside the 24-hour window:
    /// template key -> locale -> the provider's template.
    pub whatsapp_templates: BTreeMap<String, BTreeMap<String, ApprovedTemplate>>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioSettings {
    pub account_sid: String,
    /// Signs webhooks and authenticates sends. Write-only through the API.
    pub auth_token: String,
    /// Configurable so tests point it at a mock server.
    #[serde(default = "default_twilio_url")]
    pub base_url: String,
    /// `whatsapp:+E164` or `+E164`; the `whatsapp:` prefix is the provider's business.
    pub whatsapp_from: Option<String>,
    pub sms_from: Option<String>,
    /// Sends through a Messaging Service (`MG...`) instead of a fixed `From`.
    pub messaging_service_sid: Option<String>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelenaSettings {
    #[serde(default = "default_helena_url")]
    pub base_url: String,
    /// The permanent `pn_...` token sent as `Authorization: Bearer`. Write-only.
    pub api_token: String,
    /// Helena signs nothing, so its webhook URL carries this token and Frontdesk compares
    /// it in constant time. Write-only.
    pub webhook_secret: String,
    /// The channel's own number: the `from` of `/chat/v1/send/text` and `/send/template`.
    pub from: String,
    /// The Helena channel id, to tell this tenant's channel apart in session events.
    pub channel_id: Option<String>,
}

/// A template approved by Meta and registered with the provider: Twilio's `ContentSid`
/// (`HX...`) or Helena's `templateId`, with the variables that fill its numbered
/// placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedTemplate {
    pub id: String,
    #[serde(default)]
    pub variables: Vec<String>,
}

fn default_twilio_url() -> String {
    "https://api.twilio.com".into()
}

fn default_helena_url() -> String {
    "https://api.helena.run".into()
}

impl fmt::Debug for TwilioSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioSettings")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"***")
            .field("base_url", &self.base_url)
            .field("whatsapp_from", &self.whatsapp_from)
            .field("sms_from", &self.sms_from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .finish()
    }
}

impl fmt::Debug for HelenaSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelenaSettings")
            .field("base_url", &self.base_url)
            .field("api_token", &"***")
            .field("webhook_secret", &"***")
            .field("from", &self.from)
            .field("channel_id", &self.channel_id)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum MessagingSettingsError {
    #[error("{channel} is set to {provider} but there are no {provider} settings")]
    MissingProviderSettings { channel: Channel, provider: ProviderKind },
    #[error("{provider} cannot send {channel}")]
    UnsupportedChannel { channel: Channel, provider: ProviderKind },
    #[error("twilio needs {channel}_from or messaging_service_sid to send {channel}")]
    MissingSender { channel: Channel },
    #[error("{0} must be set (the mask shown by the API is not a value)")]
    SecretNotSet(&'static str),
    #[error("{0} base_url must start with http:// or https://")]
    InvalidBaseUrl(ProviderKind),
    #[error("unknown template key {0:?}")]
    UnknownTemplateKey(String),
    #[error("unsupported template locale {0:?}; supported: pt-BR, en")]
    UnknownLocale(String),
    #[error("template {key} ({locale}): {error}")]
    Template { key: TemplateKey, locale: &'static str, error: TemplateError },
    #[error("approved whatsapp template {key} ({locale}) has an empty id")]
    EmptyTemplateId { key: TemplateKey, locale: &'static str },
    #[error("{0}")]
    Email(String),
    #[error("quiet hours: {0}")]
    QuietHours(#[from] QuietHoursError),
}

impl MessagingSettings {
    pub fn provider_for(&self, channel: Channel) -> ProviderKind {
        match channel {
            Channel::Whatsapp => self.whatsapp_provider,
            Channel::Sms => self.sms_provider,
            // E-mail goes through the clinic's SMTP server once it has one.
            Channel::Email => match self.email.as_ref().and_then(|e| e.smtp.as_ref()) {
                Some(_) => ProviderKind::Smtp,
                None => ProviderKind::Sandbox,
            },
            // Calls are placed by the voice settings' provider; nothing is sent on `Voice`
            // (the send path refuses it), so this answer is never used to send.
            Channel::Voice => ProviderKind::Sandbox,
        }
    }

    /// The tenant's own source for a template, if it wrote one.
    pub fn template_override(&self, key: TemplateKey, locale: Locale) -> Option<&str> {
        self.templates.get(key.as_str())?.get(locale.as_str()).map(String::as_str)
    }

    pub fn approved_template(&self, key: TemplateKey, locale: Locale) -> Option<&ApprovedTemplate> {
        self.whatsapp_templates.get(key.as_str())?.get(locale.as_str())
    }

    /// The settings as shown to API clients: secrets replaced by the mask.
    pub fn masked(&self) -> Self {
        let mut shown = self.clone();
        if let Some(t) = shown.twilio.as_mut() {
            t.auth_token = MASK.into();
        }
        if let Some(h) = shown.helena.as_mut() {
            h.api_token = MASK.into();
            h.webhook_secret = MASK.into();
        }
        if let Some(e) = shown.email.as_mut() {
            e.mask_secrets(MASK);
        }
        shown
    }

    /// Keeps stored secrets when a client sends back the mask it was shown.
    pub fn keep_secrets_from(&mut self, previous: &MessagingSettings) {
        if let (Some(new), Some(old)) = (self.twilio.as_mut(), previous.twilio.as_ref()) {
            keep(&mut new.auth_token, &old.auth_token);
        }
        if let (Some(new), Some(old)) = (self.helena.as_mut(), previous.helena.as_ref()) {
            keep(&mut new.api_token, &old.api_token);
            keep(&mut new.webhook_secret, &old.webhook_secret);
        }
        if let (Some(new), Some(old)) = (self.email.as_mut(), previous.email.as_ref()) {
            new.keep_secrets_from(old, MASK);
        }
    }

    /// Everything a send would otherwise discover too late: a provider without
    /// credentials, a mask saved as a secret, a template that does not render with the
    /// variables its kind provides. Returns the first problem found.
    pub fn validate(&self) -> Result<(), MessagingSettingsError> {
        for channel in Channel::ALL.iter().filter(|c| c.is_messaging()) {
            self.validate_provider(*channel)?;
        }
        self.quiet_hours.validate()?;
        if let Some(e) = &self.email {
            e.validate(MASK).map_err(MessagingSettingsError::Email)?;
        }
        for (key, by_locale) in &self.templates {
            let key = parse_key(key)?;
            for (locale, source) in by_locale {
                let locale = parse_locale(locale)?;
                render(key, locale, Some(source), &key.sample_variables(locale)).map_err(|error| {
                    MessagingSettingsError::Template { key, locale: locale.as_str(), error }
                })?;
            }
        }
        for (key, by_locale) in &self.whatsapp_templates {
            let key = parse_key(key)?;
            for (locale, template) in by_locale {
                let locale = parse_locale(locale)?;
                if template.id.trim().is_empty() {
                    return Err(MessagingSettingsError::EmptyTemplateId { key, locale: locale.as_str() });
                }
            }
        }
        Ok(())
    }

    fn validate_provider(&self, channel: Channel) -> Result<(), MessagingSettingsError> {
        let provider = self.provider_for(channel);
        let missing = MessagingSettingsError::MissingProviderSettings { channel, provider };
        match provider {
            ProviderKind::Sandbox => Ok(()),
            ProviderKind::Twilio => {
                let t = self.twilio.as_ref().ok_or(missing)?;
                check_secret(&t.auth_token, "twilio.auth_token")?;
                check_url(&t.base_url, provider)?;
                let from = match channel {
                    Channel::Whatsapp => &t.whatsapp_from,
                    Channel::Sms | Channel::Voice | Channel::Email => &t.sms_from,
                };
                let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
                if has(from) || has(&t.messaging_service_sid) {
                    Ok(())
                } else {
                    Err(MessagingSettingsError::MissingSender { channel })
                }
            }
            // Helena is a WhatsApp (chat) platform; it has no SMS sending.
            // SMTP only sends e-mail, and e-mail only goes by SMTP (or the sandbox).
            ProviderKind::Smtp if channel != Channel::Email => {
                Err(MessagingSettingsError::UnsupportedChannel { channel, provider })
            }
            ProviderKind::Smtp => Ok(()),
            ProviderKind::Helena if channel == Channel::Sms => {
                Err(MessagingSettingsError::UnsupportedChannel { channel, provider })
            }
            ProviderKind::Helena => {
                let h = self.helena.as_ref().ok_or(missing)?;
                check_secret(&h.api_token, "helena.api_token")?;
                check_secret(&h.webhook_secret, "helena.webhook_secret")?;
                check_url(&h.base_url, provider)
            }
        }
    }
}

impl ApprovedTemplate {
    /// The numbered parameters (`{"1": "Maria", "2": "14/10 09:30"}`) for Twilio's
    /// `ContentVariables` or Helena's `parameters`, taken from the same variables the text
    /// templates use. Lists are joined with "; ", and whitespace runs (newlines included)
    /// become one space, because WhatsApp rejects template parameters with line breaks.
    pub fn parameters(&self, variables: &Value) -> Result<BTreeMap<String, String>, TemplateError> {
        self.variables
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let value = variables.get(name).filter(|v| !v.is_null());
                let text = value.and_then(parameter_text).ok_or_else(|| {
                    TemplateError::UndefinedVariable(format!("{name} (parameter {})", i + 1))
                })?;
                Ok(((i + 1).to_string(), text))
            })
            .collect()
    }
}

fn parameter_text(value: &Value) -> Option<String> {
    let raw = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items.iter().map(parameter_text).collect::<Option<Vec<_>>>()?.join("; "),
        Value::Null | Value::Object(_) => return None,
    };
    Some(raw.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn keep(new: &mut String, old: &str) {
    if new == MASK {
        old.clone_into(new);
    }
}

fn check_secret(value: &str, field: &'static str) -> Result<(), MessagingSettingsError> {
    if value.trim().is_empty() || value == MASK {
        Err(MessagingSettingsError::SecretNotSet(field))
    } else {
        Ok(())
    }
}

fn check_url(url: &str, provider: ProviderKind) -> Result<(), MessagingSettingsError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(MessagingSettingsError::InvalidBaseUrl(provider))
    }
}

fn parse_key(raw: &str) -> Result<TemplateKey, MessagingSettingsError> {
    raw.parse().map_err(|_| MessagingSettingsError::UnknownTemplateKey(raw.to_owned()))
}

/// Exact locale names only: they are map keys, and "pt_br" would silently never match.
fn parse_locale(raw: &str) -> Result<Locale, MessagingSettingsError> {
    match raw {
        "pt-BR" => Ok(Locale::PtBr),
        "en" => Ok(Locale::En),
        _ => Err(MessagingSettingsError::UnknownLocale(raw.to_owned())),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
