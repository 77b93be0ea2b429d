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
/// Calls a patient who did not answer a confirmation request (the AI voice agent).
pub const CONFIRM_CALL: &str = "confirm_call";
/// Offers a freed slot (a cancellation, a move) to the waitlist.
pub const WAITLIST: &str = "waitlist";
/// Files signed webhook deliveries to the clinic's own systems for the facts that are events.
pub const WEBHOOKS: &str = "webhooks";
/// Ends a patient's campaign sequences when they book or opt out (the campaign's counts
/// move at once, and no further step goes).
pub const CAMPAIGN_RESULTS: &str = "campaign_results";

pub const SUBSCRIPTIONS: &[Subscription] = &[
    Subscription { playbook: FACT_LOG, kinds: FactKind::ALL },
    Subscription {
        playbook: LEAD_STAGES,
        kinds: &[
            FactKind::AppointmentBooked,
            FactKind::AppointmentShowed,
            FactKind::AppointmentNoShow,
            FactKind::AppointmentCancelled,
        ],
    },
    Subscription { playbook: DIALOGUE, kinds: &[FactKind::MessageReceived] },
    Subscription { playbook: OUTREACH, kinds: &[FactKind::LeadCreated] },
    Subscription { playbook: WEBHOOKS, kinds: frontdesk_domain::webhooks::EventType::FACT_KINDS },
    Subscription { playbook: CONFIRM_CALL, kinds: &[FactKind::ConfirmationRequested] },
    Subscription {
        playbook: WAITLIST,
        kinds: &[FactKind::AppointmentCancelled, FactKind::AppointmentRescheduled],
    },
    Subscription {
        playbook: CAMPAIGN_RESULTS,
        kinds: &[FactKind::AppointmentBooked, FactKind::OptedOut, FactKind::MessageReceived],
    },
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

/// A fact about an outbound message: ids and states only, never the text. `MessageSent`
/// is keyed by the message, a status move by the message and its new status, so a
/// repeated report yields the same fact.
pub fn message_fact(kind: FactKind, m: &frontdesk_domain::messaging::Message, at: Timestamp) -> Fact {
    let subject = match kind {
        FactKind::MessageStatusChanged => format!("message:{}:{}", m.id, m.status.as_str()),
        _ => format!("message:{}", m.id),
    };
    Fact::new(
        m.tenant_id,
        kind,
        subject,
        serde_json::json!({
            "message_id": m.id,
            "conversation_id": m.conversation_id,
            "patient_id": m.patient_id,
            "direction": m.direction,
            "channel": m.channel,
            "status": m.status,
            // When it was filed: a delivery or read counts on the day the message was sent.
            "sent_at": m.created_at,
        }),
        at,
    )
}

/// A fact about who works a conversation; `change` names the change (the message that
/// caused a hand-off, a fresh id for a person's action), so a retried step repeats it.
pub fn conversation_fact(
    kind: FactKind,
    c: &frontdesk_domain::messaging::Conversation,
    change: impl std::fmt::Display,
    at: Timestamp,
) -> Fact {
    Fact::new(
        c.tenant_id,
        kind,
        format_args!("conversation:{}:{change}", c.id),
        serde_json::json!({
            "conversation_id": c.id,
            "patient_id": c.patient_id,
            "channel": c.channel,
            "needs_staff": c.needs_staff,
            "urgent": c.urgent,
            "assignee": c.assignee,
        }),
        at,
    )
}

/// Enqueues the reactions to a fact whose change is already saved (for changes whose
/// store call takes no jobs). The jobs are deduplicated by fact, so noting twice is safe.
pub async fn note(ctx: &crate::Ctx, fact: &Fact) -> frontdesk_store::StoreResult<()> {
    let now = ctx.clock.now();
    ctx.store.enqueue_many(&jobs_for(fact, now), now).await?;
    Ok(())
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
        assert_eq!(
            kinds,
            ["playbook.fact_log", "playbook.dialogue", "playbook.webhooks", "playbook.campaign_results"]
        );
        assert_eq!(jobs[1].dedupe_key.as_deref(), Some("fact:message:m1:message_received:dialogue"));
        // Every fact is logged, even one no other playbook listens to.
        let unheard =
            Fact::new(fact.tenant_id, FactKind::MessageDelivered, "message:m1", serde_json::json!({}), at);
        let logged = jobs_for(&unheard, at);
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].dedupe_key.as_deref(), Some("fact:message:m1:message_delivered:fact_log"));
    }
}
