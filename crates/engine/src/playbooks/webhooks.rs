//! Tells the clinic's own systems what happened: for each fact that is a webhook event,
//! files one delivery per subscription that wants it (deduplicated by fact and
//! subscription, so a retried job files nothing new); `webhooks::DeliverJob` sends them.

use crate::Ctx;
use crate::facts::fact_of;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::Job;

pub(super) struct OutboundWebhooks {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for OutboundWebhooks {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let fact = fact_of(job)?;
        if fact.tenant_id != job.tenant_id {
            return Err(JobError::permanent("a fact of another tenant"));
        }
        crate::webhooks::file_deliveries(&self.ctx, &fact).await?;
        Ok(())
    }
}
