//! Which waiting entries a freed slot suits.

use super::{EntryStatus, WaitlistEntry};
use crate::{LocationId, PractitionerId, ServiceId};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// A slot that became free: an appointment cancelled, or moved away from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreedSlot {
    pub practitioner_id: PractitionerId,
    pub location_id: LocationId,
    pub service_id: ServiceId,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// True when `entry` is still waiting and `slot` is what it asked for: the same service,
/// its practitioner and unit if it named them, on or before its last day, and inside one
/// of its windows (start and end alike) in the slot's local time.
pub fn suits(entry: &WaitlistEntry, slot: &FreedSlot, zone: &TimeZone) -> bool {
    if entry.status != EntryStatus::Waiting || entry.service_id != slot.service_id {
        return false;
    }
    if entry.practitioner_id.is_some_and(|p| p != slot.practitioner_id)
        || entry.location_id.is_some_and(|l| l != slot.location_id)
    {
        return false;
    }
    let start = slot.start.to_zoned(zone.clone());
    let end = slot.end.to_zoned(zone.clone());
    if entry.not_after.is_some_and(|last| start.date() > last) {
        return false;
    }
    if entry.windows.is_empty() {
        return true;
    }
    let weekday = start.weekday().to_monday_zero_offset() as u8;
    // A slot running past midnight fits no window of one day.
    let same_day = end.date() == start.date();
    entry.windows.iter().any(|w| {
        (w.weekdays.is_empty() || w.weekdays.contains(&weekday))
            && same_day
            && start.time() >= w.from
            && end.time() <= w.to
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waitlist::TimeWindow;
    use jiff::civil::{date, time};

    fn sao_paulo() -> TimeZone {
        TimeZone::get("America/Sao_Paulo").unwrap()
    }

    /// Wednesday 2026-06-03, 10:00-10:30 in São Paulo.
    fn slot(service: ServiceId) -> FreedSlot {
        FreedSlot {
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            service_id: service,
            start: "2026-06-03T13:00:00Z".parse().unwrap(),
            end: "2026-06-03T13:30:00Z".parse().unwrap(),
        }
    }

    fn waiting(service: ServiceId, windows: Vec<TimeWindow>) -> WaitlistEntry {
        WaitlistEntry { windows, ..crate::waitlist::sample_entry(service, Timestamp::UNIX_EPOCH) }
    }

    fn window(days: &[u8], from: u8, to: u8) -> TimeWindow {
        TimeWindow { weekdays: days.to_vec(), from: time(from as i8, 0, 0, 0), to: time(to as i8, 0, 0, 0) }
    }

    #[test]
    fn the_service_practitioner_and_unit_must_be_those_asked_for() {
        let service = ServiceId::new();
        let freed = slot(service);
        let zone = sao_paulo();
        assert!(suits(&waiting(service, vec![]), &freed, &zone));
        assert!(!suits(&waiting(ServiceId::new(), vec![]), &freed, &zone));
        let mut other_doctor = waiting(service, vec![]);
        other_doctor.practitioner_id = Some(PractitionerId::new());
        assert!(!suits(&other_doctor, &freed, &zone));
        let mut this_doctor = waiting(service, vec![]);
        this_doctor.practitioner_id = Some(freed.practitioner_id);
        this_doctor.location_id = Some(freed.location_id);
        assert!(suits(&this_doctor, &freed, &zone));
        let mut other_unit = this_doctor.clone();
        other_unit.location_id = Some(LocationId::new());
        assert!(!suits(&other_unit, &freed, &zone));
    }

    #[test]
    fn the_whole_slot_must_fall_in_a_window_in_local_time() {
        let service = ServiceId::new();
        let freed = slot(service);
        let zone = sao_paulo();
        // Wednesday is 2; 10:00-10:30 local.
        assert!(suits(&waiting(service, vec![window(&[2], 8, 12)]), &freed, &zone));
        assert!(suits(&waiting(service, vec![window(&[], 10, 11)]), &freed, &zone));
        assert!(!suits(&waiting(service, vec![window(&[0, 1, 3, 4], 8, 12)]), &freed, &zone));
        // 13:00 is the UTC hour, not the patient's.
        assert!(!suits(&waiting(service, vec![window(&[2], 13, 14)]), &freed, &zone));
        // Ends after the window closes.
        let short = TimeWindow { weekdays: vec![], from: time(9, 0, 0, 0), to: time(10, 15, 0, 0) };
        assert!(!suits(&waiting(service, vec![short]), &freed, &zone));
        // Any one window is enough.
        assert!(suits(&waiting(service, vec![window(&[0], 8, 9), window(&[2], 9, 11)]), &freed, &zone));
    }

    #[test]
    fn nothing_after_the_last_day_and_nothing_for_entries_done() {
        let service = ServiceId::new();
        let freed = slot(service);
        let zone = sao_paulo();
        let mut until_tuesday = waiting(service, vec![]);
        until_tuesday.not_after = Some(date(2026, 6, 2));
        assert!(!suits(&until_tuesday, &freed, &zone));
        until_tuesday.not_after = Some(date(2026, 6, 3));
        assert!(suits(&until_tuesday, &freed, &zone));
        let mut booked = waiting(service, vec![]);
        booked.status = EntryStatus::Booked;
        assert!(!suits(&booked, &freed, &zone));
    }
}
