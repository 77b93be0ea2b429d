//! Tenants: who a clinic is, where it is (time zone) and how it speaks (locale).

use crate::TenantId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TenantError {
    #[error("slug must be 2-48 characters of lowercase letters, digits and '-', starting with a letter")]
    InvalidSlug,
    #[error("unknown time zone {0:?}; use an IANA name such as America/Sao_Paulo")]
    UnknownTimeZone(String),
    #[error("unsupported locale {0:?}; supported: pt-BR, en")]
    UnsupportedLocale(String),
    #[error("name must not be empty")]
    EmptyName,
}

/// The short, URL-safe name of a tenant (used in webhook URLs and the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(raw: &str) -> Result<Self, TenantError> {
        let ok_len = (2..=48).contains(&raw.len());
        let starts_alpha = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        let charset = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok_len && starts_alpha && charset && !raw.ends_with('-') {
            Ok(Self(raw.to_owned()))
        } else {
            Err(TenantError::InvalidSlug)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantSlug {
    type Error = TenantError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<TenantSlug> for String {
    fn from(value: TenantSlug) -> Self {
        value.0
    }
}
impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The languages Frontdesk writes to patients in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    #[serde(rename = "pt-BR")]
    PtBr,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, TenantError> {
        match raw.to_ascii_lowercase().replace('_', "-").as_str() {
            "pt-br" | "pt" => Ok(Self::PtBr),
            "en" | "en-us" | "en-gb" => Ok(Self::En),
            _ => Err(TenantError::UnsupportedLocale(raw.to_owned())),
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PtBr => "pt-BR",
            Self::En => "en",
        }
    }
}

/// An IANA time zone name that is known to the bundled tz database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, TenantError> {
        jiff::tz::TimeZone::get(raw)
            .map(|_| Self(raw.to_owned()))
            .map_err(|_| TenantError::UnknownTimeZone(raw.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        // Parsed once at construction, so the lookup cannot fail here.
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}
impl TryFrom<String> for TimeZoneName {
    type Error = TenantError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: TenantSlug,
    pub name: String,
    pub timezone: TimeZoneName,
    pub locale: Locale,
    pub created_at: Timestamp,
}

/// Validated input for creating a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTenant {
    pub slug: TenantSlug,
    pub name: String,
    pub timezone: TimeZoneName,
    pub locale: Locale,
}

impl NewTenant {
    pub fn parse(slug: &str, name: &str, timezone: &str, locale: &str) -> Result<Self, TenantError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(TenantError::EmptyName);
        }
        Ok(Self {
            slug: TenantSlug::parse(slug)?,
            name: name.to_owned(),
            timezone: TimeZoneName::parse(timezone)?,
            locale: Locale::parse(locale)?,
        })
    }
}

/// Editable settings of a tenant; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantChanges {
    pub name: Option<String>,
    pub timezone: Option<TimeZoneName>,
    pub locale: Option<Locale>,
}

impl Tenant {
    pub fn apply(mut self, changes: TenantChanges) -> Result<Self, TenantError> {
        if let Some(name) = changes.name {
            let name = name.trim();
            if name.is_empty() {
                return Err(TenantError::EmptyName);
            }
            self.name = name.to_owned();
        }
        if let Some(tz) = changes.timezone {
            self.timezone = tz;
        }
        if let Some(locale) = changes.locale {
            self.locale = locale;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(TenantSlug::parse("clinica-sorriso").is_ok());
        assert!(TenantSlug::parse("c2").is_ok());
        for bad in ["", "a", "Clinica", "2abc", "abc-", "a b", "ação"] {
            assert_eq!(TenantSlug::parse(bad), Err(TenantError::InvalidSlug), "{bad}");
        }
    }

    #[test]
    fn time_zones_and_locales() {
        assert!(TimeZoneName::parse("America/Sao_Paulo").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert_eq!(Locale::parse("pt_BR").unwrap(), Locale::PtBr);
        assert_eq!(Locale::parse("EN").unwrap(), Locale::En);
        assert!(Locale::parse("fr").is_err());
    }

    #[test]
    fn changes_apply_only_given_fields() {
        let t = Tenant {
            id: crate::TenantId::new(),
            slug: TenantSlug::parse("demo").unwrap(),
            name: "Demo".into(),
            timezone: TimeZoneName::parse("UTC").unwrap(),
            locale: Locale::PtBr,
            created_at: Timestamp::UNIX_EPOCH,
        };
        let changed =
            t.clone().apply(TenantChanges { locale: Some(Locale::En), ..Default::default() }).unwrap();
        assert_eq!((changed.name.as_str(), changed.locale), ("Demo", Locale::En));
        let empty = TenantChanges { name: Some("  ".into()), ..Default::default() };
        assert_eq!(t.apply(empty), Err(TenantError::EmptyName));
    }

    #[test]
    fn new_tenant_trims_and_rejects_empty_names() {
        assert_eq!(NewTenant::parse("demo", "   ", "UTC", "en"), Err(TenantError::EmptyName));
        let t = NewTenant::parse("demo", " Demo ", "UTC", "en").unwrap();
        assert_eq!(t.name, "Demo");
    }
}
