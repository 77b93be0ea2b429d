//! Patients' data rights: a person's data handed over (export), their erasure on request,
//! and the retention that purges old conversation content on its own. Each is audited; the
//! audit entries carry ids, never the data.

pub mod export;
pub mod retention;

use crate::Ctx;
use crate::audit::{self, Access, Actor};
use frontdesk_domain::PatientId;
use frontdesk_domain::data_rights::{Erasure, confirms_erasure};
use frontdesk_store::StoreError;

pub use retention::{RETENTION_JOB, register_jobs, run_retention, schedule_retention};

/// Why an erasure was not done.
#[derive(Debug, thiserror::Error)]
pub enum EraseRefused {
    /// No such patient in the actor's clinic (another clinic's patient included).
    #[error("patient not found")]
    NotFound,
    /// The request did not repeat the patient's id.
    #[error("confirm must repeat the patient's id")]
    NotConfirmed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Erases the patient (see `DataRightsStore::erase_patient`) when `confirm` repeats their
/// id, and records who did it. Another clinic's patient is `NotFound` before the
/// confirmation is looked at, so the answer reveals nothing about it. Erasing twice is
/// harmless: the second request finds nothing more and says so.
pub async fn erase_patient(
    ctx: &Ctx,
    actor: &Actor,
    patient: PatientId,
    confirm: &str,
) -> Result<Erasure, EraseRefused> {
    if ctx.store.get_patient(actor.tenant_id, patient).await?.is_none() {
        return Err(EraseRefused::NotFound);
    }
    if !confirms_erasure(patient, confirm) {
        return Err(EraseRefused::NotConfirmed);
    }
    let erasure = match ctx.store.erase_patient(actor.tenant_id, patient, ctx.clock.now()).await {
        Err(StoreError::NotFound) => return Err(EraseRefused::NotFound),
        other => other?,
    };
    let id = patient.to_string();
    let access = Access {
        action: "erase",
        resource_type: "patient",
        resource_id: Some(&id),
        patient_id: Some(patient),
    };
    audit::record(ctx, actor, access).await?;
    tracing::info!(first_time = erasure.first_time, "patient erased");
    Ok(erasure)
}
