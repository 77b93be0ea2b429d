//! Who works a conversation: a person takes it (the assistant stays quiet) or hands it
//! back to the assistant. The change is a fact, so every open inbox shows it at once.

use crate::Ctx;
use frontdesk_domain::facts::FactKind;
use frontdesk_domain::messaging::Conversation;
use frontdesk_store::StoreResult;

/// Gives `conversation` to `assignee` (a user id; staff answer it from now on), or with
/// `None` back to the assistant.
pub async fn set_assignee(
    ctx: &Ctx,
    conversation: &mut Conversation,
    assignee: Option<String>,
) -> StoreResult<()> {
    // Handed back to the assistant: whatever was urgent has been dealt with, and nobody
    // waits for a person any more. Taking a conversation on starts no wait of its own.
    if assignee.is_none() {
        conversation.set_needs_staff(false, ctx.clock.now());
        conversation.urgent = false;
    } else {
        conversation.needs_staff = true;
    }
    conversation.assignee = assignee;
    ctx.store.save_conversation(conversation).await?;
    // A person's action: each one is its own change.
    let change = format!("assignment:{}", uuid::Uuid::now_v7().simple());
    let fact = crate::facts::conversation_fact(
        FactKind::ConversationAssigned,
        conversation,
        change,
        ctx.clock.now(),
    );
    crate::facts::note(ctx, &fact).await
}

/// Puts staff on `conversation` (the assistant stays quiet from then on), marking it urgent
/// when `urgent`, and returns it as saved. The stored conversation is changed, not the
/// caller's copy, whose other fields may have moved since. `cause` names what called staff
/// in (`message:{id}`'s hand-off, a call): the hand-off fact is keyed by it, so a rerun
/// notes nothing twice, and it is noted even when the flag was already saved (a crash may
/// have come between the two). `None`: staff were on it already, nothing new to note.
pub async fn hand_to_staff(
    ctx: &Ctx,
    conversation: &Conversation,
    cause: Option<String>,
    urgent: bool,
) -> StoreResult<Conversation> {
    let mut current = ctx
        .store
        .get_conversation(conversation.tenant_id, conversation.id)
        .await?
        .unwrap_or_else(|| conversation.clone());
    if !current.needs_staff || (urgent && !current.urgent) {
        current.set_needs_staff(true, ctx.clock.now());
        current.urgent |= urgent;
        ctx.store.save_conversation(&current).await?;
    }
    if let Some(cause) = cause {
        let fact = crate::facts::conversation_fact(
            FactKind::HandoffRequested,
            &current,
            format_args!("handoff:{cause}"),
            ctx.clock.now(),
        );
        crate::facts::note(ctx, &fact).await?;
    }
    Ok(current)
}
