//! A person's edit of a lead (the API, the staff app): the domain's edit rules, saved only
//! at the version the person saw, with a `lead_stage_changed` fact when the stage moved, in
//! the same transaction.

use super::LeadFailure;
use crate::Ctx;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::leads::{Lead, LeadEdit, LeadEditError, apply_edit};
use frontdesk_domain::{LeadId, TenantId};
use frontdesk_store::{Conflict, StoreError, Versioned};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum LeadEditFailure {
    #[error("lead not found")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] LeadEditError),
    /// Someone changed the lead since `expected`: nothing was saved.
    #[error("the lead changed (now at version {current})")]
    Stale { current: i64 },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for LeadEditFailure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<LeadEditFailure> for LeadFailure {
    fn from(e: LeadEditFailure) -> Self {
        match e {
            LeadEditFailure::NotFound => LeadFailure::NotFound("lead"),
            LeadEditFailure::Store(s) => LeadFailure::Store(s),
            other => LeadFailure::Invalid(other.to_string()),
        }
    }
}

/// Applies `edit` as `by` to the lead at `expected` (the version read, when `None`).
/// Returns the lead and its new version.
pub async fn edit_lead(
    ctx: &Ctx,
    tenant: TenantId,
    id: LeadId,
    edit: LeadEdit,
    by: &str,
    expected: Option<i64>,
) -> Result<Versioned<Lead>, LeadEditFailure> {
    let Versioned { value: mut lead, version } =
        ctx.store.get_lead_versioned(tenant, id).await?.ok_or(LeadEditFailure::NotFound)?;
    let expected = expected.unwrap_or(version);
    if expected != version {
        return Err(LeadEditFailure::Stale { current: version });
    }
    let from = lead.stage;
    let now = ctx.clock.now();
    let events = apply_edit(&mut lead, edit, by, now)?;
    let jobs = if lead.stage != from {
        let fact = Fact::new(
            tenant,
            FactKind::LeadStageChanged,
            format_args!("lead:{id}:v{version}"),
            json!({"lead_id": id, "from": from, "to": lead.stage}),
            now,
        );
        crate::facts::jobs_for(&fact, now)
    } else if !events.is_empty() {
        // Any other change (owner, value, notes...) is news for the live views too.
        let fact = Fact::new(
            tenant,
            FactKind::LeadUpdated,
            format_args!("lead:{id}:v{version}"),
            json!({"lead_id": id, "stage": lead.stage}),
            now,
        );
        crate::facts::jobs_for(&fact, now)
    } else {
        Vec::new()
    };
    match ctx.store.save_lead_if(&lead, expected, &events, &jobs, now).await {
        Ok(version) => Ok(Versioned { value: lead, version }),
        Err(StoreError::Conflict(Conflict::Stale)) => {
            let current = ctx.store.get_lead_versioned(tenant, id).await?.ok_or(LeadEditFailure::NotFound)?;
            Err(LeadEditFailure::Stale { current: current.version })
        }
        Err(e) => Err(e.into()),
    }
}
