//! Booking by the patient, from the clinic's public page: the same booking as the desk's
//! and the API's (hours, rules and the store's overlap check, reminders, the confirmation
//! on the patient's channel), plus what a page open to anyone needs: a cap on how many
//! upcoming appointments one phone number can hold, and the consent the patient gave on
//! the form, recorded with its source.

use super::booking::{BookingRequest, BookingResult, PatientRef, book};
use super::{Confirmation, SchedulingFailure, SchedulingResult};
use crate::Ctx;
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::messaging::{Channel, Consent, ConsentState};
use frontdesk_domain::{LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use frontdesk_store::IdempotencyClaim;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The actor recorded for bookings and changes made by the patient online.
pub const ONLINE_ACTOR: &str = "online";

/// Upcoming appointments one phone number may hold through the public page: a family
/// books a few, a script filling the calendar is stopped at the third.
pub const MAX_UPCOMING_ONLINE: usize = 3;

/// Where the patient's consent on the form is recorded from.
const CONSENT_SOURCE: &str = "online_booking";

/// Who is booking: someone who typed their details, or the patient a personal link was
/// sent to.
#[derive(Debug, Clone)]
pub enum OnlinePatient {
    Contact { name: PersonName, phone: PhoneE164, email: Option<Email> },
    Invited(PatientId),
}

#[derive(Debug, Clone)]
pub struct OnlineBooking {
    pub tenant_id: TenantId,
    pub patient: OnlinePatient,
    pub service_id: ServiceId,
    pub practitioner_id: PractitionerId,
    pub location_id: LocationId,
    pub start: Timestamp,
    /// The form's own id: a double submit (or a reload of the answer) books once.
    pub form_id: String,
}

/// Books for the patient who filled in the public form. Refused with
/// `NotBookable("too_many_upcoming")` when the phone already holds `MAX_UPCOMING_ONLINE`
/// upcoming appointments.
pub async fn book_online(ctx: &Ctx, req: OnlineBooking) -> SchedulingResult<BookingResult> {
    let known = match &req.patient {
        OnlinePatient::Contact { phone, .. } => {
            ctx.store.patient_by_phone(req.tenant_id, phone).await?.map(|p| p.id)
        }
        OnlinePatient::Invited(id) => Some(*id),
    };
    if let Some(existing) = known {
        let upcoming = super::upcoming_for(ctx, req.tenant_id, existing).await?;
        // The form's own earlier booking is a replay, not one more.
        if upcoming.len() >= MAX_UPCOMING_ONLINE && !replays_a_booking(&upcoming, &req) {
            return Err(SchedulingFailure::NotBookable("too_many_upcoming"));
        }
    }
    let (who, patient) = match req.patient {
        OnlinePatient::Contact { name, phone, email } => {
            (phone.as_str().to_owned(), PatientRef::Contact { name, phone, email })
        }
        OnlinePatient::Invited(id) => (id.to_string(), PatientRef::Id(id)),
    };
    let request_hash = hex::encode(Sha256::digest(format!(
        "{}|{}|{}|{}|{who}",
        req.service_id, req.practitioner_id, req.location_id, req.start,
    )));
    let booking = BookingRequest {
        tenant_id: req.tenant_id,
        patient,
        practitioner_id: req.practitioner_id,
        location_id: req.location_id,
        service_id: req.service_id,
        start: req.start,
        idempotency: Some(IdempotencyClaim { key: format!("online-form:{}", req.form_id), request_hash }),
        actor: ONLINE_ACTOR.into(),
        confirmation: Confirmation::Send,
    };
    let done = book(ctx, booking).await?;
    record_form_consent(ctx, req.tenant_id, done.appointment.patient_id).await?;
    Ok(done)
}

fn replays_a_booking(upcoming: &[frontdesk_domain::scheduling::Appointment], req: &OnlineBooking) -> bool {
    upcoming.iter().any(|a| {
        a.start == req.start && a.practitioner_id == req.practitioner_id && a.service_id == req.service_id
    })
}

/// The patient who filled in a public form (found by phone or created), with the form's
/// consent recorded: for what a patient does on the page other than booking (joining the
/// waitlist).
pub async fn online_patient(
    ctx: &Ctx,
    tenant: TenantId,
    who: OnlinePatient,
) -> SchedulingResult<frontdesk_domain::patients::Patient> {
    let cal = super::load_cached(ctx, tenant).await?;
    let patient = match who {
        OnlinePatient::Contact { name, phone, email } => PatientRef::Contact { name, phone, email },
        OnlinePatient::Invited(id) => PatientRef::Id(id),
    };
    let patient = super::booking::resolve_patient(ctx, &cal, patient).await?;
    record_form_consent(ctx, tenant, patient.id).await?;
    Ok(patient)
}

/// The form asks for consent to be contacted about the appointment on WhatsApp and SMS;
/// it is recorded once per channel (again only if the patient had opted out before).
async fn record_form_consent(ctx: &Ctx, tenant: TenantId, patient: PatientId) -> SchedulingResult<()> {
    let consents = ctx.store.consents(tenant, patient).await?;
    let now = ctx.clock.now();
    for channel in [Channel::Whatsapp, Channel::Sms] {
        let latest = consents.iter().rev().find(|c| c.channel == channel).map(|c| c.state);
        if latest != Some(ConsentState::OptedIn) {
            let consent =
                Consent { channel, state: ConsentState::OptedIn, source: CONSENT_SOURCE.into(), at: now };
            ctx.store.record_consent(tenant, patient, &consent).await?;
        }
    }
    Ok(())
}
