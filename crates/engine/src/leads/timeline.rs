//! A lead's timeline as staff and the API read it: its events, oldest first, each message
//! event carrying where that message is now. An event records what happened when it
//! happened (a message handed to the provider's queue); whether it then went out, arrived,
//! was read or failed comes from the message itself, so the timeline never claims more
//! than is true.

use crate::Ctx;
use frontdesk_domain::leads::LeadEvent;
use frontdesk_domain::{LeadId, MessageId, TenantId};
use frontdesk_store::StoreResult;

pub async fn timeline(ctx: &Ctx, tenant: TenantId, lead: LeadId) -> StoreResult<Vec<LeadEvent>> {
    let mut events = ctx.store.lead_events(tenant, lead).await?;
    for e in &mut events {
        let Some(id) = e.detail.get("message_id").and_then(|v| v.as_str()).and_then(|s| s.parse().ok())
        else {
            continue;
        };
        if let Some(m) = ctx.store.get_message(tenant, MessageId(id)).await? {
            e.detail["delivery"] = serde_json::json!(m.status);
        }
    }
    Ok(events)
}
