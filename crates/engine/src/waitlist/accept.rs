//! A patient's answer to an offer. The booking decides who gets the slot (the store lets
//! one appointment hold it); each offer leaves `pending` exactly once, and whoever moves an
//! offer to `taken` tells its patient, with a send keyed by the offer: so every patient
//! who did not get the slot hears it once, whether they answered or not.

use super::{WaitlistFailure, as_appointment};
use crate::Ctx;
use crate::messaging::{Content, MessagingFailure, SendKey, SendRequest, send_keyed};
use crate::scheduling::{
    ActionRequest, BookingRequest, Calendar, Confirmation, PatientRef, SchedulingFailure, apply_action,
    appointment_variables, upcoming_for,
};
use frontdesk_domain::messaging::{Channel, TemplateKey};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::Appointment;
use frontdesk_domain::scheduling::AppointmentAction;
use frontdesk_domain::waitlist::{EntryStatus, OfferStatus, WaitlistOffer};
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_store::{IdempotencyClaim, OfferFilter};
use uuid::Uuid;

#[derive(Debug)]
pub enum AcceptOutcome {
    /// The slot is the patient's.
    Booked(Box<Appointment>),
    /// Someone else booked it first; the patient has been told (or is being told) so.
    Taken,
    /// The offer ran out before the answer.
    Expired,
}

/// The patient's newest offer, in whatever state, if any.
pub async fn latest_offer_for(
    ctx: &Ctx,
    tenant: TenantId,
    patient: PatientId,
) -> Result<Option<WaitlistOffer>, WaitlistFailure> {
    let filter = OfferFilter { patient_id: Some(patient), ..Default::default() };
    let newest = ctx.store.list_waitlist_offers(tenant, &filter, PageRequest::new(None, Some(1))).await?;
    Ok(newest.items.into_iter().next())
}

/// The patient takes the offered slot. `confirmation` says who confirms the booking (the
/// dialogue answers in the conversation; staff accepting for a patient let scheduling send
/// it).
pub async fn accept(
    ctx: &Ctx,
    tenant: TenantId,
    offer_id: Uuid,
    confirmation: Confirmation,
) -> Result<AcceptOutcome, WaitlistFailure> {
    let offer = ctx
        .store
        .get_waitlist_offer(tenant, offer_id)
        .await?
        .ok_or(WaitlistFailure::NotFound("waitlist offer"))?;
    match offer.status {
        OfferStatus::Pending => {}
        OfferStatus::Accepted => {
            let booked = match offer.appointment_id {
                Some(id) => ctx.store.get_appointment(tenant, id).await?,
                None => None,
            };
            return Ok(booked.map_or(AcceptOutcome::Taken, |a| AcceptOutcome::Booked(Box::new(a))));
        }
        OfferStatus::Taken => return Ok(AcceptOutcome::Taken),
        OfferStatus::Expired | OfferStatus::Declined => return Ok(AcceptOutcome::Expired),
    }
    let now = ctx.clock.now();
    if now >= offer.expires_at {
        ctx.store
            .move_waitlist_offer(tenant, offer.id, OfferStatus::Pending, OfferStatus::Expired, None, now)
            .await?;
        return Ok(AcceptOutcome::Expired);
    }
    match take_slot(ctx, &offer, confirmation).await {
        Ok(a) => {
            ctx.store
                .move_waitlist_offer(
                    tenant,
                    offer.id,
                    OfferStatus::Pending,
                    OfferStatus::Accepted,
                    Some(a.id),
                    now,
                )
                .await?;
            ctx.store
                .move_waitlist_entry(tenant, offer.entry_id, EntryStatus::Waiting, EntryStatus::Booked, now)
                .await?;
            metrics::counter!("frontdesk_waitlist_slots_refilled_total").increment(1);
            close_others(ctx, &offer).await?;
            Ok(AcceptOutcome::Booked(Box::new(a)))
        }
        Err(SchedulingFailure::SlotTaken | SchedulingFailure::NotBookable(_)) => {
            taken(ctx, &offer).await?;
            Ok(AcceptOutcome::Taken)
        }
        Err(e) => Err(e.into()),
    }
}

/// Gives the offered slot to its patient. One waiting for an earlier time usually holds a
/// later one with the same practitioner: that appointment is moved (its old time freed for
/// the next patient on the list) rather than a second one booked. A rerun after a crash
/// finds the patient already in the slot.
async fn take_slot(
    ctx: &Ctx,
    offer: &WaitlistOffer,
    confirmation: Confirmation,
) -> Result<Appointment, SchedulingFailure> {
    let tenant = offer.tenant_id;
    let slot = &offer.slot;
    let same_place = |a: &Appointment| {
        a.service_id == slot.service_id
            && a.practitioner_id == slot.practitioner_id
            && a.location_id == slot.location_id
    };
    let theirs = upcoming_for(ctx, tenant, offer.patient_id).await?;
    if let Some(already) = theirs.iter().find(|a| same_place(a) && a.start == slot.start) {
        return Ok(already.clone());
    }
    if let Some(later) = theirs.iter().find(|a| same_place(a) && a.start > slot.start) {
        let request = ActionRequest {
            action: AppointmentAction::Reschedule,
            reason: Some("an earlier time from the waitlist".into()),
            new_start: Some(slot.start),
            actor: "waitlist".into(),
            confirmation,
        };
        return apply_action(ctx, tenant, later.id, request).await;
    }
    let request = BookingRequest {
        tenant_id: tenant,
        patient: PatientRef::Id(offer.patient_id),
        practitioner_id: slot.practitioner_id,
        location_id: slot.location_id,
        service_id: slot.service_id,
        start: slot.start,
        // A retried accept replays its own booking instead of finding the slot taken.
        idempotency: Some(IdempotencyClaim {
            key: format!("waitlist-offer:{}", offer.id),
            request_hash: String::new(),
        }),
        actor: "waitlist".into(),
        confirmation,
    };
    Ok(crate::scheduling::book(ctx, request).await?.appointment)
}

/// The patient does not want the slot; they stay on the list for the next one.
pub async fn decline(ctx: &Ctx, tenant: TenantId, offer_id: Uuid) -> Result<bool, WaitlistFailure> {
    let now = ctx.clock.now();
    Ok(ctx
        .store
        .move_waitlist_offer(tenant, offer_id, OfferStatus::Pending, OfferStatus::Declined, None, now)
        .await?)
}

/// The slot is booked: every other open offer of it is taken, and its patient told.
async fn close_others(ctx: &Ctx, won: &WaitlistOffer) -> Result<(), WaitlistFailure> {
    let all = ctx.store.offers_for_slot(won.tenant_id, won.slot.practitioner_id, won.slot.start).await?;
    for other in all.iter().filter(|o| o.id != won.id && o.status == OfferStatus::Pending) {
        taken(ctx, other).await?;
    }
    Ok(())
}

/// Moves `offer` to taken; the one call that does so tells the patient. Both the winner's
/// sweep and the loser's own answer may try: the send is keyed by the offer, so a crash
/// between the move and the send is finished by a rerun without a second message.
async fn taken(ctx: &Ctx, offer: &WaitlistOffer) -> Result<(), WaitlistFailure> {
    let now = ctx.clock.now();
    let moved = ctx
        .store
        .move_waitlist_offer(offer.tenant_id, offer.id, OfferStatus::Pending, OfferStatus::Taken, None, now)
        .await?;
    let current = ctx.store.get_waitlist_offer(offer.tenant_id, offer.id).await?;
    if moved || current.is_some_and(|o| o.status == OfferStatus::Taken) {
        tell_taken(ctx, offer).await?;
    }
    Ok(())
}

async fn tell_taken(ctx: &Ctx, offer: &WaitlistOffer) -> Result<(), WaitlistFailure> {
    let Some(patient) = ctx.store.get_patient(offer.tenant_id, offer.patient_id).await? else {
        return Ok(());
    };
    let cal = Calendar::load(ctx, offer.tenant_id).await?;
    let slot = as_appointment(offer.tenant_id, offer.patient_id, &offer.slot, ctx.clock.now());
    let variables = appointment_variables(&cal, &slot, &patient);
    let request = SendRequest {
        tenant_id: offer.tenant_id,
        patient_id: offer.patient_id,
        channel: Channel::Whatsapp,
        content: Content::Template { key: TemplateKey::WaitlistTaken, variables },
        automated: true,
        by: frontdesk_domain::messaging::Sender::Automation,
        campaign: None,
    };
    match send_keyed(ctx, request, SendKey { anchor: offer.id, purpose: "waitlist_taken", seq: 0 }).await {
        Ok(_) | Err(MessagingFailure::OptedOut | MessagingFailure::NoApprovedTemplate(_)) => Ok(()),
        // The winner's sweep and the patient's own answer filed it at the same moment: the
        // keyed message exists once, which is the point.
        Err(MessagingFailure::Store(frontdesk_store::StoreError::Conflict(_))) => Ok(()),
        Err(MessagingFailure::Store(e)) => Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "the waitlist could not tell a patient the slot was taken");
            Ok(())
        }
    }
}
