//! The waitlist's jobs: sending one offer (filed with it, so an offer made is an offer
//! sent), and closing a round when its offers expire (then the next few are asked).

use super::{as_appointment, offer_freed_slot};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler, JobRegistry};
use crate::messaging::{Content, MessagingFailure, SendKey, SendRequest, send_keyed};
use crate::scheduling::{Calendar, appointment_variables};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::messaging::{Channel, TemplateKey};
use frontdesk_domain::waitlist::{FreedSlot, OfferStatus, WaitlistOffer};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SEND_OFFER_JOB: &str = "waitlist.send_offer";
pub const ROUND_JOB: &str = "waitlist.round";

/// A round stops being followed by another once this many have gone unanswered.
const MAX_ROUNDS: u32 = 5;

#[derive(Serialize, Deserialize)]
struct SendPayload {
    offer_id: Uuid,
}

#[derive(Serialize, Deserialize)]
struct RoundPayload {
    slot: FreedSlot,
    round: u32,
}

pub(super) fn send_job(offer: &WaitlistOffer) -> NewJob {
    NewJob::new(
        offer.tenant_id,
        SEND_OFFER_JOB,
        serde_json::json!(SendPayload { offer_id: offer.id }),
        offer.sent_at,
    )
    .with_dedupe_key(format!("waitlist-offer:{}:send", offer.id))
}

pub(super) fn round_job(tenant: TenantId, slot: &FreedSlot, round: u32, at: Timestamp) -> NewJob {
    let payload = RoundPayload { slot: slot.clone(), round };
    NewJob::new(tenant, ROUND_JOB, serde_json::json!(payload), at).with_dedupe_key(format!(
        "waitlist-round:{}:{}:{round}",
        slot.practitioner_id,
        slot.start.as_microsecond()
    ))
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

struct SendOffer {
    ctx: Ctx,
}

#[async_trait]
impl JobHandler for SendOffer {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: SendPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let Some(offer) = ctx.store.get_waitlist_offer(job.tenant_id, p.offer_id).await.map_err(retry)?
        else {
            return Ok(());
        };
        // Booked, taken or expired before it went out: nothing to offer.
        if offer.status != OfferStatus::Pending || ctx.clock.now() >= offer.expires_at {
            return Ok(());
        }
        let Some(patient) = ctx.store.get_patient(job.tenant_id, offer.patient_id).await.map_err(retry)?
        else {
            return Ok(());
        };
        let cal = Calendar::load(ctx, job.tenant_id).await.map_err(retry)?;
        let slot = as_appointment(offer.tenant_id, offer.patient_id, &offer.slot, offer.created_at);
        let mut variables = appointment_variables(&cal, &slot, &patient);
        let minutes = offer.expires_at.duration_since(offer.sent_at).as_mins().max(1);
        variables["minutes"] = serde_json::json!(minutes);
        let request = SendRequest {
            tenant_id: offer.tenant_id,
            patient_id: offer.patient_id,
            channel: Channel::Whatsapp,
            content: Content::Template { key: TemplateKey::WaitlistOffer, variables },
            automated: true,
            by: frontdesk_domain::messaging::Sender::Automation,
            campaign: None,
        };
        match send_keyed(ctx, request, SendKey { anchor: offer.id, purpose: "waitlist_offer", seq: 0 }).await
        {
            // Recorded on the conversation as not sent; the offer expires with its round.
            Ok(_) | Err(MessagingFailure::OptedOut | MessagingFailure::NoApprovedTemplate(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

struct CloseRound {
    ctx: Ctx,
}

#[async_trait]
impl JobHandler for CloseRound {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: RoundPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let now = ctx.clock.now();
        let offers = ctx
            .store
            .offers_for_slot(job.tenant_id, p.slot.practitioner_id, p.slot.start)
            .await
            .map_err(retry)?;
        for o in offers.iter().filter(|o| o.status == OfferStatus::Pending && o.expires_at <= now) {
            ctx.store
                .move_waitlist_offer(
                    job.tenant_id,
                    o.id,
                    OfferStatus::Pending,
                    OfferStatus::Expired,
                    None,
                    now,
                )
                .await
                .map_err(retry)?;
        }
        if p.round >= MAX_ROUNDS {
            return Ok(());
        }
        // The next few, if the slot is still free and nobody took it.
        offer_freed_slot(ctx, job.tenant_id, &p.slot, p.round + 1).await.map_err(retry)?;
        Ok(())
    }
}

pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(SEND_OFFER_JOB, SendOffer { ctx: ctx.clone() });
    registry.register(ROUND_JOB, CloseRound { ctx });
}
