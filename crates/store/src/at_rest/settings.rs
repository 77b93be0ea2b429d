//! The tenant settings document with its secrets sealed. Which fields are secret is what
//! `TenantSettings::masked()` hides from API clients: every string the mask replaces is
//! sealed, so a credential added to the settings later is encrypted as soon as it is masked,
//! without a second list to keep in step.

use super::{KeyRing, SealError};
use frontdesk_domain::TenantId;
use frontdesk_domain::settings::{MASK, TenantSettings};
use serde_json::Value;

/// The associated data binding a settings secret to its tenant.
pub fn settings_context(tenant: TenantId) -> String {
    format!("tenant_settings:{}", tenant.0)
}

/// The associated data binding a TOTP seed to its user.
pub fn totp_context(user: uuid::Uuid) -> String {
    format!("users.totp_secret:{user}")
}

/// The document to store: the settings with every masked field sealed.
pub fn seal_settings(settings: &TenantSettings, ring: &KeyRing, tenant: TenantId) -> Value {
    let mut doc = serde_json::to_value(settings).expect("settings serialize");
    let mask = serde_json::to_value(settings.masked()).expect("settings serialize");
    let context = settings_context(tenant);
    let _ = visit_secrets::<()>(&mut doc, &mask, &mut |s| {
        *s = ring.seal(s, &context);
        Ok(())
    });
    doc
}

#[derive(Debug, thiserror::Error)]
pub enum OpenSettingsError {
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("the stored settings document is not valid: {0}")]
    Document(#[from] serde_json::Error),
}

/// The settings from a stored document, secrets opened (plaintext ones read as they are).
pub fn open_settings(
    stored: Value,
    ring: &KeyRing,
    tenant: TenantId,
) -> Result<TenantSettings, OpenSettingsError> {
    let mut doc = stored;
    let mask = secret_positions(&doc)?;
    let context = settings_context(tenant);
    visit_secrets(&mut doc, &mask, &mut |s| {
        *s = ring.open(s, &context)?;
        Ok::<(), SealError>(())
    })?;
    Ok(serde_json::from_value(doc)?)
}

/// Calls `f` on every secret of a stored document (sealed or not), e.g. to count them.
pub fn each_stored_secret<E>(
    stored: &Value,
    mut f: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), OpenSettingsErrorOr<E>> {
    let mask = secret_positions(stored).map_err(OpenSettingsErrorOr::Document)?;
    let mut doc = stored.clone();
    visit_secrets(&mut doc, &mask, &mut |s| f(s)).map_err(OpenSettingsErrorOr::Other)
}

#[derive(Debug)]
pub enum OpenSettingsErrorOr<E> {
    Document(OpenSettingsError),
    Other(E),
}

/// The masked form of a stored document: where its secrets are. Sealed values are strings
/// like any other, so the document parses before it is opened.
fn secret_positions(stored: &Value) -> Result<Value, OpenSettingsError> {
    let parsed: TenantSettings = serde_json::from_value(stored.clone())?;
    Ok(serde_json::to_value(parsed.masked()).expect("settings serialize"))
}

/// Walks `doc` and its masked twin together, calling `f` on each non-empty string the mask
/// hides.
fn visit_secrets<E>(
    doc: &mut Value,
    mask: &Value,
    f: &mut impl FnMut(&mut String) -> Result<(), E>,
) -> Result<(), E> {
    match (doc, mask) {
        (Value::Object(fields), Value::Object(masked)) => {
            for (name, value) in fields.iter_mut() {
                if let Some(m) = masked.get(name) {
                    visit_secrets(value, m, f)?;
                }
            }
        }
        (Value::Array(items), Value::Array(masked)) => {
            for (value, m) in items.iter_mut().zip(masked) {
                visit_secrets(value, m, f)?;
            }
        }
        (Value::String(s), Value::String(m)) if m == MASK && s != MASK && !s.is_empty() => f(s)?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_secret() -> TenantSettings {
        let mut s = TenantSettings::default();
        s.scheduling.ninsaude = Some(
            serde_json::from_value(serde_json::json!({
                "account": "clinica", "username": "bot", "password": "hunter2-ninsaude"
            }))
            .unwrap(),
        );
        s.messaging = serde_json::from_value(serde_json::json!({
            "twilio": {"account_sid": "AC123", "auth_token": "twilio-auth-token-xyz", "sms_from": "+5511999990000"}
        }))
        .unwrap();
        s
    }

    #[test]
    fn masked_fields_are_sealed_and_come_back() {
        let ring = KeyRing::new([7; 32], &[]);
        let tenant = TenantId::new();
        let s = with_secret();
        let stored = seal_settings(&s, &ring, tenant);
        let text = stored.to_string();
        assert!(!text.contains("hunter2-ninsaude"), "{text}");
        assert!(text.contains("enc:v1:"));
        assert!(text.contains("clinica"), "non-secret fields stay readable");
        assert!(!text.contains("twilio-auth-token-xyz"), "{text}");
        assert_eq!(open_settings(stored.clone(), &ring, tenant).unwrap(), s);
        assert!(open_settings(stored, &ring, TenantId::new()).is_err(), "bound to its tenant");
    }

    #[test]
    fn plaintext_documents_still_open() {
        let ring = KeyRing::new([7; 32], &[]);
        let s = with_secret();
        let legacy = serde_json::to_value(&s).unwrap();
        assert_eq!(open_settings(legacy.clone(), &ring, TenantId::new()).unwrap(), s);
        let mut seen = Vec::new();
        each_stored_secret::<()>(&legacy, |v| {
            seen.push(v.to_owned());
            Ok(())
        })
        .unwrap();
        assert!(seen.contains(&"hunter2-ninsaude".to_owned()), "{seen:?}");
    }
}
