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
    pub safety: SafetySettings,
    pub waitlist: crate::waitlist::WaitlistSettings,
    pub no_show: NoShowSettings,
    pub campaigns: crate::campaigns::CampaignSettings,
    pub reports: crate::analytics::schedule::ReportSettings,
}

/// What the clinic does with its no-show risks (see `crate::noshow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoShowSettings {
    /// From this probability of a no-show on, an appointment still unconfirmed two days
    /// ahead gets a confirmation request. A clinic that overbooks may want it higher; one
    /// whose slots are precious, lower.
    pub high_risk_threshold: f64,
}

impl Default for NoShowSettings {
    fn default() -> Self {
        Self { high_risk_threshold: crate::noshow::Risk::HIGH }
    }
}

impl NoShowSettings {
    pub fn validate(&self) -> Result<(), String> {
        let t = self.high_risk_threshold;
        // 0 would ask every patient and 1 none: both are better said by turning it off.
        if !(t > 0.0 && t < 1.0) {
            return Err(format!(
                "no_show.high_risk_threshold must be a probability strictly between 0 and 1 (got {t})"
            ));
        }
        Ok(())
    }
}

/// What the dialogue does with emergencies and questions only a professional may answer
/// (see `crate::safety`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SafetySettings {
    /// Told to a patient with a red-flag symptom ("SAMU 192 / Bombeiros 193"); by default
    /// the numbers of the clinic's `default_region` (see [`emergency_numbers_for`]).
    pub emergency_numbers: Option<String>,
    /// A staff phone (E.164) alerted at once when a conversation turns urgent: no symptom,
    /// only that a conversation needs someone now.
    pub staff_alert_phone: Option<crate::contact::PhoneE164>,
    /// Topics handed to staff with a polite reply instead of answered.
    pub never_advise: Vec<crate::safety::Topic>,
    /// Added to the emergency advice for suicidal thoughts: a free crisis line to talk to
    /// ("CVV 188"); by default the region's (see [`crisis_line_for`]), none where unknown.
    pub crisis_line: Option<String>,
}

impl Default for SafetySettings {
    fn default() -> Self {
        Self {
            emergency_numbers: None,
            staff_alert_phone: None,
            never_advise: crate::safety::Topic::ALL.to_vec(),
            crisis_line: None,
        }
    }
}

/// Longest `emergency_numbers` accepted: a line of a message, not a paragraph.
pub const MAX_EMERGENCY_NUMBERS_CHARS: usize = 80;

impl SafetySettings {
    /// The emergency numbers to tell patients: the configured ones, else the region's.
    pub fn emergency_numbers(&self, region: &str) -> String {
        match self.emergency_numbers.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => emergency_numbers_for(region).to_owned(),
        }
    }

    /// The crisis line to add for suicidal thoughts: the configured one, else the region's.
    pub fn crisis_line(&self, region: &str) -> Option<String> {
        match self.crisis_line.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => Some(n.to_owned()),
            _ => crisis_line_for(region).map(str::to_owned),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if let Some(n) = &self.crisis_line
            && n.trim().chars().count() > MAX_EMERGENCY_NUMBERS_CHARS
        {
            return Err(format!(
                "safety.crisis_line must be at most {MAX_EMERGENCY_NUMBERS_CHARS} characters"
            ));
        }
        if let Some(n) = &self.emergency_numbers {
            let chars = n.trim().chars().count();
            if chars == 0 || chars > MAX_EMERGENCY_NUMBERS_CHARS {
                return Err(format!(
                    "safety.emergency_numbers must be 1 to {MAX_EMERGENCY_NUMBERS_CHARS} characters (or null for the region's)"
                ));
            }
        }
        Ok(())
    }
}

/// A free, round-the-clock line for people thinking of suicide: Brazil's CVV, the US 988
/// Suicide & Crisis Lifeline (also reachable in Canada at 988). Elsewhere none is assumed.
pub fn crisis_line_for(region: &str) -> Option<&'static str> {
    match region.trim().to_ascii_uppercase().as_str() {
        "BR" => Some("CVV 188"),
        "US" | "CA" => Some("988"),
        _ => None,
    }
}

/// The emergency numbers of an ISO 3166 region: Brazil's ambulance (SAMU) and fire
/// brigade, 911 in North America, 112 in the European Union and as the fallback (GSM phones
/// route 112 in most countries).
pub fn emergency_numbers_for(region: &str) -> &'static str {
    const EU: &[&str] = &[
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
        "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ];
    match region.trim().to_ascii_uppercase().as_str() {
        "BR" => "SAMU 192 / Bombeiros 193",
        "US" | "CA" => "911",
        r if EU.contains(&r) => "112",
        _ => "112",
    }
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
            safety: SafetySettings::default(),
            waitlist: crate::waitlist::WaitlistSettings::default(),
            no_show: NoShowSettings::default(),
            campaigns: crate::campaigns::CampaignSettings::default(),
            reports: crate::analytics::schedule::ReportSettings::default(),
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
            d.assistant_model.as_ref().map(|e| ("dialogue.assistant_model.base_url", e.base_url.as_str())),
        ]
        .into_iter()
        .flatten()
        .chain(m.email.iter().filter_map(|e| e.gmail.as_ref()).flat_map(|g| {
            [
                ("messaging.email.gmail.api_base_url", g.api_base_url.as_str()),
                ("messaging.email.gmail.token_url", g.token_url.as_str()),
                ("messaging.email.gmail.certs_url", g.certs_url.as_str()),
            ]
        }))
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
    fn safety_defaults_follow_the_region() {
        let s = TenantSettings::default();
        assert_eq!(s.safety.never_advise, crate::safety::Topic::ALL.to_vec());
        assert_eq!(s.safety.emergency_numbers("BR"), "SAMU 192 / Bombeiros 193");
        assert_eq!(s.safety.emergency_numbers("us"), "911");
        assert_eq!(s.safety.emergency_numbers("CA"), "911");
        assert_eq!(s.safety.emergency_numbers("PT"), "112");
        assert_eq!(s.safety.emergency_numbers("JP"), "112");
        assert_eq!(s.safety.crisis_line("BR").as_deref(), Some("CVV 188"));
        assert_eq!(s.safety.crisis_line("US").as_deref(), Some("988"));
        assert_eq!(s.safety.crisis_line("PT"), None);
        let own = SafetySettings { emergency_numbers: Some(" 999 ".into()), ..SafetySettings::default() };
        assert_eq!(own.emergency_numbers("BR"), "999");
        assert!(own.validate().is_ok());
        let blank = SafetySettings { emergency_numbers: Some("  ".into()), ..SafetySettings::default() };
        assert!(blank.validate().is_err());
        // The staff phone must be a phone number; unknown topics are refused.
        let bad: Result<TenantSettings, _> =
            serde_json::from_str(r#"{"safety": {"staff_alert_phone": "call me"}}"#);
        assert!(bad.is_err());
        let bad: Result<TenantSettings, _> =
            serde_json::from_str(r#"{"safety": {"never_advise": ["weather"]}}"#);
        assert!(bad.is_err());
        let ok: TenantSettings = serde_json::from_str(
            r#"{"safety": {"staff_alert_phone": "+5511987654321", "never_advise": ["dosage"]}}"#,
        )
        .unwrap();
        assert_eq!(
            ok.safety.staff_alert_phone.map(|p| p.as_str().to_owned()).as_deref(),
            Some("+5511987654321")
        );
        assert_eq!(ok.safety.never_advise, vec![crate::safety::Topic::Dosage]);
    }

    #[test]
    fn the_high_risk_threshold_is_a_probability_strictly_between_0_and_1() {
        assert_eq!(TenantSettings::default().no_show.high_risk_threshold, 0.3);
        for ok in [0.01, 0.3, 0.99] {
            assert!(NoShowSettings { high_risk_threshold: ok }.validate().is_ok(), "{ok}");
        }
        for bad in [0.0, 1.0, -0.2, 1.5] {
            let e = NoShowSettings { high_risk_threshold: bad }.validate().unwrap_err();
            assert!(e.contains("no_show.high_risk_threshold"), "{e}");
        }
        let s: TenantSettings =
            serde_json::from_str(r#"{"no_show": {"high_risk_threshold": 0.45}}"#).unwrap();
        assert_eq!(s.no_show.high_risk_threshold, 0.45);
    }

    #[test]
    fn empty_document_is_defaults() {
        let s: TenantSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, TenantSettings::default());
        assert!(serde_json::from_str::<TenantSettings>(r#"{"bogus": 1}"#).is_err());
    }
}
