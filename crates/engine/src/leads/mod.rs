//! Leads as records: intake from every source (API, CRM, unknown numbers, CSV), merging
//! repeats within the tenant's window, scoring, and the first job of the lead's playbook
//! (speed-to-lead or follow-up, run by `crate::playbooks`).

mod edit;
mod import;
mod import_job;
mod intake;
mod timeline;

pub use edit::{LeadEditFailure, edit_lead};
pub use import::{ImportSummary, LeadsCsv, MAX_IMPORT_ROWS, SkippedRow, import_csv, import_leads};
pub use import_job::{LEAD_IMPORT_JOB, register_jobs, start_import};
pub use intake::{LeadCreated, LeadIntake, create_lead, lead_job};
pub use timeline::timeline;

use frontdesk_store::StoreError;
use thiserror::Error;

/// The hot-lead playbook: call and message at once (payload `{"lead_id"}`).
pub const SPEED_TO_LEAD_JOB: &str = "leads.speed_to_lead";
/// One step of the follow-up cadence (payload `{"lead_id", "step"}`).
pub const FOLLOW_UP_JOB: &str = "leads.follow_up";
/// One reactivation message after a no-show (payload `{"lead_id", "step"}`).
pub const REACTIVATION_JOB: &str = "leads.reactivation";

#[derive(Debug, Error)]
pub enum LeadFailure {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid lead: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<LeadFailure> for crate::jobs::JobError {
    fn from(e: LeadFailure) -> Self {
        match e {
            LeadFailure::Store(s) => s.into(),
            other => Self::permanent(other),
        }
    }
}
