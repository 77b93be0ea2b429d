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
    conversation.needs_staff = assignee.is_some();
    // Handed back to the assistant: whatever was urgent has been dealt with.
    if assignee.is_none() {
        conversation.urgent = false;
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
