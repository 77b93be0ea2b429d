//! Refills freed slots: when an appointment is cancelled or moved away from its time, the
//! time it held is offered to the waitlist (see `crate::waitlist`).

use crate::Ctx;
use crate::facts::fact_of;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::Job;
use frontdesk_domain::waitlist::FreedSlot;
use serde::Deserialize;

/// What a cancellation or a move says about the time it freed.
#[derive(Deserialize)]
struct Payload {
    freed: Option<FreedSlot>,
}

pub(super) struct RefillFreedSlots {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for RefillFreedSlots {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let fact = fact_of(job)?;
        let p: Payload = serde_json::from_value(fact.payload)
            .map_err(|e| JobError::permanent(format!("bad appointment fact: {e}")))?;
        // Facts recorded before slots were named in them free nothing we know of.
        let Some(slot) = p.freed else { return Ok(()) };
        if slot.start <= self.ctx.clock.now() {
            return Ok(());
        }
        crate::waitlist::offer_freed_slot(&self.ctx, job.tenant_id, &slot, 1)
            .await
            .map_err(|e| JobError::retryable(e.to_string()))?;
        Ok(())
    }
}
