//! Leads: intake from every source (API, CRM, unknown numbers, CSV), merging repeats
//! within the tenant's window, scoring, the speed-to-lead playbook for hot leads (an AI
//! call and a WhatsApp message at once), the follow-up cadence for the others, and stage
//! moves driven by the appointments they lead to.

mod import;
mod intake;
mod playbook;
mod stages;

pub use import::{ImportSummary, LeadsCsv, MAX_IMPORT_ROWS, SkippedRow, import_csv, import_leads};
pub use intake::{LeadCreated, LeadIntake, create_lead};
pub use stages::{LEAD_APPOINTMENT_JOB, appointment_job};

use crate::Ctx;
use crate::jobs::JobRegistry;
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

pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(SPEED_TO_LEAD_JOB, playbook::SpeedToLead { ctx: ctx.clone() });
    registry.register(FOLLOW_UP_JOB, playbook::FollowUp { ctx: ctx.clone() });
    registry.register(REACTIVATION_JOB, playbook::Reactivation { ctx: ctx.clone() });
    registry.register(LEAD_APPOINTMENT_JOB, stages::AppointmentEvent { ctx });
}
