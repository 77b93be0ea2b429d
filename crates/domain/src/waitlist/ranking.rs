//! In what order waiting patients are offered a slot: those who have waited longest
//! first, held back by how likely they are not to come, with a patient who asked for this
//! very practitioner ahead of one who would take anyone.

use super::{FreedSlot, WaitlistEntry};
use jiff::Timestamp;

/// A waiting entry the slot suits, with the chance the patient would not come to it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub entry: WaitlistEntry,
    pub no_show_probability: f64,
}

/// Days of waiting count up to this many: beyond it, everyone has waited "long".
const MAX_WAIT_DAYS: f64 = 60.0;
/// Points off per unit of no-show probability: a patient at 50% risk yields to one at
/// 10% who joined 12 days later.
const RISK_WEIGHT: f64 = 30.0;
/// Points for having asked for the slot's practitioner by name.
const NAMED_PRACTITIONER: f64 = 5.0;

fn score(c: &Candidate, slot: &FreedSlot, now: Timestamp) -> f64 {
    let waited = now.duration_since(c.entry.created_at).as_secs_f64() / 86_400.0;
    let named = c.entry.practitioner_id == Some(slot.practitioner_id);
    waited.clamp(0.0, MAX_WAIT_DAYS) - RISK_WEIGHT * c.no_show_probability.clamp(0.0, 1.0)
        + if named { NAMED_PRACTITIONER } else { 0.0 }
}

/// The candidates best first; ties go to whoever joined first. The same inputs always
/// give the same order.
pub fn rank(mut candidates: Vec<Candidate>, slot: &FreedSlot, now: Timestamp) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        score(b, slot, now)
            .total_cmp(&score(a, slot, now))
            .then(a.entry.created_at.cmp(&b.entry.created_at))
            .then(a.entry.id.cmp(&b.entry.id))
    });
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocationId, PractitionerId, ServiceId};
    use jiff::SignedDuration;
    use uuid::Uuid;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn slot() -> FreedSlot {
        FreedSlot {
            practitioner_id: PractitionerId::new(),
            location_id: LocationId::new(),
            service_id: ServiceId::new(),
            start: "2026-06-03T13:00:00Z".parse().unwrap(),
            end: "2026-06-03T13:30:00Z".parse().unwrap(),
        }
    }

    fn candidate(days_waiting: i64, risk: f64) -> Candidate {
        let joined = now() - SignedDuration::from_hours(24 * days_waiting);
        Candidate {
            entry: crate::waitlist::sample_entry(ServiceId::new(), joined),
            no_show_probability: risk,
        }
    }

    fn order(ranked: &[Candidate]) -> Vec<Uuid> {
        ranked.iter().map(|c| c.entry.id).collect()
    }

    #[test]
    fn longest_waiting_first_at_equal_risk() {
        let (a, b, c) = (candidate(2, 0.1), candidate(20, 0.1), candidate(9, 0.1));
        let ranked = rank(vec![a.clone(), b.clone(), c.clone()], &slot(), now());
        assert_eq!(order(&ranked), [b.entry.id, c.entry.id, a.entry.id]);
    }

    #[test]
    fn a_likely_no_show_yields_to_a_reliable_patient_who_waited_a_little_less() {
        let risky = candidate(20, 0.6);
        let reliable = candidate(10, 0.05);
        let ranked = rank(vec![risky.clone(), reliable.clone()], &slot(), now());
        assert_eq!(order(&ranked), [reliable.entry.id, risky.entry.id]);
        // ... but not one who only just joined.
        let newcomer = candidate(0, 0.05);
        let ranked = rank(vec![newcomer.clone(), risky.clone()], &slot(), now());
        assert_eq!(order(&ranked), [risky.entry.id, newcomer.entry.id]);
    }

    #[test]
    fn asking_for_this_practitioner_counts_and_ties_go_to_who_joined_first() {
        let freed = slot();
        let anyone = candidate(5, 0.1);
        let mut named = candidate(3, 0.1);
        named.entry.practitioner_id = Some(freed.practitioner_id);
        let ranked = rank(vec![anyone.clone(), named.clone()], &freed, now());
        assert_eq!(order(&ranked), [named.entry.id, anyone.entry.id]);
        let first = candidate(70, 0.1);
        let second = candidate(65, 0.1);
        let ranked = rank(vec![second.clone(), first.clone()], &freed, now());
        assert_eq!(order(&ranked), [first.entry.id, second.entry.id], "both capped at 60 days");
    }
}
