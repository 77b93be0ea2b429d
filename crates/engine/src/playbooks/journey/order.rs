//! Messages of one conversation are answered in the order the patient sent them. Each
//! message's turn runs as its own job, and two workers can take two messages of a burst
//! at once ("oi" and "quero marcar" a second apart): the later one would then be answered
//! first, and the conversation would read backwards. So a turn first waits, briefly, for
//! the patient's earlier messages still being answered.
//!
//! The wait is bounded: an earlier message whose turn failed (it retries later) must not
//! hold the patient's next one for long; after [`MAX_WAIT`] the turn goes ahead.

use super::{JourneyError, JourneyState, answered};
use crate::Ctx;
use frontdesk_domain::MessageId;
use frontdesk_domain::messaging::{Channel, Conversation, Message};
use jiff::SignedDuration;
use std::time::{Duration, Instant};

/// How far back an unanswered message still holds the turn: older ones were given up on.
const LOOK_BACK: SignedDuration = SignedDuration::from_secs(120);
/// A burst is short; more messages than this are a flood (see `flooded`).
const AT_MOST: u32 = 20;
const MAX_WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(100);

/// Returns once every earlier message of the conversation (sent within [`LOOK_BACK`] of
/// `message_id`) that the dialogue will answer has been answered, or after [`MAX_WAIT`].
pub(super) async fn wait_for_earlier(
    ctx: &Ctx,
    conversation: &Conversation,
    message_id: MessageId,
) -> Result<(), JourneyError> {
    let tenant = conversation.tenant_id;
    let settings = ctx.store.tenant_settings(tenant).await?;
    // No dialogue, forwarded to n8n, answered by staff: no turns are recorded to wait on.
    let dialogue = settings.dialogue.enabled
        && matches!(conversation.channel, Channel::Whatsapp | Channel::Sms)
        && settings.dialogue.n8n.is_none()
        && !conversation.needs_staff;
    if !dialogue {
        return Ok(());
    }
    let Some(this) = ctx.store.get_message(tenant, message_id).await? else { return Ok(()) };
    let since = this.created_at - LOOK_BACK;
    let earlier: Vec<Message> = ctx
        .store
        .recent_inbound(tenant, conversation.id, since, AT_MOST)
        .await?
        .into_iter()
        .filter(|m| (m.created_at, m.id) < (this.created_at, this.id) && answerable(m))
        .collect();
    if earlier.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    loop {
        let state: JourneyState = match ctx.store.get_dialogue(tenant, conversation.id).await? {
            Some(d) => serde_json::from_value(d.state).unwrap_or_default(),
            None => JourneyState::default(),
        };
        let waiting = earlier.iter().filter(|m| answered::find(&state, m.id).is_none()).count();
        if waiting == 0 {
            return Ok(());
        }
        if started.elapsed() >= MAX_WAIT {
            tracing::debug!(message = %message_id, waiting, "answering before earlier messages that are still pending");
            return Ok(());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether the dialogue takes a turn for `m` (a voice note nothing could transcribe is
/// answered when filed, with a request to type).
fn answerable(m: &Message) -> bool {
    m.transcript.is_some() || !m.is_voice_only()
}
