//! Booking steps against an external calendar: check the slot is still free upstream,
//! then create it there.

use super::calendar::{Calendar, slots_in_intervals};
use super::external::{ExternalBooked, ExternalBooking, ExternalCalendar};
use super::{SchedulingFailure, SchedulingResult};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Service, Slot};
use frontdesk_domain::{LocationId, PractitionerId};
use jiff::Timestamp;

fn upstream(e: super::external::UpstreamError) -> SchedulingFailure {
    SchedulingFailure::Upstream(e.0)
}

/// Creates the appointment upstream if `start` is one of its free slots right now.
#[allow(clippy::too_many_arguments)]
pub async fn book_upstream(
    cal: &Calendar,
    external: &dyn ExternalCalendar,
    patient: &Patient,
    service: &Service,
    practitioner: PractitionerId,
    location: LocationId,
    start: Timestamp,
    now: Timestamp,
) -> SchedulingResult<(Slot, ExternalBooked)> {
    let professional = cal
        .external_id("practitioner", practitioner.0)
        .ok_or(SchedulingFailure::NotBookable("practitioner_not_linked_to_ninsaude"))?;
    let zone = cal.zone(location);
    let local = zone.to_datetime(start);
    let free = external.free_intervals(professional, local.date(), local.date()).await.map_err(upstream)?;
    let slot = slots_in_intervals(cal, &free, practitioner, location, service, now)
        .into_iter()
        .find(|s| s.start == start)
        .ok_or(SchedulingFailure::SlotTaken)?;
    let end = zone.to_datetime(slot.end);
    let booking = ExternalBooking {
        patient,
        professional,
        service: cal.external_id("service", service.id.0),
        date: local.date(),
        start: local.time(),
        end: end.time(),
    };
    let booked = external.book(booking).await.map_err(upstream)?;
    Ok((slot, booked))
}
