//! Patients' data rights: a person's data handed over (export), their erasure on request,
//! and the retention that purges old conversation content on its own. Each is audited; the
//! audit entries carry ids, never the data.

pub mod export;
pub mod retention;

use crate::Ctx;
use crate::audit::{self, Access, Actor};
use frontdesk_domain::PatientId;
use frontdesk_domain::data_rights::Erasure;
use frontdesk_store::StoreResult;

pub use retention::{RETENTION_JOB, register_jobs, run_retention, schedule_retention};

/// Erases the patient (see `DataRightsStore::erase_patient`) and records who did it.
/// Erasing twice is harmless: the second request finds nothing more and says so.
pub async fn erase_patient(ctx: &Ctx, actor: &Actor, patient: PatientId) -> StoreResult<Erasure> {
    let erasure = ctx.store.erase_patient(actor.tenant_id, patient, ctx.clock.now()).await?;
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
