//! Consent per channel and the opt-out / opt-in keywords a patient can send.
//!
//! WhatsApp has no carrier-level STOP handling, so Frontdesk recognises the keywords
//! itself, on every channel, and records the result with its source and time.

use super::channel::Channel;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    OptedIn,
    OptedOut,
}

wire_names!(ConsentState { OptedIn => "opted_in", OptedOut => "opted_out" });

/// A consent decision for one channel, with where it came from (`keyword`, `staff`,
/// `import`, `form`...) so that it can be shown and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub channel: Channel,
    pub state: ConsentState,
    pub source: String,
    pub at: Timestamp,
}

/// What a keyword message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKeyword {
    OptOut,
    OptIn,
}

impl From<ConsentKeyword> for ConsentState {
    fn from(keyword: ConsentKeyword) -> Self {
        match keyword {
            ConsentKeyword::OptOut => Self::OptedOut,
            ConsentKeyword::OptIn => Self::OptedIn,
        }
    }
}

/// Portuguese and English opt-out words. CANCEL/CANCELAR are deliberately absent: a
/// patient writing "cancelar" means the appointment, not the messages.
const OPT_OUT: [&str; 5] = ["STOP", "PARAR", "SAIR", "DESCADASTRAR", "UNSUBSCRIBE"];
const OPT_IN: [&str; 2] = ["START", "VOLTAR"];

/// Longer than any keyword plus generous punctuation: a longer message is a sentence,
/// and checking the length first keeps normalisation off long texts.
const MAX_KEYWORD_MESSAGE_BYTES: usize = 64;

/// Recognises a consent keyword when it is the whole message. Case, accents
/// ("DESCADASTRÁR"), full-width letters and surrounding punctuation, spaces or emoji
/// ("Parar!", " stop.") are ignored; anything more ("stop please", "quero parar de
/// receber") is an ordinary message for the dialogue, because a false opt-out silently
/// cuts a patient off from their reminders.
pub fn keyword(text: &str) -> Option<ConsentKeyword> {
    let trimmed = text.trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() || trimmed.len() > MAX_KEYWORD_MESSAGE_BYTES {
        return None;
    }
    // NFKD splits "Á" into "A" + a combining accent (dropped) and folds compatibility
    // forms such as full-width letters into plain ones.
    let folded: String =
        trimmed.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_uppercase).collect();
    if OPT_OUT.contains(&folded.as_str()) {
        Some(ConsentKeyword::OptOut)
    } else if OPT_IN.contains(&folded.as_str()) {
        Some(ConsentKeyword::OptIn)
    } else {
        None
    }
}

/// Whether automated messages (reminders, campaigns, follow-ups) may go to a patient on
/// `channel`, given their consent records. The latest record for the channel decides;
/// with none, the patient gave the clinic their number and has not objected, so sending
/// is allowed. Replies that staff type are not automated and are not gated here.
pub fn may_send_automated(consents: &[Consent], channel: Channel) -> bool {
    consents
        .iter()
        .filter(|c| c.channel == channel)
        .max_by_key(|c| c.at)
        .is_none_or(|c| c.state == ConsentState::OptedIn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_out_words_in_any_case_accent_and_punctuation() {
        for text in [
            "STOP",
            "stop",
            " Stop. ",
            "sToP!!",
            "PARAR",
            "Parar!",
            "párar",
            "SAIR",
            "sair",
            "Saír?",
            "DESCADASTRAR",
            "descadastrar",
            "DESCADASTRÁR",
            "Descadastrár.",
            "déscadâstrar",
            "UNSUBSCRIBE",
            "unsubscribe",
            "Unsubscribe!",
            "\"stop\"",
            "stop 🙏",
            "ＳＴＯＰ",
            "\n\tPARAR\r\n",
        ] {
            assert_eq!(keyword(text), Some(ConsentKeyword::OptOut), "{text:?}");
        }
    }

    #[test]
    fn opt_in_words() {
        for text in ["START", "start", "Start!", "VOLTAR", "voltar", "Voltár", " vóltar. "] {
            assert_eq!(keyword(text), Some(ConsentKeyword::OptIn), "{text:?}");
        }
    }

    #[test]
    fn everything_else_is_an_ordinary_message() {
        for text in [
            "",
            "   ",
            "!!!",
            "cancelar",
            "CANCELAR",
            "cancel",
            "quero parar de receber lembretes",
            "stop please",
            "please stop",
            "pare",
            "s t o p",
            "st-op",
            "stopp",
            "sai",
            "voltar amanhã",
            "1",
            "sim",
        ] {
            assert_eq!(keyword(text), None, "{text:?}");
        }
    }

    #[test]
    fn latest_consent_per_channel_decides() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let record = |channel, state, at| Consent { channel, state, source: "keyword".into(), at: t(at) };
        assert!(may_send_automated(&[], Channel::Whatsapp));
        let history = [
            record(Channel::Whatsapp, ConsentState::OptedOut, "2026-03-01T10:00:00Z"),
            record(Channel::Whatsapp, ConsentState::OptedIn, "2026-03-02T10:00:00Z"),
            record(Channel::Sms, ConsentState::OptedOut, "2026-03-01T10:00:00Z"),
        ];
        assert!(may_send_automated(&history, Channel::Whatsapp));
        assert!(!may_send_automated(&history, Channel::Sms));
        assert!(!may_send_automated(&history[..1], Channel::Whatsapp));
    }

    #[test]
    fn keyword_maps_to_state() {
        assert_eq!(ConsentState::from(ConsentKeyword::OptOut), ConsentState::OptedOut);
        assert_eq!(ConsentState::from(ConsentKeyword::OptIn), ConsentState::OptedIn);
        for s in ConsentState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
