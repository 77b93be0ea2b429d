//! "This message has been answered by these replies": recorded in the dialogue state, in
//! the same versioned save that moves the dialogue on, before any reply is filed.
//!
//! Why: a job may crash after its turn moved the dialogue but before the job was marked
//! done; when the lease expires the job runs again. Computing the turn a second time from
//! the *moved* state answers the same message differently (a second "did not understand"
//! becomes a hand-off). So the turn's outcome is committed first, and a rerun that finds
//! its message among the answered ones only (re)sends the recorded replies, each keyed by
//! the message and its position: nothing is computed twice, nothing is sent twice.

use super::{FIRST_TURN_REPLY, JourneyError, JourneyState};
use crate::Ctx;
use crate::messaging::{Content, SendKey, SendRequest, send_keyed};
use frontdesk_domain::MessageId;
use frontdesk_domain::messaging::{Conversation, TemplateKey};
use frontdesk_domain::patients::Patient;
use serde::{Deserialize, Serialize};

/// Turns remembered per conversation: enough for every message of a burst still in
/// flight (their jobs may rerun out of order) without letting the state grow.
const REMEMBERED: usize = 8;

/// One reply as the turn decided it (rendered when filed, as any reply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedReply {
    Text { text: String },
    Template { key: TemplateKey, variables: serde_json::Value },
}

impl PlannedReply {
    pub(super) fn from_content(content: Content) -> Self {
        match content {
            Content::Text(text) => Self::Text { text },
            Content::Template { key, variables } => Self::Template { key, variables },
        }
    }

    fn into_content(self) -> Content {
        match self {
            Self::Text { text } => Content::Text(text),
            Self::Template { key, variables } => Content::Template { key, variables },
        }
    }
}

/// The outcome of one inbound message's turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnsweredTurn {
    pub message_id: MessageId,
    pub replies: Vec<PlannedReply>,
    /// The turn put staff on the conversation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hand_off: bool,
}

/// The recorded outcome of `message_id`'s turn, if it was committed.
pub fn find(state: &JourneyState, message_id: MessageId) -> Option<&AnsweredTurn> {
    state.answered.iter().find(|t| t.message_id == message_id)
}

/// Adds `turn` to the state's memory, forgetting the oldest beyond `REMEMBERED`.
pub fn remember(state: &mut JourneyState, turn: AnsweredTurn) {
    state.answered.retain(|t| t.message_id != turn.message_id);
    state.answered.push(turn);
    let excess = state.answered.len().saturating_sub(REMEMBERED);
    state.answered.drain(..excess);
}

/// Carries out a committed turn: staff called in if it said so, then each reply filed
/// under its key. Idempotent: a rerun finds what an earlier run filed and files the rest.
pub async fn deliver(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    turn: &AnsweredTurn,
) -> Result<(), JourneyError> {
    if turn.hand_off {
        crate::messaging::hand_to_staff(ctx, conversation, Some(turn.message_id.to_string()), false).await?;
    }
    for (n, reply) in turn.replies.iter().enumerate() {
        let request = SendRequest {
            tenant_id: patient.tenant_id,
            patient_id: patient.id,
            channel: conversation.channel,
            content: reply.clone().into_content(),
            automated: false,
            by: frontdesk_domain::messaging::Sender::Assistant,
            campaign: None,
        };
        let seq = FIRST_TURN_REPLY + u32::try_from(n).unwrap_or(u32::MAX - FIRST_TURN_REPLY);
        send_keyed(ctx, request, SendKey { anchor: turn.message_id.as_uuid(), purpose: "reply", seq })
            .await?;
        ctx.faults.interrupt("dialogue.replied")?;
    }
    Ok(())
}
