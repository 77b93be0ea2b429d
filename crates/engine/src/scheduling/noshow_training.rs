//! A clinic's own no-show model: trained from its finished appointments (on demand, from
//! `frontdesk noshow train`, and weekly by a job), stored, and loaded (once per model, not
//! per request) by the risk scorer in place of the fallback.

use crate::Ctx;
use crate::jobs::{JobError, JobHandler, JobRegistry};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::noshow::{
    Example, NoShowModelInfo, StoredNoShowModel, TestedTrainError, TrainedModel, train_and_test,
};
use frontdesk_domain::page::{MAX_LIMIT, PageRequest};
use frontdesk_domain::scheduling::{Appointment, AppointmentStatus};
use frontdesk_store::{AppointmentFilter, StoreError, StoreResult};
use jiff::civil::Weekday;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use thiserror::Error;
use uuid::Uuid;

pub const NOSHOW_RETRAIN_JOB: &str = "scheduling.noshow_retrain";
/// The weekly retraining runs on Monday at 02:00 in the clinic's time zone: the week's
/// outcomes are in and nobody is booking.
const RETRAIN_WEEKDAY: Weekday = Weekday::Monday;
const RETRAIN_HOUR: i8 = 2;

#[derive(Debug, Error)]
pub enum TrainingError {
    #[error("no such tenant")]
    UnknownTenant,
    /// Too little history: the clinic keeps the fallback scorer.
    #[error(transparent)]
    NotEnoughHistory(TestedTrainError),
    #[error("fitting failed: {0}")]
    Fit(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Trains the tenant's model on its finished appointments (shows and no-shows, each with
/// the patient's record from strictly earlier days), measures it on the most recent days
/// held out, stores it and returns its summary. `progress(done, of)` is called from the
/// training thread as steps finish.
pub async fn train_noshow_model(
    ctx: &Ctx,
    tenant: TenantId,
    mut progress: impl FnMut(usize, usize) + Send + 'static,
) -> Result<NoShowModelInfo, TrainingError> {
    let examples = history(ctx, tenant).await?;
    // Fitting is seconds of CPU on a large clinic: off the async workers.
    let tested = tokio::task::spawn_blocking(move || train_and_test(&examples, &mut progress))
        .await
        .map_err(|e| TrainingError::Fit(e.to_string()))?
        .map_err(|e| match e {
            TestedTrainError::Fit(why) => TrainingError::Fit(why),
            refused => TrainingError::NotEnoughHistory(refused),
        })?;
    let model_json = serde_json::to_string(&tested.model).map_err(|e| TrainingError::Fit(e.to_string()))?;
    let info = NoShowModelInfo {
        id: Uuid::now_v7(),
        tenant_id: tenant,
        // Whole seconds: what each backend stores exactly and what a person reads.
        trained_at: Timestamp::from_second(ctx.clock.now().as_second()).unwrap_or_else(|_| ctx.clock.now()),
        examples: tested.examples as u64,
        no_shows: tested.no_shows as u64,
        metrics: tested.test,
        kind: choice_code(&tested.model).to_owned(),
    };
    // Not cached from here: every process scores with the model as read back from the
    // store, the same bytes.
    ctx.store.save_noshow_model(&StoredNoShowModel { info: info.clone(), model_json }).await?;
    tracing::info!(
        tenant_id = %tenant,
        examples = info.examples,
        no_shows = info.no_shows,
        auc = info.metrics.auc,
        kind = %info.kind,
        "no-show model trained"
    );
    Ok(info)
}

fn choice_code(model: &TrainedModel) -> &'static str {
    match model.chosen() {
        frontdesk_domain::noshow::Choice::Logistic => "logistic",
        frontdesk_domain::noshow::Choice::Boosted => "boosted",
        frontdesk_domain::noshow::Choice::Blend => "blend",
    }
}

/// Every finished appointment of the tenant before now, as a labelled example.
async fn history(ctx: &Ctx, tenant: TenantId) -> Result<Vec<Example>, TrainingError> {
    let zone =
        ctx.store.tenant_by_id(tenant).await?.ok_or(TrainingError::UnknownTenant)?.timezone.time_zone();
    let filter = AppointmentFilter { to: Some(ctx.clock.now()), ..Default::default() };
    let mut all: Vec<Appointment> = Vec::new();
    let mut cursor = None;
    loop {
        let page =
            ctx.store.list_appointments(tenant, &filter, PageRequest::new(cursor, Some(MAX_LIMIT))).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut by_patient: HashMap<_, Vec<Appointment>> = HashMap::new();
    for a in &all {
        by_patient.entry(a.patient_id).or_default().push(a.clone());
    }
    Ok(all
        .iter()
        .filter_map(|a| {
            let no_show = match a.status {
                AppointmentStatus::NoShow => true,
                AppointmentStatus::CheckedIn | AppointmentStatus::Completed => false,
                _ => return None,
            };
            let theirs = by_patient.get(&a.patient_id).map_or(&[][..], Vec::as_slice);
            Some(Example {
                features: super::risk::features(a, theirs, &zone),
                day: a.start.to_zoned(zone.clone()).date(),
                no_show,
            })
        })
        .collect())
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// The local date of the run, also its dedupe key: one run per tenant and week.
    day: String,
}

/// Enqueues the tenant's next weekly retraining (the first Monday 02:00 local after
/// `after`); one already queued for that day makes it a no-op.
pub async fn schedule_noshow_retrain(ctx: &Ctx, tenant: TenantId, after: Timestamp) -> StoreResult<()> {
    let Some(t) = ctx.store.tenant_by_id(tenant).await? else { return Ok(()) };
    let zone = t.timezone.time_zone();
    let today = after.to_zoned(zone.clone()).date();
    let next = (0..=7)
        .filter_map(|ahead| today.checked_add(ahead.days()).ok())
        .filter(|day| day.weekday() == RETRAIN_WEEKDAY)
        .filter_map(|day| day.at(RETRAIN_HOUR, 0, 0, 0).to_zoned(zone.clone()).ok())
        .find(|at| at.timestamp() > after);
    let Some(next) = next else { return Ok(()) };
    let day = next.date().to_string();
    let job = NewJob::new(
        tenant,
        NOSHOW_RETRAIN_JOB,
        serde_json::json!(Payload { day: day.clone() }),
        next.timestamp(),
    )
    .with_dedupe_key(format!("noshow_retrain:{day}"));
    ctx.store.enqueue(&job, ctx.clock.now()).await?;
    Ok(())
}

/// Files every tenant's next retraining (at start-up: a tenant whose weekly chain was
/// broken, by a dead job or an outage, gets one again).
pub async fn schedule_all_noshow_retrains(ctx: &Ctx) -> StoreResult<()> {
    let now = ctx.clock.now();
    for t in ctx.store.list_tenants().await? {
        schedule_noshow_retrain(ctx, t.id, now).await?;
    }
    Ok(())
}

struct Retrain {
    ctx: Ctx,
}

#[async_trait]
impl JobHandler for Retrain {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        // Next week's run is filed first, so a training that keeps failing does not end
        // the chain.
        schedule_noshow_retrain(&self.ctx, job.tenant_id, self.ctx.clock.now().max(job.run_at)).await?;
        match train_noshow_model(&self.ctx, job.tenant_id, |_, _| {}).await {
            Ok(_) | Err(TrainingError::UnknownTenant) => Ok(()),
            Err(TrainingError::NotEnoughHistory(why)) => {
                tracing::info!(tenant_id = %job.tenant_id, reason = %why, "no-show model not trained; the fallback stays");
                Ok(())
            }
            Err(TrainingError::Fit(why)) => Err(JobError::permanent(why)),
            Err(TrainingError::Store(e)) => Err(e.into()),
        }
    }
}

pub(super) fn register(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(NOSHOW_RETRAIN_JOB, Retrain { ctx });
}
