//! Provider-neutral shapes of what Ninsaúde holds. The wire format (Portuguese names,
//! numbers that are sometimes strings) stays in `wire`; callers only see these.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Ninsaúde record id (professional, patient, appointment...). Ninsaúde numbers its
/// records; callers store it as the external id of the local mirror.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NinsaudeId(pub u64);

impl fmt::Display for NinsaudeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for NinsaudeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NinsaudeId({})", self.0)
    }
}

impl FromStr for NinsaudeId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(Self)
    }
}

/// Someone who can be booked. Professionals' names are public clinic data, not patients'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NinsaudeProfessional {
    pub id: NinsaudeId,
    pub name: String,
    pub active: bool,
}

/// One free interval in a professional's agenda, in the clinic's wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NinsaudeFreeSlot {
    pub date: Date,
    pub start: Time,
    pub end: Time,
    /// The clinic unit (`accountUnidade`) the slot belongs to.
    pub unit: u32,
}

/// A patient as Ninsaúde knows them.
#[derive(Clone, PartialEq, Eq)]
pub struct NinsaudePatient {
    pub id: NinsaudeId,
    pub name: String,
    /// Digits only, as matched or registered.
    pub phone: String,
}

impl fmt::Debug for NinsaudePatient {
    // Names and phones never reach a log line, and `{:?}` is how they usually get there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NinsaudePatient")
            .field("id", &self.id)
            .field("name", &"[redacted]")
            .field("phone", &"[redacted]")
            .finish()
    }
}

/// A patient to register.
#[derive(Clone, PartialEq, Eq)]
pub struct NewNinsaudePatient {
    pub name: String,
    /// The number as Ninsaúde stores it, e.g. `11999998888`; non-digits are dropped.
    pub phone: String,
    pub email: Option<String>,
    pub birth_date: Option<Date>,
}

impl fmt::Debug for NewNinsaudePatient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewNinsaudePatient")
            .field("name", &"[redacted]")
            .field("phone", &"[redacted]")
            .field("email", &self.email.as_ref().map(|_| "[redacted]"))
            .field("birth_date", &self.birth_date.map(|_| "[redacted]"))
            .finish()
    }
}

/// An appointment to create in a professional's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NinsaudeBooking {
    pub professional_id: NinsaudeId,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub patient_id: NinsaudeId,
    /// Ninsaúde's service (`servico`), when the clinic maps its services.
    pub service_id: Option<NinsaudeId>,
    /// Ninsaúde's specialty (`especialidade`), when the clinic maps its departments.
    pub specialty_id: Option<NinsaudeId>,
}

/// The digits of a phone number: Ninsaúde stores and searches `telefone1` as plain digits,
/// while people type `(11) 99999-8888` or `+55 11 ...`.
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Whether two digit strings are the same phone. Ninsaúde's `filter` is a loose search
/// (it also matches names and partial numbers), so a hit is confirmed here. A number stored
/// with the country code (`5511...`) still matches one without it, but only when the shorter
/// side is a complete national number (10+ digits), so `1234` never matches `991234`.
pub(crate) fn same_phone(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty() && (short == long || (short.len() >= 10 && long.ends_with(short)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_digits_drops_formatting() {
        assert_eq!(phone_digits("+55 (11) 99999-8888"), "5511999998888");
        assert_eq!(phone_digits("abc"), "");
    }

    #[test]
    fn same_phone_accepts_country_code_but_not_fragments() {
        assert!(same_phone("11999998888", "11999998888"));
        assert!(same_phone("5511999998888", "11999998888"));
        assert!(!same_phone("11999998888", "11999998887"));
        assert!(!same_phone("8888", "11999998888"));
        assert!(!same_phone("", ""));
    }

    #[test]
    fn patient_debug_is_masked() {
        let patient = NewNinsaudePatient {
            name: "Maria Silva".into(),
            phone: "11999998888".into(),
            email: Some("maria@example.com".into()),
            birth_date: Some(jiff::civil::date(1990, 5, 17)),
        };
        let shown = format!("{patient:?}");
        for secret in ["Maria", "99999", "maria@", "1990"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        let found = NinsaudePatient { id: NinsaudeId(7), name: "Maria".into(), phone: "119".into() };
        let shown = format!("{found:?}");
        assert!(shown.contains("NinsaudeId(7)") && !shown.contains("Maria"), "{shown}");
    }

    #[test]
    fn id_parses_from_text() {
        assert_eq!(" 42 ".parse::<NinsaudeId>(), Ok(NinsaudeId(42)));
        assert!("x".parse::<NinsaudeId>().is_err());
    }
}
