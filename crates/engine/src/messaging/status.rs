//! Delivery updates from providers. Statuses only move forward, so callbacks arriving out
//! of order (or twice) end in the right final status.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::messaging::MessageStatus;
use frontdesk_store::StoreResult;

/// Applies a provider's status report; returns false when the message is unknown or the
/// report is stale.
pub async fn apply_status(
    ctx: &Ctx,
    tenant: TenantId,
    provider: &str,
    provider_message_id: &str,
    status: MessageStatus,
    error_code: Option<String>,
    error_message: Option<String>,
) -> StoreResult<bool> {
    let Some(mut message) = ctx.store.message_by_provider_id(tenant, provider, provider_message_id).await?
    else {
        return Ok(false);
    };
    if !message.apply_status(status, error_code, error_message, ctx.clock.now()) {
        return Ok(false);
    }
    ctx.store.save_message(&message).await?;
    // Live views show the new status; keyed by message and status, so a repeated report
    // adds nothing.
    let fact = crate::facts::message_fact(
        frontdesk_domain::facts::FactKind::MessageStatusChanged,
        &message,
        ctx.clock.now(),
    );
    crate::facts::note(ctx, &fact).await?;
    Ok(true)
}
