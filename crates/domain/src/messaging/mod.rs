//! Talking to patients over WhatsApp and SMS, as pure rules: conversations and their
//! WhatsApp customer-care window, messages and their delivery status, consent keywords,
//! quiet hours, message templates and the per-tenant messaging settings.
//!
//! Nothing here sends, stores or reads a clock: providers, stores and the engine call
//! these functions with "now" as a parameter.

/// Gives a field-less enum its wire names: `ALL`, `as_str`, `Display` and `FromStr`.
/// The names must match the enum's serde names (snake_case); each module's tests check
/// that they do, so a database column and a JSON body spell a value the same way.
macro_rules! wire_names {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::messaging::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::messaging::ParseEnumError {
                        kind: stringify!($name),
                        value: s.chars().take(40).collect(),
                    }),
                }
            }
        }
    };
}

mod channel;
mod consent;
mod conversation;
mod email_settings;
mod message;
mod quiet_hours;
mod settings;
mod status;
mod template_defaults;
mod template_key;
mod templates;

#[cfg(test)]
mod props;

pub use channel::{Channel, Direction, ParseEnumError};
pub use consent::{Consent, ConsentKeyword, ConsentState, keyword, may_send_automated};
pub use conversation::{Conversation, ConversationStatus, WHATSAPP_WINDOW};
pub use email_settings::{EmailSettings, GmailSettings, SmtpSecurity, SmtpSettings};
pub use message::{Media, Message, MessageText, Sender, search_key};
pub use quiet_hours::{QuietHours, QuietHoursError, next_allowed};
pub use settings::{
    ApprovedTemplate, HelenaSettings, MessagingSettings, MessagingSettingsError, ProviderKind, TwilioSettings,
};
pub use status::{MessageStatus, advance};
pub use templates::{
    MAX_RENDERED_CHARS, MAX_SOURCE_BYTES, TemplateError, TemplateKey, default_source, render, validate_source,
};
