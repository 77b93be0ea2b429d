//! Personal contact data. Each type masks itself in `Debug` and `Display`, so a value that
//! slips into a log line or an error message shows as `***` instead of the person's data.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContactError {
    #[error("not a valid phone number for region {region}")]
    InvalidPhone { region: String },
    #[error("unknown region {0:?}; use an ISO 3166 code such as BR")]
    UnknownRegion(String),
    #[error("not a valid e-mail address")]
    InvalidEmail,
    #[error("name must be 1-200 characters")]
    InvalidName,
}

macro_rules! masked {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(***)", stringify!($name))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("***")
            }
        }
    };
}

/// A phone number in E.164 form (`+5511987654321`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);
masked!(PhoneE164);

impl PhoneE164 {
    /// Parses what a person or provider wrote (`(11) 98765-4321`, `whatsapp:+55…`,
    /// `0055 11…`) using `region` for numbers without a country code. Brazilian mobiles
    /// written without the ninth digit (pre-2016 format, still common in CRMs) get it
    /// back, so both spellings identify the same patient.
    pub fn parse(raw: &str, region: &str) -> Result<Self, ContactError> {
        let region_id: phonenumber::country::Id = region
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| ContactError::UnknownRegion(region.to_owned()))?;
        let cleaned = raw.trim().trim_start_matches("whatsapp:").trim_start_matches("tel:");
        let cleaned =
            cleaned.strip_prefix("00").map(|rest| format!("+{rest}")).unwrap_or_else(|| cleaned.to_owned());
        let invalid = || ContactError::InvalidPhone { region: region.to_ascii_uppercase() };
        // A number with its country code is parsed without the region: the phonenumber crate
        // applies the region's national-prefix rules to it otherwise, and under BR reads
        // `+44 900 900 1000` as `+44 900 1000`, so an accepted number would not read back as
        // itself (found by the phone_number fuzz target).
        let hint = if cleaned.starts_with('+') { None } else { Some(region_id) };
        let number = phonenumber::parse(hint, &cleaned).map_err(|_| invalid())?;
        // Canonical form: the number re-read from its E.164 text (which can strip a carrier
        // code or expand a local number: `+1 670` seven-digit dialling), with the Brazilian
        // ninth digit, until that no longer changes it. Stored numbers are re-read the same
        // way, so each must be its own fixed point (the phone_number fuzz target found three
        // inputs where one pass was not).
        let mut e164 = canonical_text(&number);
        for _ in 0..4 {
            let candidate = phonenumber::parse(None, &e164).map_err(|_| invalid())?;
            let next = canonical_text(&candidate);
            if next == e164 {
                // E.164 allows at most 15 digits; the crate's metadata accepts some longer
                // German numbers (`+49 201 00000000000`) that no provider would take.
                if !candidate.is_valid() || e164.len() > 16 {
                    return Err(invalid());
                }
                return Ok(Self(e164));
            }
            e164 = next;
        }
        Err(invalid())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits only, without `+` (what some providers expect).
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

/// A parsed number as E.164 text, a Brazilian mobile given its ninth digit.
fn canonical_text(number: &phonenumber::PhoneNumber) -> String {
    let code = number.code().value();
    if code == 55 {
        format!("+55{}", add_brazilian_ninth_digit(&number.national().value().to_string()))
    } else {
        number.format().mode(phonenumber::Mode::E164).to_string()
    }
}

/// Area code (2 digits) + 8-digit subscriber starting 6-9 is a mobile missing its 9.
fn add_brazilian_ninth_digit(national: &str) -> String {
    let bytes = national.as_bytes();
    if national.len() == 10 && matches!(bytes[2], b'6'..=b'9') {
        format!("{}9{}", &national[..2], &national[2..])
    } else {
        national.to_owned()
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = ContactError;
    /// Stored and serialized values are already E.164; the region is only a fallback.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value, "BR")
    }
}

impl From<PhoneE164> for String {
    fn from(value: PhoneE164) -> Self {
        value.0
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);
masked!(Email);

impl Email {
    /// A pragmatic check (one `@`, a dot in the domain, no spaces); delivery is the real test.
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let raw = raw.trim();
        let (local, domain) = raw.split_once('@').ok_or(ContactError::InvalidEmail)?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !raw.chars().any(char::is_whitespace)
            && !domain.contains('@')
            && raw.len() <= 254;
        if ok {
            Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
        } else {
            Err(ContactError::InvalidEmail)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);
masked!(PersonName);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ContactError::InvalidName);
        }
        Ok(Self(name))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// For greetings ("Olá, Maria").
    pub fn first_name(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }

    /// The name a patient gets until they say theirs (a first message, a call, a CRM card
    /// without a name): it reads naturally in a greeting ("Olá, Paciente!") and tells staff
    /// the number's last digits.
    pub fn placeholder(phone: &PhoneE164) -> Self {
        let digits = phone.digits();
        Self(format!("{PLACEHOLDER} {}", &digits[digits.len().saturating_sub(4)..]))
    }

    /// Whether this is still the [`PersonName::placeholder`] of `phone`.
    pub fn is_placeholder_for(&self, phone: &PhoneE164) -> bool {
        *self == Self::placeholder(phone)
    }
}

const PLACEHOLDER: &str = "Paciente";

impl TryFrom<String> for PersonName {
    type Error = ContactError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn placeholder_names_are_recognised() {
        let phone = PhoneE164::parse("+5511987654321", "BR").unwrap();
        let name = PersonName::placeholder(&phone);
        assert_eq!(name.as_str(), "Paciente 4321");
        assert!(name.is_placeholder_for(&phone));
        assert!(!PersonName::parse("Maria Souza").unwrap().is_placeholder_for(&phone));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brazilian_spellings_meet_in_one_number() {
        let expected = "+5511987654321";
        for raw in [
            "(11) 98765-4321",
            "+55 11 98765-4321",
            "whatsapp:+5511987654321",
            "005511987654321",
            "11987654321",
        ] {
            assert_eq!(PhoneE164::parse(raw, "BR").unwrap().as_str(), expected, "{raw}");
        }
        // Without the ninth digit.
        assert_eq!(PhoneE164::parse("+55 11 8765-4321", "BR").unwrap().as_str(), "+5511987654321");
        // Landlines keep their 8 digits.
        assert_eq!(PhoneE164::parse("(11) 3456-7890", "BR").unwrap().as_str(), "+551134567890");
        assert_eq!(PhoneE164::parse("+1 415 555 2671", "BR").unwrap().as_str(), "+14155552671");
    }

    /// Found by the `phone_number` fuzz target (its minimized input is kept as
    /// fuzz/seeds/phone_number/crash-gb-premium-round-trip): a number accepted with its
    /// country code under another region came back shortened.
    #[test]
    fn accepted_numbers_read_back_as_themselves_under_any_region() {
        let phone = PhoneE164::parse("9009001000", "GB").unwrap();
        assert_eq!(phone.as_str(), "+449009001000");
        for region in ["BR", "US", "GB", "PT", "AR"] {
            assert_eq!(PhoneE164::parse(phone.as_str(), region).as_ref(), Ok(&phone), "under {region}");
        }
        assert_eq!(PhoneE164::parse("+44 900 900 1000", "BR").unwrap().as_str(), "+449009001000");
        // The region still has to be known, and still decides numbers without a country code.
        assert!(matches!(PhoneE164::parse("+449009001000", "XX"), Err(ContactError::UnknownRegion(_))));
        assert_eq!(PhoneE164::parse("11987654321", "BR").unwrap().as_str(), "+5511987654321");
        // fuzz/seeds/phone_number/crash-nanp-local-expansion: seven digits under US (with
        // letters and junk around them) are a +1 670 local number; what is stored is the
        // number that was validated, which reads back as itself.
        let raw = String::from_utf8_lossy(b"@\x00)\x00\x00 670-8TCG").into_owned();
        let local = PhoneE164::parse(&raw, "US").unwrap();
        assert_eq!(local.as_str(), "+16706708824");
        assert_eq!(PhoneE164::parse(local.as_str(), "BR").as_ref(), Ok(&local));
        // fuzz/seeds/phone_number/crash-br-carrier-code: the carrier code is stripped
        // only when the number is re-read, and then it is a mobile missing its ninth digit.
        let raw = String::from_utf8_lossy(b"09091 7A01 7A0Z\n\x00").into_owned();
        let mobile = PhoneE164::parse(&raw, "BR").unwrap();
        assert_eq!(mobile.as_str(), "+5591972017209");
        assert_eq!(PhoneE164::parse(mobile.as_str(), "BR").as_ref(), Ok(&mobile));
        // The crate's E.164 form keeps a significant leading zero (Rome's 06).
        assert_eq!(PhoneE164::parse("+39 06 1234 5678", "BR").unwrap().as_str(), "+390612345678");
        // Found by the property test once the region no longer filtered it: 16 digits.
        assert!(PhoneE164::parse("+4920100000000000", "BR").is_err());
    }

    #[test]
    fn rejects_garbage_and_unknown_regions() {
        assert!(PhoneE164::parse("12", "BR").is_err());
        assert!(PhoneE164::parse("not a phone", "BR").is_err());
        assert_eq!(PhoneE164::parse("11987654321", "XX"), Err(ContactError::UnknownRegion("XX".into())));
    }

    #[test]
    fn personal_data_is_masked_in_debug_and_display() {
        let phone = PhoneE164::parse("+5511987654321", "BR").unwrap();
        let email = Email::parse("Maria@Example.com").unwrap();
        let name = PersonName::parse("  Maria   Silva ").unwrap();
        for shown in [format!("{phone:?} {phone}"), format!("{email:?} {email}"), format!("{name:?} {name}")]
        {
            assert!(
                !shown.contains("5511") && !shown.contains("Maria") && !shown.contains("example"),
                "{shown}"
            );
        }
        assert_eq!(email.as_str(), "Maria@example.com");
        assert_eq!(name.as_str(), "Maria Silva");
        assert_eq!(name.first_name(), "Maria");
    }

    #[test]
    fn emails() {
        for bad in ["", "a", "a@b", "a @b.com", "@b.com", "a@.com", "a@b.com."] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
#[path = "contact_props.rs"]
mod props;
/// What an erased patient's phone becomes: unique per patient (the column is unique per
/// tenant), never a dialable number, and with no digits so no phone search matches it.
pub const ERASED_PHONE_PREFIX: &str = "erased:";

impl PhoneE164 {
    /// The placeholder phone of the erased patient `id` (see `ERASED_PHONE_PREFIX`).
    pub fn erased(id: uuid::Uuid) -> Self {
        let letters: String = id
            .simple()
            .to_string()
            .chars()
            .map(|c| c.to_digit(16).map_or(c, |d| (b'g' + d as u8) as char))
            .collect();
        Self(format!("{ERASED_PHONE_PREFIX}{letters}"))
    }

    /// A stored value: an E.164 number, or an erased patient's placeholder.
    pub fn from_stored(value: String) -> Result<Self, ContactError> {
        if value.starts_with(ERASED_PHONE_PREFIX) { Ok(Self(value)) } else { Self::try_from(value) }
    }

    pub fn is_erased(&self) -> bool {
        self.0.starts_with(ERASED_PHONE_PREFIX)
    }
}
