//! The header every signed-in page shows.

use super::page::internal;
use super::session::Staff;
use crate::AppState;
use axum::response::Response;
use frontdesk_store::ConversationFilter;

/// The header: the clinic, where we are, who is signed in, how many wait for staff.
pub struct Chrome {
    pub clinic: String,
    pub section: &'static str,
    pub user_name: String,
    /// For what the browser remembers per person (the live-update sound).
    pub user_id: String,
    pub csrf: String,
    pub waiting: usize,
    /// Patient messages this person has not read yet, in every conversation.
    pub unread: u64,
    /// Settings appear in the menu only for those who may change them.
    pub can_configure: bool,
}

impl Chrome {
    pub async fn new(state: &AppState, staff: &Staff, section: &'static str) -> Result<Self, Response> {
        let waiting = state
            .ctx
            .store
            .list_conversations(staff.tenant.id, &ConversationFilter::default(), Default::default())
            .await
            .map_err(|e| internal(staff.locale(), &e))?
            .items
            .iter()
            .filter(|c| c.needs_staff)
            .count();
        let unread = state
            .ctx
            .store
            .unread_counts(staff.tenant.id, staff.user.id)
            .await
            .map_err(|e| internal(staff.locale(), &e))?
            .iter()
            .map(|(_, n)| n)
            .sum();
        Ok(Self {
            clinic: staff.tenant.name.clone(),
            section,
            user_name: staff.user.name.clone(),
            user_id: staff.user.id.to_string(),
            csrf: staff.session.csrf_token.clone(),
            waiting,
            unread,
            can_configure: staff.may(frontdesk_domain::staff::Permission::Configure),
        })
    }
}
