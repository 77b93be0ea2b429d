//! Keeps every fact in the store's fact log. The fact reaches here as a job committed with
//! the change itself, so no fact is lost; logging twice (a retried job) changes nothing.

use crate::Ctx;
use crate::facts::fact_of;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::Job;

pub(super) struct FactLog {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for FactLog {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let fact = fact_of(job)?;
        if fact.tenant_id != job.tenant_id {
            return Err(JobError::permanent("a fact of another tenant"));
        }
        self.ctx.store.record_fact(&fact).await.map_err(|e| JobError::retryable(e.to_string()))?;
        Ok(())
    }
}
