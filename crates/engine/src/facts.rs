//! The fact -> playbook fan-out. A capability that changes state builds the `Fact` and
//! passes `jobs_for(&fact)` to the same store call that writes the change, so the change,
//! its fact and every reaction commit together. Each reaction is one job per subscribed
//! playbook, deduplicated by `fact:{id}:{playbook}`: recording a fact twice (a retried
//! job) enqueues nothing new.
//!
//! The subscription table lives here, below both layers, as data: capabilities do not
//! import playbooks, and a playbook joins by adding a line and registering its handler.

use crate::jobs::JobError;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::{Job, NewJob};
use jiff::Timestamp;

/// Moves the patient's lead along with its appointments.
pub const LEAD_STAGES: &str = "lead_stages";
/// The booking dialogue (or n8n forwarding) answers a patient's message.
pub const DIALOGUE: &str = "dialogue";

pub struct Subscription {
    pub playbook: &'static str,
    pub kinds: &'static [FactKind],
}

/// Keeps every fact in the store's fact log (analytics and live views read it).
pub const FACT_LOG: &str = "fact_log";
/// Reaches a new lead: speed-to-lead at once for a hot one, else the follow-up cadence.
pub const OUTREACH: &str = "outreach";

pub const SUBSCRIPTIONS: &[Subscription] = &[
    Subscription { playbook: FACT_LOG, kinds: FactKind::ALL },
    Subscription {
        playbook: LEAD_STAGES,
        kinds: &[FactKind::AppointmentBooked, FactKind::AppointmentShowed, FactKind::AppointmentNoShow],
    },
    Subscription { playbook: DIALOGUE, kinds: &[FactKind::MessageReceived] },
    Subscription { playbook: OUTREACH, kinds: &[FactKind::LeadCreated] },
];

/// The job kind a playbook's reactions run under.
pub fn job_kind(playbook: &str) -> String {
    format!("playbook.{playbook}")
}

/// One job per playbook subscribed to the fact's kind, due at `run_at`; its payload is
/// the fact itself.
pub fn jobs_for(fact: &Fact, run_at: Timestamp) -> Vec<NewJob> {
    SUBSCRIPTIONS
        .iter()
        .filter(|s| s.kinds.contains(&fact.kind))
        .map(|s| {
            NewJob::new(fact.tenant_id, job_kind(s.playbook), serde_json::json!(fact), run_at)
                .with_dedupe_key(format!("fact:{}:{}", fact.id, s.playbook))
        })
        .collect()
}

/// The fact a playbook job reacts to.
pub fn fact_of(job: &Job) -> Result<Fact, JobError> {
    serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(format!("bad fact: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_domain::TenantId;

    #[test]
    fn one_job_per_subscribed_playbook_keyed_by_fact() {
        let at = Timestamp::UNIX_EPOCH;
        let fact =
            Fact::new(TenantId::new(), FactKind::MessageReceived, "message:m1", serde_json::json!({}), at);
        let jobs = jobs_for(&fact, at);
        let kinds: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
        assert_eq!(kinds, ["playbook.fact_log", "playbook.dialogue"]);
        assert_eq!(jobs[1].dedupe_key.as_deref(), Some("fact:message:m1:message_received:dialogue"));
        // Every fact is logged, even one no other playbook listens to.
        let unheard =
            Fact::new(fact.tenant_id, FactKind::MessageDelivered, "message:m1", serde_json::json!({}), at);
        let logged = jobs_for(&unheard, at);
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].dedupe_key.as_deref(), Some("fact:message:m1:message_delivered:fact_log"));
    }
}
