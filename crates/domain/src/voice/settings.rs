//! The voice section of a tenant's settings document: which provider places calls, its
//! credentials and webhook authentication, the retry cadence, and what the sandbox plays.
//! Secrets are masked in `Debug` and in what the API shows, and kept when a client sends
//! the mask back (as in `crate::settings`).

use super::cadence::RetryCadence;
use crate::settings::MASK;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoiceProviderKind {
    Vapi,
    /// Records the call and plays [`SandboxOutcome`] through the webhook ingest path, so
    /// a new tenant's funnel works without an account anywhere.
    #[default]
    Sandbox,
}

wire_names!(VoiceProviderKind { Vapi => "vapi", Sandbox => "sandbox" });

/// What a sandbox call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SandboxOutcome {
    /// The patient answers and books the first offered slot.
    #[default]
    AnsweredAndBooked,
    NoAnswer,
    Voicemail,
    NotInterested,
}

wire_names!(SandboxOutcome {
    AnsweredAndBooked => "answered_and_booked",
    NoAnswer => "no_answer",
    Voicemail => "voicemail",
    NotInterested => "not_interested",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceSettings {
    pub provider: VoiceProviderKind,
    pub vapi: Option<VapiSettings>,
    /// `X-Webhook-Secret` of the generic voice-agent webhook; without it that webhook is
    /// closed. Write-only.
    pub webhook_secret: Option<String>,
    /// After no answer, busy or voicemail.
    pub retry: RetryCadence,
    /// Send a WhatsApp message after an unanswered call, when the patient has WhatsApp.
    pub whatsapp_follow_up: bool,
    pub sandbox_outcome: SandboxOutcome,
    /// Where a caller who asks the AI for a person is transferred during opening hours,
    /// in E.164 (`+5511...`). Without it, every such caller is promised a callback.
    pub transfer_number: Option<String>,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            provider: VoiceProviderKind::default(),
            vapi: None,
            webhook_secret: None,
            retry: RetryCadence::default(),
            whatsapp_follow_up: true,
            sandbox_outcome: SandboxOutcome::default(),
            transfer_number: None,
        }
    }
}

/// How VAPI authenticates its server URL requests to Frontdesk.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VapiSettings {
    #[serde(default = "default_vapi_url")]
    pub base_url: String,
    /// Private API key, sent as Bearer. Write-only.
    pub api_key: String,
    /// The assistant of outbound calls.
    pub assistant_id: String,
    /// The clinic's VAPI phone number that calls come from.
    pub phone_number_id: String,
    /// The assistant given to inbound callers (`assistant-request`).
    pub inbound_assistant_id: Option<String>,
    /// The `X-Vapi-Secret` header value. Write-only.
    pub server_secret: Option<String>,
    /// VAPI's HMAC credential, used instead of the secret header when set.
    pub hmac: Option<VapiHmacSettings>,
}

/// VAPI's `HmacAuthenticationPlan`, with its defaults.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VapiHmacSettings {
    /// Write-only.
    pub secret: String,
    /// `sha256`, `sha512` or `sha1`.
    pub algorithm: String,
    pub signature_header: String,
    pub timestamp_header: String,
    pub payload_format: String,
    pub include_timestamp: bool,
    /// `hex` or `base64`.
    pub signature_encoding: String,
    pub signature_prefix: Option<String>,
    pub secret_is_base64: bool,
    /// Refuse timestamps further than this from now (off when absent).
    pub max_skew_seconds: Option<u64>,
}

impl Default for VapiHmacSettings {
    fn default() -> Self {
        Self {
            secret: String::new(),
            algorithm: "sha256".into(),
            signature_header: "x-signature".into(),
            timestamp_header: "x-timestamp".into(),
            payload_format: "{timestamp}.{body}".into(),
            include_timestamp: true,
            signature_encoding: "hex".into(),
            signature_prefix: None,
            secret_is_base64: false,
            max_skew_seconds: None,
        }
    }
}

fn default_vapi_url() -> String {
    "https://api.vapi.ai".into()
}

impl fmt::Debug for VapiSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapiSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &"***")
            .field("assistant_id", &self.assistant_id)
            .field("phone_number_id", &self.phone_number_id)
            .field("inbound_assistant_id", &self.inbound_assistant_id)
            .field("server_secret", &self.server_secret.as_ref().map(|_| "***"))
            .field("hmac", &self.hmac.as_ref().map(|h| &h.algorithm))
            .finish()
    }
}

impl fmt::Debug for VapiHmacSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapiHmacSettings").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum VoiceSettingsError {
    #[error("voice provider is vapi but there are no vapi settings")]
    MissingVapi,
    #[error("vapi needs server_secret or hmac so that its webhooks can be authenticated")]
    NoWebhookAuth,
    #[error("{0} must be set (the mask shown by the API is not a value)")]
    SecretNotSet(&'static str),
    #[error("vapi base_url must start with http:// or https://")]
    InvalidBaseUrl,
    #[error("vapi hmac {field} must be one of {allowed}")]
    InvalidHmac { field: &'static str, allowed: &'static str },
    #[error("retry max_attempts must be between 1 and 10")]
    InvalidMaxAttempts,
    #[error("voice.transfer_number must be a phone number in E.164 form, like +5511987654321")]
    InvalidTransferNumber,
}

impl VoiceSettings {
    pub fn masked(&self) -> Self {
        let mut shown = self.clone();
        if let Some(v) = shown.vapi.as_mut() {
            v.api_key = MASK.into();
            if let Some(s) = v.server_secret.as_mut() {
                *s = MASK.into();
            }
            if let Some(h) = v.hmac.as_mut() {
                h.secret = MASK.into();
            }
        }
        if let Some(s) = shown.webhook_secret.as_mut() {
            *s = MASK.into();
        }
        shown
    }

    pub fn keep_secrets_from(&mut self, previous: &VoiceSettings) {
        fn keep(new: &mut String, old: &str) {
            if new == MASK {
                *new = old.to_owned();
            }
        }
        if let (Some(new), Some(old)) = (self.vapi.as_mut(), previous.vapi.as_ref()) {
            keep(&mut new.api_key, &old.api_key);
            if let (Some(n), Some(o)) = (new.server_secret.as_mut(), old.server_secret.as_ref()) {
                keep(n, o);
            }
            if let (Some(n), Some(o)) = (new.hmac.as_mut(), old.hmac.as_ref()) {
                keep(&mut n.secret, &o.secret);
            }
        }
        if let (Some(n), Some(o)) = (self.webhook_secret.as_mut(), previous.webhook_secret.as_ref()) {
            keep(n, o);
        }
    }

    pub fn validate(&self) -> Result<(), VoiceSettingsError> {
        if !(1..=10).contains(&self.retry.max_attempts) {
            return Err(VoiceSettingsError::InvalidMaxAttempts);
        }
        if self.webhook_secret.as_deref().is_some_and(|s| s.is_empty() || s == MASK) {
            return Err(VoiceSettingsError::SecretNotSet("voice.webhook_secret"));
        }
        // Stored exactly as VAPI must receive it: `+`, then a number that parses and
        // prints back the same, so a typo is refused here and not on a live call.
        if let Some(n) = &self.transfer_number
            && !crate::contact::PhoneE164::parse(n, "BR").is_ok_and(|p| n.starts_with('+') && p.as_str() == n)
        {
            return Err(VoiceSettingsError::InvalidTransferNumber);
        }
        let Some(v) = &self.vapi else {
            return match self.provider {
                VoiceProviderKind::Vapi => Err(VoiceSettingsError::MissingVapi),
                VoiceProviderKind::Sandbox => Ok(()),
            };
        };
        if !(v.base_url.starts_with("http://") || v.base_url.starts_with("https://")) {
            return Err(VoiceSettingsError::InvalidBaseUrl);
        }
        let unset = |s: &str| s.is_empty() || s == MASK;
        if unset(&v.api_key) {
            return Err(VoiceSettingsError::SecretNotSet("voice.vapi.api_key"));
        }
        if v.server_secret.as_deref().is_some_and(unset) {
            return Err(VoiceSettingsError::SecretNotSet("voice.vapi.server_secret"));
        }
        match &v.hmac {
            Some(h) => {
                if unset(&h.secret) {
                    return Err(VoiceSettingsError::SecretNotSet("voice.vapi.hmac.secret"));
                }
                if !["sha256", "sha512", "sha1"].contains(&h.algorithm.as_str()) {
                    return Err(VoiceSettingsError::InvalidHmac {
                        field: "algorithm",
                        allowed: "sha256, sha512, sha1",
                    });
                }
                if !["hex", "base64"].contains(&h.signature_encoding.as_str()) {
                    return Err(VoiceSettingsError::InvalidHmac {
                        field: "signature_encoding",
                        allowed: "hex, base64",
                    });
                }
            }
            None if v.server_secret.is_none() => return Err(VoiceSettingsError::NoWebhookAuth),
            None => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_number_must_be_e164() {
        let with = |n: &str| VoiceSettings { transfer_number: Some(n.into()), ..VoiceSettings::default() };
        assert_eq!(with("+5511987654321").validate(), Ok(()));
        assert_eq!(with("+14155550123").validate(), Ok(()));
        for bad in ["11987654321", "+55 11 98765-4321", "+55119", "phone", ""] {
            assert_eq!(with(bad).validate(), Err(VoiceSettingsError::InvalidTransferNumber), "{bad:?}");
        }
    }

    fn vapi() -> VapiSettings {
        VapiSettings {
            base_url: default_vapi_url(),
            api_key: "sk-live".into(),
            assistant_id: "asst_1".into(),
            phone_number_id: "pn_1".into(),
            inbound_assistant_id: None,
            server_secret: Some("s3cret".into()),
            hmac: None,
        }
    }

    #[test]
    fn secrets_masked_kept_and_validated() {
        let s = VoiceSettings {
            provider: VoiceProviderKind::Vapi,
            vapi: Some(vapi()),
            webhook_secret: Some("generic".into()),
            ..Default::default()
        };
        assert_eq!(s.validate(), Ok(()));
        let shown = s.masked();
        let text = serde_json::to_string(&shown).unwrap();
        assert!(!text.contains("sk-live") && !text.contains("s3cret") && !text.contains("generic"), "{text}");
        assert!(!format!("{s:?}").contains("sk-live"));
        let mut back = shown.clone();
        back.keep_secrets_from(&s);
        assert_eq!(back, s);
        assert_eq!(shown.validate(), Err(VoiceSettingsError::SecretNotSet("voice.webhook_secret")));
    }

    #[test]
    fn vapi_needs_webhook_auth_and_known_hmac() {
        let mut v = vapi();
        v.server_secret = None;
        let mut s = VoiceSettings { provider: VoiceProviderKind::Vapi, vapi: Some(v), ..Default::default() };
        assert_eq!(s.validate(), Err(VoiceSettingsError::NoWebhookAuth));
        s.vapi.as_mut().unwrap().hmac =
            Some(VapiHmacSettings { secret: "k".into(), algorithm: "md5".into(), ..Default::default() });
        assert!(matches!(s.validate(), Err(VoiceSettingsError::InvalidHmac { field: "algorithm", .. })));
        s.vapi.as_mut().unwrap().hmac = Some(VapiHmacSettings { secret: "k".into(), ..Default::default() });
        assert_eq!(s.validate(), Ok(()));
        let missing = VoiceSettings { provider: VoiceProviderKind::Vapi, ..Default::default() };
        assert_eq!(missing.validate(), Err(VoiceSettingsError::MissingVapi));
        assert_eq!(VoiceSettings::default().validate(), Ok(()));
    }
}
