//! One patient's enrollment as staff look at it: what was sent and said since they
//! enrolled (messages in and out on every channel, calls), where it stands in a sentence,
//! and the step waiting to run.

use super::{CampaignFailure, StepPayload, get};
use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::campaigns::standing::{Planned, Standing, standing};
use frontdesk_domain::campaigns::{Campaign, Enrollment};
use frontdesk_domain::messaging::{Direction, Message};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::voice::Call;
use frontdesk_store::{CallFilter, ConversationFilter};
use uuid::Uuid;

/// At most this many interactions are shown, the latest.
pub const MAX_INTERACTIONS: usize = 100;

/// A message or a call since the patient enrolled.
#[derive(Debug, Clone)]
pub enum Interaction {
    Message(Box<Message>),
    Call(Box<Call>),
}

impl Interaction {
    pub fn at(&self) -> jiff::Timestamp {
        match self {
            Self::Message(m) => m.created_at,
            Self::Call(c) => c.created_at,
        }
    }
}

/// The step waiting to run, as its job says.
#[derive(Debug, Clone)]
pub struct NextStep {
    pub planned: Planned,
    pub step: Option<frontdesk_domain::campaigns::Step>,
}

#[derive(Debug, Clone)]
pub struct EnrollmentDetail {
    pub campaign: Campaign,
    pub enrollment: Enrollment,
    /// Oldest first, the latest [`MAX_INTERACTIONS`].
    pub interactions: Vec<Interaction>,
    pub next: Option<NextStep>,
    pub standing: Standing,
}

pub async fn enrollment_detail(
    ctx: &Ctx,
    tenant: TenantId,
    campaign: Uuid,
    id: Uuid,
) -> Result<EnrollmentDetail, CampaignFailure> {
    let campaign = get(ctx, tenant, campaign).await?;
    let enrollment = ctx
        .store
        .get_enrollment(tenant, id)
        .await?
        .filter(|e| e.campaign_id == campaign.id)
        .ok_or(CampaignFailure::NotFound)?;
    let since = enrollment.created_at;
    let mut interactions = Vec::new();
    // Read, never created: conversations the patient has, whatever the channel.
    let filter = ConversationFilter { patient_id: Some(enrollment.patient_id), ..Default::default() };
    let conversations =
        ctx.store.list_conversations(tenant, &filter, PageRequest::new(None, Some(20))).await?;
    for c in &conversations.items {
        let messages = ctx.store.list_messages(tenant, c.id).await?;
        interactions.extend(
            messages.into_iter().filter(|m| m.created_at >= since).map(|m| Interaction::Message(Box::new(m))),
        );
    }
    let calls =
        CallFilter { patient_id: Some(enrollment.patient_id), from: Some(since), ..Default::default() };
    let calls = ctx.store.list_calls(tenant, &calls, PageRequest::new(None, Some(50))).await?;
    interactions.extend(calls.items.into_iter().map(|c| Interaction::Call(Box::new(c))));
    interactions.sort_by_key(Interaction::at);
    let skip = interactions.len().saturating_sub(MAX_INTERACTIONS);
    interactions.drain(..skip);
    let last_reply = interactions.iter().rev().find_map(|i| match i {
        Interaction::Message(m) if m.direction == Direction::Inbound => Some(m.created_at),
        _ => None,
    });
    let next = match ctx.store.next_step_job(tenant, id).await? {
        Some(job) => serde_json::from_value::<StepPayload>(job.payload).ok().map(|p| NextStep {
            planned: Planned { step: p.step, attempt: p.attempt, at: job.run_at },
            step: campaign.steps.get(p.step as usize).cloned(),
        }),
        None => None,
    };
    let standing = standing(&enrollment, &campaign.steps, last_reply, next.as_ref().map(|n| n.planned));
    Ok(EnrollmentDetail { campaign, enrollment, interactions, next, standing })
}
