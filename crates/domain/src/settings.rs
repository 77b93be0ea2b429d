//! Per-tenant settings: one JSON document per tenant, edited with JSON merge patch.
//! Later capabilities add their sections here (messaging providers, quiet hours...).

use crate::scheduling::{BookingRules, ReminderPolicy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSettings {
    /// ISO 3166 region for phone numbers written without a country code.
    pub default_region: String,
    pub booking: BookingRules,
    pub reminders: ReminderPolicy,
    pub scheduling: SchedulingSettings,
    pub messaging: crate::messaging::MessagingSettings,
    pub voice: crate::voice::VoiceSettings,
    pub leads: crate::leads::LeadSettings,
    pub dialogue: crate::leads::DialogueSettings,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulingSettings {
    /// Where the calendar of record lives.
    pub backend: SchedulingBackendKind,
    pub ninsaude: Option<NinsaudeSettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedulingBackendKind {
    /// Frontdesk's own calendar.
    #[default]
    Internal,
    /// Ninsaúde Clinic is the system of record; bookings are created there first.
    Ninsaude,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NinsaudeSettings {
    #[serde(default = "default_ninsaude_url")]
    pub base_url: String,
    pub account: String,
    pub username: String,
    /// Write-only through the API: shown masked.
    pub password: String,
    #[serde(default = "default_unit")]
    pub account_unit: u32,
}

fn default_ninsaude_url() -> String {
    "https://api.ninsaude.com/v1".into()
}

fn default_unit() -> u32 {
    1
}

impl std::fmt::Debug for NinsaudeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NinsaudeSettings")
            .field("base_url", &self.base_url)
            .field("account", &self.account)
            .field("username", &"***")
            .field("password", &"***")
            .field("account_unit", &self.account_unit)
            .finish()
    }
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            default_region: "BR".into(),
            booking: BookingRules::default(),
            reminders: ReminderPolicy::default(),
            scheduling: SchedulingSettings::default(),
            messaging: crate::messaging::MessagingSettings::default(),
            voice: crate::voice::VoiceSettings::default(),
            leads: crate::leads::LeadSettings::default(),
            dialogue: crate::leads::DialogueSettings::default(),
        }
    }
}

pub const MASK: &str = "********";

impl TenantSettings {
    /// Every address the server will call for this clinic, with the field that holds it:
    /// what the egress rules check when settings are saved.
    pub fn outbound_urls(&self) -> Vec<(&'static str, &str)> {
        let m = &self.messaging;
        let d = &self.dialogue;
        [
            m.twilio.as_ref().map(|t| ("messaging.twilio.base_url", t.base_url.as_str())),
            m.helena.as_ref().map(|h| ("messaging.helena.base_url", h.base_url.as_str())),
            self.voice.vapi.as_ref().map(|v| ("voice.vapi.base_url", v.base_url.as_str())),
            self.scheduling.ninsaude.as_ref().map(|n| ("scheduling.ninsaude.base_url", n.base_url.as_str())),
            d.n8n.as_ref().map(|n| ("dialogue.n8n.webhook_url", n.webhook_url.as_str())),
            d.transcriber.as_ref().map(|e| ("dialogue.transcriber.base_url", e.base_url.as_str())),
            d.classifier.as_ref().map(|e| ("dialogue.classifier.base_url", e.base_url.as_str())),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The settings as shown to API clients: secrets replaced by a mask.
    pub fn masked(&self) -> Self {
        let mut shown = self.clone();
        if let Some(n) = shown.scheduling.ninsaude.as_mut() {
            n.password = MASK.into();
        }
        shown.messaging = self.messaging.masked();
        shown.voice = self.voice.masked();
        shown.dialogue = self.dialogue.masked();
        shown
    }

    /// Keeps stored secrets when a client sends back the mask it was shown.
    pub fn keep_secrets_from(&mut self, previous: &TenantSettings) {
        self.messaging.keep_secrets_from(&previous.messaging);
        self.voice.keep_secrets_from(&previous.voice);
        self.dialogue.keep_secrets_from(&previous.dialogue);
        if let (Some(new), Some(old)) =
            (self.scheduling.ninsaude.as_mut(), previous.scheduling.ninsaude.as_ref())
            && new.password == MASK
        {
            new.password = old.password.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_kept() {
        let mut s = TenantSettings::default();
        s.scheduling.ninsaude = Some(NinsaudeSettings {
            base_url: default_ninsaude_url(),
            account: "clinica".into(),
            username: "bot".into(),
            password: "hunter2".into(),
            account_unit: 1,
        });
        let shown = s.masked();
        assert_eq!(shown.scheduling.ninsaude.as_ref().unwrap().password, MASK);
        assert!(!format!("{s:?}").contains("hunter2"));
        let mut echoed = shown.clone();
        echoed.keep_secrets_from(&s);
        assert_eq!(echoed, s);
    }

    #[test]
    fn empty_document_is_defaults() {
        let s: TenantSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, TenantSettings::default());
        assert!(serde_json::from_str::<TenantSettings>(r#"{"bogus": 1}"#).is_err());
    }
}
