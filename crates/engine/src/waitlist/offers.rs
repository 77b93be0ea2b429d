//! Offering a freed slot: to whom (the waiting entries it suits, whose patients may be
//! messaged, best first), how many at once, and until when.

use super::jobs::{round_job, send_job};
use super::{WaitlistFailure, as_appointment};
use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::messaging::{Channel, may_send_automated, next_allowed};
use frontdesk_domain::page::{MAX_LIMIT, PageRequest};
use frontdesk_domain::waitlist::{Candidate, FreedSlot, OfferStatus, WaitlistOffer, rank, suits};
use frontdesk_store::AppointmentFilter;
use jiff::SignedDuration;
use std::collections::HashSet;
use uuid::Uuid;

/// Offers `slot` to the next few waiting patients (round `round`: 1 when it frees, one
/// more each time a round's offers expire unanswered). Returns how many offers were made:
/// none when the waitlist is off, the slot is too close or no longer free, a round is still
/// open or already booked it, or nobody suits.
pub async fn offer_freed_slot(
    ctx: &Ctx,
    tenant: TenantId,
    slot: &FreedSlot,
    round: u32,
) -> Result<usize, WaitlistFailure> {
    // One read of the clinic: its settings, time zone and units.
    let cal = crate::scheduling::Calendar::load(ctx, tenant).await?;
    let settings = &cal.settings;
    let rules = &settings.waitlist;
    let now = ctx.clock.now();
    if !rules.enabled {
        return Ok(0);
    }
    let zone = cal.tenant.timezone.time_zone();
    // Offers go out in the clinic's allowed hours; each stands `offer_minutes` from then,
    // and must be answered with the clinic's minimum notice still to spare.
    let sent_at = next_allowed(now, &zone, &settings.messaging.quiet_hours);
    let expires_at = sent_at + SignedDuration::from_mins(i64::from(rules.offer_minutes));
    if expires_at + SignedDuration::from_mins(i64::from(rules.min_notice_minutes)) > slot.start {
        return Ok(0);
    }
    if !still_free(ctx, tenant, slot).await? {
        return Ok(0);
    }
    let earlier = ctx.store.offers_for_slot(tenant, slot.practitioner_id, slot.start).await?;
    if earlier.iter().any(|o| o.status == OfferStatus::Accepted || o.status == OfferStatus::Pending) {
        return Ok(0);
    }
    let offered: HashSet<Uuid> = earlier.iter().map(|o| o.entry_id).collect();
    let location_zone = cal.zone(slot.location_id);
    let mut suited = Vec::new();
    for entry in ctx.store.waiting_for_service(tenant, slot.service_id).await? {
        if offered.contains(&entry.id) || !suits(&entry, slot, &location_zone) {
            continue;
        }
        let consents = ctx.store.consents(tenant, entry.patient_id).await?;
        if may_send_automated(&consents, Channel::Whatsapp) {
            suited.push(entry);
        }
    }
    if suited.is_empty() {
        return Ok(0);
    }
    // How likely each would be to miss it, from their own record.
    let hypothetical: Vec<_> =
        suited.iter().map(|e| as_appointment(tenant, e.patient_id, slot, now)).collect();
    let risks = crate::scheduling::no_show_risks(ctx, tenant, &hypothetical).await?;
    let candidates = suited
        .into_iter()
        .zip(&hypothetical)
        .map(|(entry, a)| Candidate {
            entry,
            no_show_probability: risks.get(&a.id).map(|r| r.probability).unwrap_or(0.0),
        })
        .collect();
    let chosen: Vec<WaitlistOffer> = rank(candidates, slot, now)
        .into_iter()
        .take(rules.offers_at_once as usize)
        .map(|c| WaitlistOffer {
            id: Uuid::now_v7(),
            tenant_id: tenant,
            entry_id: c.entry.id,
            patient_id: c.entry.patient_id,
            slot: slot.clone(),
            status: OfferStatus::Pending,
            round,
            sent_at,
            expires_at,
            appointment_id: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let mut jobs: Vec<_> = chosen.iter().map(send_job).collect();
    jobs.push(round_job(tenant, slot, round, expires_at));
    let filed = ctx.store.file_waitlist_offers(&chosen, &jobs, now).await?;
    metrics::counter!("frontdesk_waitlist_offers_total").increment(filed.len() as u64);
    Ok(filed.len())
}

/// No live appointment of the practitioner overlaps the slot.
async fn still_free(ctx: &Ctx, tenant: TenantId, slot: &FreedSlot) -> Result<bool, WaitlistFailure> {
    let filter = AppointmentFilter {
        practitioner_id: Some(slot.practitioner_id),
        from: Some(slot.start - SignedDuration::from_hours(12)),
        to: Some(slot.end),
        ..Default::default()
    };
    let around =
        ctx.store.list_appointments(tenant, &filter, PageRequest::new(None, Some(MAX_LIMIT))).await?.items;
    Ok(!around.iter().any(|a| a.status.is_pending() && a.start < slot.end && a.blocked_until > slot.start))
}
