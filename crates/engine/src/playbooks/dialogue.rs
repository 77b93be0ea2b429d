//! A patient's message was filed: the booking dialogue (or the n8n workflow) answers it.
//! Runs as its own job, so a failure here retries the answer only - the message stays
//! filed once - and the dialogue's replies are keyed by the message they answer.

use super::journey;
use crate::Ctx;
use crate::facts::fact_of;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::Job;
use frontdesk_domain::{ConversationId, MessageId, PatientId};
use serde::Deserialize;

/// What messaging puts in a `message_received` fact (ids only).
#[derive(Deserialize)]
struct Received {
    message_id: MessageId,
    conversation_id: ConversationId,
    patient_id: PatientId,
    /// Written by a program (an out-of-office e-mail): never answered.
    #[serde(default)]
    automatic: bool,
}

/// Failed attempts (an outage) before staff are called in; with the runner's backoff
/// that is a few minutes.
const HAND_OFF_AFTER_ATTEMPTS: u32 = 3;

pub(super) struct Dialogue {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for Dialogue {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let fact = fact_of(job)?;
        let p: Received = serde_json::from_value(fact.payload)
            .map_err(|e| JobError::permanent(format!("bad message fact: {e}")))?;
        let tenant = job.tenant_id;
        if p.automatic {
            return Ok(());
        }
        // Whatever was erased since (a patient forgotten) has nothing left to answer.
        let Some(message) = ctx.store.get_message(tenant, p.message_id).await? else { return Ok(()) };
        let Some(conversation) = ctx.store.get_conversation(tenant, p.conversation_id).await? else {
            return Ok(());
        };
        let Some(patient) = ctx.store.get_patient(tenant, p.patient_id).await? else { return Ok(()) };
        // A voice note is answered from its transcript; one nothing could listen to was
        // already answered when it was filed (the patient is asked to type).
        let text = message.transcript.as_ref().or(message.body.as_ref()).map_or("", |t| t.as_str().trim());
        if text.is_empty() && message.is_voice_only() {
            return Ok(());
        }
        // Past the hand-off, staff are on the conversation because of the outage: the turn
        // still completes when the system returns.
        let handed_off = job.attempts > HAND_OFF_AFTER_ATTEMPTS;
        let turn = if handed_off {
            journey::resume(ctx, &patient, &conversation, message.id, text).await
        } else {
            journey::on_inbound(ctx, &patient, &conversation, message.id, text).await
        };
        match turn {
            // A crash here (the turn committed and answered, the job not yet marked done)
            // reruns the job once its lease expires: the rerun must change nothing.
            Ok(()) => ctx.faults.check("dialogue.answered"),
            Err(e) if e.is_outage() => {
                // Never silence: "we'll come back" at once, staff if it lasts; then retry.
                let hand_off = job.attempts >= HAND_OFF_AFTER_ATTEMPTS;
                journey::outage_notice(ctx, &patient, &conversation, message.id, hand_off).await?;
                tracing::warn!(message = %message.id, attempt = job.attempts, hand_off, "dialogue waits for an outage");
                Err(JobError::retryable(e))
            }
            Err(e) => Err(e.into()),
        }
    }
}
