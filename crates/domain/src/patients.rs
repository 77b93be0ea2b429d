//! Patients: who the clinic talks to and books for.

use crate::contact::{Email, PersonName, PhoneE164};
use crate::tenant::Locale;
use crate::{PatientId, TenantId};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub tenant_id: TenantId,
    pub name: PersonName,
    /// Unique per tenant: the key for find-or-create from calls and messages.
    pub phone: PhoneE164,
    pub email: Option<Email>,
    pub birth_date: Option<Date>,
    pub locale: Locale,
    /// The patient's id in an external system of record (e.g. Ninsaúde), if any.
    pub external_id: Option<String>,
    pub created_at: Timestamp,
}

impl Patient {
    /// The first name, unless the clinic knows the patient only by number (the
    /// placeholder "Paciente 4321"): then `None`, and texts greet without a name.
    pub fn known_first_name(&self) -> Option<&str> {
        (!self.name.is_placeholder_for(&self.phone)).then(|| self.name.first_name())
    }

    pub fn new(
        tenant_id: TenantId,
        name: PersonName,
        phone: PhoneE164,
        locale: Locale,
        now: Timestamp,
    ) -> Self {
        Self {
            id: PatientId::new(),
            tenant_id,
            name,
            phone,
            email: None,
            birth_date: None,
            locale,
            external_id: None,
            created_at: now,
        }
    }
}

/// A patient carries at most this many tags.
pub const MAX_TAGS: usize = 20;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;

/// A tag as stored and compared: trimmed, lower-case, inner spaces collapsed ("  VIP " and
/// "vip" are one tag). `Err` names what is wrong: empty, too long, or a character other than
/// a letter, a digit, a space, `-` or `_` (a tag is a label, not a sentence).
pub fn normalize_tag(raw: &str) -> Result<String, String> {
    let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if tag.is_empty() {
        return Err("a tag must not be empty".into());
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!("tag {tag:?} is longer than {MAX_TAG_CHARS} characters"));
    }
    if let Some(c) = tag.chars().find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))) {
        return Err(format!("tag {tag:?}: {c:?} is not allowed (letters, digits, spaces, - and _)"));
    }
    Ok(tag)
}

/// Every tag normalized, duplicates dropped, in the order given; at most [`MAX_TAGS`].
pub fn normalize_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for r in raw {
        let tag = normalize_tag(r.as_ref())?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_compare_without_case_or_extra_spaces() {
        assert_eq!(normalize_tag("  Ortodontia  Infantil "), Ok("ortodontia infantil".into()));
        assert_eq!(normalize_tag("VIP"), Ok("vip".into()));
        assert_eq!(normalize_tag("convênio_x-2"), Ok("convênio_x-2".into()));
        assert!(normalize_tag("   ").is_err());
        assert!(normalize_tag("a;drop").unwrap_err().contains("';'"));
        assert!(normalize_tag(&"x".repeat(MAX_TAG_CHARS + 1)).is_err());
        assert_eq!(normalize_tags(&["VIP", "vip ", "Botox"]), Ok(vec!["vip".into(), "botox".into()]));
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(normalize_tags(&many).is_err());
    }
}
