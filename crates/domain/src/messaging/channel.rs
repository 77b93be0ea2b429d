//! The channels Frontdesk messages patients on, and which way a message travels.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A wire name that is not one of an enum's values (a bad query parameter or column).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {kind} {value:?}")]
pub struct ParseEnumError {
    pub kind: &'static str,
    /// At most 40 characters of what was given, so a huge input stays out of logs.
    pub value: String,
}

/// A channel the clinic reaches patients on. One conversation exists per patient and
/// messaging channel (WhatsApp, SMS, e-mail); `Voice` (phone calls) exists for consent
/// only, so that one consent record covers calls and messages: no conversation or message
/// is ever on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Whatsapp,
    Sms,
    Voice,
    Email,
}

wire_names!(Channel { Whatsapp => "whatsapp", Sms => "sms", Voice => "voice", Email => "email" });

impl Channel {
    /// Only WhatsApp limits free-form messages to 24 hours after the patient last wrote;
    /// SMS may be sent at any time (subject to consent and quiet hours).
    pub fn has_customer_care_window(&self) -> bool {
        matches!(self, Self::Whatsapp)
    }

    /// WhatsApp, SMS and e-mail carry messages; `Voice` only scopes consent to calls.
    pub fn is_messaging(&self) -> bool {
        matches!(self, Self::Whatsapp | Self::Sms | Self::Email)
    }

    /// Reached at a phone number (e-mail goes to the patient's address).
    pub fn uses_phone(&self) -> bool {
        !matches!(self, Self::Email)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the patient to the clinic.
    Inbound,
    /// From the clinic (staff, a playbook or the dialogue) to the patient.
    Outbound,
}

wire_names!(Direction { Inbound => "inbound", Outbound => "outbound" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde_and_round_trip() {
        for c in Channel::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), *c);
        }
        for d in Direction::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
            assert_eq!(d.to_string().parse::<Direction>().unwrap(), *d);
        }
        let err = "WhatsApp".parse::<Channel>().unwrap_err();
        assert_eq!(err.to_string(), r#"unknown Channel "WhatsApp""#);
        let long = "x".repeat(1000).parse::<Channel>().unwrap_err();
        assert_eq!(long.value.len(), 40);
    }
}
