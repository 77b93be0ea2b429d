//! Editing a tenant's settings document with JSON merge patch (RFC 7386), for the API and
//! the CLI alike.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_store::{Conflict, StoreError, Versioned};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Merges `patch` into the stored settings, validates the result, keeps secrets the client
/// sent back masked, saves, and returns the new settings (unmasked: callers mask) with
/// their version. With `expected`, the save applies only to that version
/// (`Conflict::Stale` otherwise); without, to the version just read.
pub async fn apply_patch(
    ctx: &Ctx,
    tenant: TenantId,
    patch: &serde_json::Value,
    expected: Option<i64>,
) -> Result<(TenantSettings, i64), SettingsError> {
    // A merge patch that is not an object replaces the whole target (RFC 7386 §2): `[]` or
    // `null` would wipe credentials, templates and booking rules. Settings are only ever edited
    // field by field, so anything else is refused.
    if !patch.is_object() {
        return Err(SettingsError::Invalid(
            "the settings patch must be a JSON object (a JSON merge patch of the fields to change)".into(),
        ));
    }
    let Versioned { value: current, version } = ctx.store.tenant_settings_versioned(tenant).await?;
    if expected.is_some_and(|v| v != version) {
        return Err(SettingsError::Store(StoreError::Conflict(Conflict::Stale)));
    }
    let mut doc = serde_json::to_value(&current).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    json_patch::merge(&mut doc, patch);
    let invalid = |m: String| SettingsError::Invalid(m);
    let mut next: TenantSettings = serde_json::from_value(doc).map_err(|e| invalid(e.to_string()))?;
    // A client may send back the mask it was shown; that means "unchanged", so the stored
    // secret is restored before validation (which refuses a mask as a value).
    next.keep_secrets_from(&current);
    next.booking.validate().map_err(|e| invalid(e.to_string()))?;
    next.messaging.validate().map_err(|e| invalid(e.to_string()))?;
    next.voice.validate().map_err(|e| invalid(format!("voice: {e}")))?;
    next.leads.validate().map_err(|e| invalid(format!("leads: {e}")))?;
    next.dialogue.validate().map_err(|e| invalid(format!("dialogue: {e}")))?;
    next.waitlist.validate().map_err(invalid)?;
    next.no_show.validate().map_err(invalid)?;
    next.campaigns.validate().map_err(invalid)?;
    next.reports.validate().map_err(invalid)?;
    // A base URL is where the server sends the clinic's credentials: only public https
    // hosts, unless the deployment allows its own network (see providers::egress).
    for (field, url) in next.outbound_urls() {
        frontdesk_providers::egress::check_url(url, ctx.media.allow_private_network)
            .map_err(|e| invalid(format!("{field} {e}")))?;
    }
    // The SMTP server gets the clinic's mail (and its password): the same rule, by name.
    if let Some(smtp) = next.messaging.email.as_ref().and_then(|e| e.smtp.as_ref()) {
        frontdesk_providers::egress::check_url(
            &format!("https://{}/", smtp.host),
            ctx.media.allow_private_network,
        )
        .map_err(|e| invalid(format!("messaging.email.smtp.host {e}")))?;
    }
    if next.default_region.len() != 2 || !next.default_region.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid("default_region must be a two-letter ISO 3166 code such as BR".into()));
    }
    next.default_region = next.default_region.to_ascii_uppercase();
    let version = ctx.store.save_tenant_settings_if(tenant, &next, expected.unwrap_or(version)).await?;
    ctx.tenants.forget(tenant);
    // A Gmail inbox (newly) set up: its watch starts now and renews itself.
    let gmail_of = |s: &TenantSettings| s.messaging.email.as_ref().and_then(|e| e.gmail.clone());
    if gmail_of(&next) != gmail_of(&current) {
        crate::messaging::gmail::schedule_watch(ctx, tenant, next.messaging.email.as_ref()).await?;
    }
    Ok((next, version))
}
