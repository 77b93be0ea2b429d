//! No-show risk for appointments still ahead: their features read from the store (the
//! patient's earlier appointments, how far ahead it was booked, whether it is confirmed)
//! and scored by the clinic's trained model when it has one (`noshow_training`), else by
//! the fallback scorer fitted on its recent appointments.

use crate::Ctx;
use frontdesk_domain::noshow::{
    AppointmentFeatures, Example, Fallback, PatientHistory, ReminderState, Risk, ScoresNoShow, TrainedModel,
};
use frontdesk_domain::page::{MAX_LIMIT, PageRequest};
use frontdesk_domain::scheduling::{Appointment, AppointmentStatus};
use frontdesk_domain::{AppointmentId, PatientId, TenantId};
use frontdesk_store::{AppointmentFilter, StoreResult};
use jiff::SignedDuration;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;

/// How far back the clinic's own no-show rate is read.
const HISTORY_DAYS: i64 = 180;

/// Risk for each appointment given that is still ahead and live (booked or confirmed).
pub async fn no_show_risks(
    ctx: &Ctx,
    tenant: TenantId,
    appointments: &[Appointment],
) -> StoreResult<HashMap<AppointmentId, Risk>> {
    let now = ctx.clock.now();
    let ahead: Vec<&Appointment> =
        appointments.iter().filter(|a| a.status.is_pending() && a.start > now).collect();
    if ahead.is_empty() {
        return Ok(HashMap::new());
    }
    let zone = match ctx.store.tenant_by_id(tenant).await? {
        Some(t) => t.timezone.time_zone(),
        None => return Ok(HashMap::new()),
    };
    let scorer = clinic_scorer(ctx, tenant, &zone).await?;
    let mut histories: HashMap<PatientId, Vec<Appointment>> = HashMap::new();
    let mut risks = HashMap::new();
    for appointment in ahead {
        let theirs = match histories.entry(appointment.patient_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(patient_appointments(ctx, tenant, appointment.patient_id).await?)
            }
        };
        let features = features(appointment, theirs, &zone);
        risks.insert(appointment.id, scorer.score(&features));
    }
    Ok(risks)
}

/// Who scores a clinic's appointments.
enum Scorer {
    Trained(Arc<TrainedModel>),
    Fallback(Fallback),
}

impl Scorer {
    fn score(&self, features: &AppointmentFeatures) -> Risk {
        match self {
            Self::Trained(model) => model.score(features),
            Self::Fallback(fallback) => fallback.score(features),
        }
    }
}

/// The clinic's latest trained model; without one, the fallback fitted on its appointments
/// of the last months that ended as a show or a no-show (read only then).
async fn clinic_scorer(ctx: &Ctx, tenant: TenantId, zone: &TimeZone) -> StoreResult<Scorer> {
    if let Some(model) = super::stored_model::stored_model(ctx, tenant).await? {
        return Ok(Scorer::Trained(model));
    }
    let now = ctx.clock.now();
    let filter = AppointmentFilter {
        from: now.checked_sub(SignedDuration::from_hours(24 * HISTORY_DAYS)).ok(),
        to: Some(now),
        ..Default::default()
    };
    let past =
        ctx.store.list_appointments(tenant, &filter, PageRequest::new(None, Some(MAX_LIMIT))).await?.items;
    let examples: Vec<Example> = past
        .iter()
        .filter_map(|a| {
            let no_show = match a.status {
                AppointmentStatus::NoShow => true,
                AppointmentStatus::CheckedIn | AppointmentStatus::Completed => false,
                _ => return None,
            };
            Some(Example { features: features(a, &[], zone), day: local_day(a.start, zone), no_show })
        })
        .collect();
    Ok(Scorer::Fallback(Fallback::fit(&examples)))
}

async fn patient_appointments(
    ctx: &Ctx,
    tenant: TenantId,
    patient: PatientId,
) -> StoreResult<Vec<Appointment>> {
    let filter = AppointmentFilter { patient_id: Some(patient), ..Default::default() };
    Ok(ctx.store.list_appointments(tenant, &filter, PageRequest::new(None, Some(MAX_LIMIT))).await?.items)
}

/// What is known about `appointment` before its local day, from the patient's other
/// appointments (only those on strictly earlier days count as history).
pub fn features(appointment: &Appointment, theirs: &[Appointment], zone: &TimeZone) -> AppointmentFeatures {
    let day = local_day(appointment.start, zone);
    let booked = local_day(appointment.created_at, zone);
    let mut history = PatientHistory::default();
    // The last earlier day kept or missed: whether it was missed, and its booking day.
    let mut last: Option<(Date, bool, Date)> = None;
    let mut same_day = 0;
    let (mut later, mut later_within_week, mut next) = (0u32, 0u32, None::<Date>);
    let mut previous_booking: Option<Date> = None;
    for other in theirs.iter().filter(|o| o.id != appointment.id) {
        let other_day = local_day(other.start, zone);
        let other_booked = local_day(other.created_at, zone);
        if other.created_at < appointment.created_at && previous_booking.is_none_or(|p| other_booked > p) {
            previous_booking = Some(other_booked);
        }
        if other_day > day && other_booked < day && other.status != AppointmentStatus::Cancelled {
            // Booked before this day for a later one. Ahead of the day it is still booked;
            // in a past example it may since have been kept or missed, which says nothing
            // about this one (a cancellation's time is not kept, so those are left out).
            later += 1;
            if (other_day - day).get_days() <= 7 {
                later_within_week += 1;
            }
            next = Some(next.map_or(other_day, |n| n.min(other_day)));
        }
        if other_day < day {
            let missed = match other.status {
                AppointmentStatus::NoShow => true,
                AppointmentStatus::CheckedIn | AppointmentStatus::Completed => false,
                AppointmentStatus::Cancelled => {
                    history.prior_cancellations += 1;
                    continue;
                }
                AppointmentStatus::Booked | AppointmentStatus::Confirmed => continue,
            };
            if missed {
                history.prior_no_shows += 1;
            } else {
                history.prior_shows += 1;
            }
            last = match last {
                Some((d, was_missed, b)) if d == other_day => {
                    Some((d, was_missed || missed, b.min(other_booked)))
                }
                Some((d, ..)) if d > other_day => last,
                _ => Some((other_day, missed, other_booked)),
            };
        } else if other_day == day && other.status.is_pending() {
            same_day += 1;
        }
    }
    let days = |from: Date, to: Date| u32::try_from((to - from).get_days()).ok();
    if let Some((last_day, missed, last_booked)) = last {
        history.days_since_last = days(last_day, day);
        history.last_was_no_show = Some(missed);
        history.last_lead_time_days = days(last_booked, last_day);
    }
    let booked_at = appointment.created_at.to_zoned(zone.clone());
    let local = appointment.start.to_zoned(zone.clone());
    AppointmentFeatures {
        lead_time_days: u32::try_from((day - booked).get_days()).unwrap_or(0),
        weekday: local.weekday().to_monday_zero_offset() as u8,
        hour: u8::try_from(local.hour()).ok(),
        service: Some(appointment.service_id.0.to_string()),
        practitioner: Some(appointment.practitioner_id.0.to_string()),
        unit: Some(appointment.location_id.0.to_string()),
        history,
        reminder: if appointment.status == AppointmentStatus::Confirmed {
            ReminderState::Confirmed
        } else {
            ReminderState::Unknown
        },
        same_day_appointments: same_day,
        booked_hour: u8::try_from(booked_at.hour()).ok(),
        booked_weekday: Some(booked_at.weekday().to_monday_zero_offset() as u8),
        days_since_previous_booking: previous_booking.and_then(|p| days(p, booked)),
        later_appointments: later,
        later_within_week,
        days_to_next: next.and_then(|n| days(day, n)),
        // The clinic's load on the day and patients booked alongside need other
        // patients' appointments: not read here, left unknown (the trees route it).
        ..Default::default()
    }
}

fn local_day(at: jiff::Timestamp, zone: &TimeZone) -> Date {
    at.to_zoned(zone.clone()).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_domain::{LocationId, PractitionerId, ServiceId};

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().unwrap()
    }

    fn appointment(booked: &str, start: &str, status: AppointmentStatus) -> Appointment {
        Appointment {
            id: AppointmentId::new(),
            tenant_id: TenantId::new(),
            patient_id: PatientId::new(),
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            service_id: ServiceId::new(),
            start: at(start),
            end: at(start),
            blocked_until: at(start),
            status,
            version: 1,
            external_id: None,
            cancel_reason: None,
            created_at: at(booked),
            updated_at: at(booked),
        }
    }

    #[test]
    fn booking_pattern_and_later_appointments_use_what_was_booked_before_the_day() {
        use AppointmentStatus::*;
        let this = appointment("2026-03-02T14:00:00Z", "2026-03-10T13:00:00Z", Booked);
        let theirs = vec![
            // Kept on the 5th, booked on the 1st: the last lead time is 4 days, and it is
            // the previous booking (1 day before this one's).
            appointment("2026-03-01T10:00:00Z", "2026-03-05T13:00:00Z", Completed),
            // Ahead, booked before the day: two later appointments, one within the week.
            appointment("2026-03-03T10:00:00Z", "2026-03-14T13:00:00Z", Booked),
            appointment("2026-03-03T10:00:00Z", "2026-03-24T13:00:00Z", Confirmed),
            // Cancelled, and booked on the day itself (perhaps after missing it): neither
            // counts as a later appointment.
            appointment("2026-03-04T10:00:00Z", "2026-03-15T13:00:00Z", Cancelled),
            appointment("2026-03-10T18:00:00Z", "2026-03-16T13:00:00Z", Booked),
            this.clone(),
        ];
        let f = features(&this, &theirs, &TimeZone::UTC);
        assert_eq!(f.history.last_lead_time_days, Some(4));
        assert_eq!(f.days_since_previous_booking, Some(1));
        assert_eq!((f.later_appointments, f.later_within_week, f.days_to_next), (2, 1, Some(4)));
        assert_eq!((f.booked_hour, f.booked_weekday), (Some(14), Some(0)));
        assert_eq!((f.day_load, f.booked_alongside), (None, None));
    }
}
