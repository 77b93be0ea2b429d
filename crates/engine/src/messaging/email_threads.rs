//! Which patient an inbound e-mail is from (the message of the clinic's it answers, else the
//! sender's address), what happens to mail from nobody on file (kept for staff), and
//! bounces (the returned message marked failed). Called by the inbound job; it takes plain
//! values so that it needs nothing from the inbound path.

use super::status::{StatusReport, accept_status};
use crate::Ctx;
use crate::jobs::JobError;
use frontdesk_domain::TenantId;
use frontdesk_domain::messaging::{Message, MessageStatus};
use frontdesk_domain::patients::Patient;
use frontdesk_store::NewInboundEvent;

/// The provider name inbound e-mail is stored under.
pub const INBOUND_PROVIDER: &str = "email";
/// Where e-mail from an address the clinic does not know is kept for staff.
pub const UNMATCHED_PROVIDER: &str = "email-unmatched";
/// The providers an outbound e-mail may have been sent by (its id is looked up in each).
const OUTBOUND_PROVIDERS: [&str; 2] = ["smtp", "sandbox"];
/// How many earlier message ids a reply's `References` carries.
pub(super) const MAX_REFERENCES: usize = 10;

/// The message of the clinic's that an inbound e-mail answers, found from its
/// `In-Reply-To`, then its `References` (latest first).
async fn answered_message(
    ctx: &Ctx,
    tenant: TenantId,
    email: &serde_json::Value,
) -> Result<Option<Message>, JobError> {
    let ids = |k: &str| -> Vec<String> {
        email[k]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let mut candidates = ids("in_reply_to");
    candidates.extend(ids("references").into_iter().rev());
    for id in candidates.iter().take(MAX_REFERENCES * 2) {
        for provider in OUTBOUND_PROVIDERS.iter().chain([&INBOUND_PROVIDER]) {
            if let Some(m) = ctx.store.message_by_provider_id(tenant, provider, id).await? {
                return Ok(Some(m));
            }
        }
    }
    Ok(None)
}

/// Who wrote an inbound e-mail: the patient of the message it answers, else the patient
/// with the sender's address. `None`: nobody the clinic knows.
pub(super) async fn identify(
    ctx: &Ctx,
    tenant: TenantId,
    from: &str,
    extra: &serde_json::Value,
) -> Result<Option<Patient>, JobError> {
    if let Some(m) = answered_message(ctx, tenant, extra).await? {
        return Ok(ctx.store.get_patient(tenant, m.patient_id).await?);
    }
    Ok(ctx.store.patient_by_email(tenant, from.trim()).await?)
}

/// Keeps an e-mail from an unknown address where staff find it (`GET
/// /api/v1/email/unmatched`), once.
pub(super) async fn keep_unmatched(
    ctx: &Ctx,
    tenant: TenantId,
    external_id: &str,
    payload: serde_json::Value,
) -> Result<(), JobError> {
    let record = NewInboundEvent {
        tenant_id: tenant,
        provider: UNMATCHED_PROVIDER.into(),
        external_id: external_id.to_owned(),
        kind: "email".into(),
        payload,
    };
    ctx.store.record_event(&record, &[], ctx.clock.now()).await?;
    tracing::info!("an e-mail from an address on no patient's record was kept for staff");
    Ok(())
}

/// A bounce: the returned message is marked undelivered (or failed, for a permanent
/// refusal) with the report's status. Returns whether a message of ours was named.
pub(super) async fn apply_bounce(
    ctx: &Ctx,
    tenant: TenantId,
    extra: &serde_json::Value,
) -> Result<bool, JobError> {
    let bounce = &extra["bounce"];
    let permanent = bounce["permanent"].as_bool().unwrap_or(true);
    let status = bounce["status"].as_str().map(str::to_owned);
    for id in bounce["original_ids"].as_array().into_iter().flatten().filter_map(|v| v.as_str()) {
        for provider in OUTBOUND_PROVIDERS {
            if ctx.store.message_by_provider_id(tenant, provider, id).await?.is_some() {
                let report = StatusReport {
                    provider: provider.into(),
                    provider_message_id: id.to_owned(),
                    status: if permanent { MessageStatus::Failed } else { MessageStatus::Undelivered },
                    error_code: Some("bounced".into()),
                    error_message: Some(format!(
                        "the mail server returned the message{}",
                        status.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
                    )),
                };
                accept_status(ctx, tenant, &report).await?;
                return Ok(true);
            }
        }
    }
    Ok(false)
}
