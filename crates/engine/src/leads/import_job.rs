//! A CSV import started from the app runs as a durable job: the file is stored with the
//! import's record, the job imports it row by row through [`import_leads`] (so a row is
//! created, merged or skipped exactly as with the API or the CLI), writing progress as it
//! goes, and keeps the report for the page that watches it.
//!
//! A retried job (a crash midway) imports the file again: rows already imported merge
//! into their lead, as for any repeat, rather than duplicating it.

use super::LeadFailure;
use super::import::{LeadsCsv, import_leads};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::leads::{ImportStatus, LeadImport};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Runs one import (payload `{"import_id"}`).
pub const LEAD_IMPORT_JOB: &str = "leads.import";

/// How often the running job writes its progress.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(300);

#[derive(Serialize, Deserialize)]
struct ImportRef {
    import_id: Uuid,
}

/// Checks the file (a header naming a phone column, not too many rows: refused at once,
/// with the reason), stores it and queues the job that imports it.
pub async fn start_import(
    ctx: &Ctx,
    tenant: TenantId,
    actor: &str,
    csv: String,
) -> Result<LeadImport, LeadFailure> {
    let file = LeadsCsv::read(csv.as_bytes())?;
    let now = ctx.clock.now();
    let import = LeadImport::new(tenant, actor.to_owned(), file.rows(), now);
    ctx.store.create_lead_import(&import, &csv).await?;
    let job =
        NewJob::new(tenant, LEAD_IMPORT_JOB, serde_json::json!(ImportRef { import_id: import.id }), now)
            .with_dedupe_key(format!("lead_import:{}", import.id));
    ctx.store.enqueue(&job, now).await?;
    Ok(import)
}

pub struct RunImport {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for RunImport {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let ImportRef { import_id } =
            serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(e.to_string()))?;
        let Some(mut import) = ctx.store.get_lead_import(job.tenant_id, import_id).await? else {
            return Err(JobError::permanent("the import no longer exists"));
        };
        if import.status.finished() {
            return Ok(());
        }
        let Some(csv) = ctx.store.lead_import_file(job.tenant_id, import_id).await? else {
            return Err(JobError::permanent("the import's file is gone"));
        };
        import.status = ImportStatus::Running;
        import.done = 0;
        import.updated_at = ctx.clock.now();
        ctx.store.save_lead_import(&import).await?;

        let file = match LeadsCsv::read(csv.as_bytes()) {
            Ok(file) => file,
            Err(e) => return fail(ctx, import, e).await,
        };
        // The importer reports rows done synchronously; a side task writes the count.
        let done = Arc::new(AtomicU64::new(0));
        let writer = {
            let (ctx, done, mut shown) = (ctx.clone(), done.clone(), import.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(PROGRESS_EVERY).await;
                    let now_done = done.load(Ordering::Relaxed);
                    if now_done != shown.done {
                        shown.done = now_done;
                        shown.updated_at = ctx.clock.now();
                        // Progress is a nicety: a failed write is retried on the next tick.
                        let _ = ctx.store.save_lead_import(&shown).await;
                    }
                }
            })
        };
        let counter = done.clone();
        let result =
            import_leads(ctx, job.tenant_id, file, &move |n| counter.store(n, Ordering::Relaxed)).await;
        writer.abort();
        let _ = writer.await;
        match result {
            Ok(summary) => {
                import.status = ImportStatus::Done;
                import.done = summary.rows;
                import.summary =
                    Some(serde_json::to_value(&summary).map_err(|e| JobError::permanent(e.to_string()))?);
                import.updated_at = ctx.clock.now();
                ctx.store.save_lead_import(&import).await?;
                Ok(())
            }
            Err(LeadFailure::Store(e)) => {
                // Worth another attempt; the rows so far merge on the retry.
                import.done = done.load(Ordering::Relaxed);
                let _ = ctx.store.save_lead_import(&import).await;
                Err(e.into())
            }
            Err(e) => fail(ctx, import, e).await,
        }
    }
}

async fn fail(ctx: &Ctx, mut import: LeadImport, why: LeadFailure) -> Result<(), JobError> {
    import.status = ImportStatus::Failed;
    import.error = Some(why.to_string());
    import.updated_at = ctx.clock.now();
    ctx.store.save_lead_import(&import).await?;
    Ok(())
}

pub fn register_jobs(registry: &mut crate::jobs::JobRegistry, ctx: Ctx) {
    registry.register(LEAD_IMPORT_JOB, RunImport { ctx });
}
