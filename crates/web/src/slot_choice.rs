//! A free slot as a form or link carries it, `practitioner|unit|start`: the staff
//! calendar's suggestions and the public booking page pick slots the same way.

use frontdesk_domain::{LocationId, PractitionerId};
use uuid::Uuid;

/// Where and when to book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub practitioner: PractitionerId,
    pub location: LocationId,
    pub start: jiff::Timestamp,
}

impl Placement {
    pub fn of(slot: &frontdesk_domain::scheduling::Slot) -> Self {
        Self { practitioner: slot.practitioner_id, location: slot.location_id, start: slot.start }
    }

    /// The value a form or link carries.
    pub fn value(&self) -> String {
        format!("{}|{}|{}", self.practitioner, self.location, self.start)
    }

    /// Reads a value made by [`Placement::value`]; anything else is `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split('|');
        let practitioner = PractitionerId(parts.next()?.parse::<Uuid>().ok()?);
        let location = LocationId(parts.next()?.parse::<Uuid>().ok()?);
        let start = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Self { practitioner, location, start })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_round_trips_and_nothing_else_parses() {
        let p = Placement {
            practitioner: PractitionerId(Uuid::new_v4()),
            location: LocationId(Uuid::new_v4()),
            start: "2026-06-01T12:00:00Z".parse().unwrap(),
        };
        assert_eq!(Placement::parse(&p.value()), Some(p));
        let (pr, l) = (p.practitioner, p.location);
        for bad in [
            "",
            "x|y|z",
            &format!("{pr}|{l}"),
            &format!("{}|extra", p.value()),
            &format!("{pr}|{l}|tomorrow"),
        ] {
            assert!(Placement::parse(bad).is_none(), "{bad}");
        }
    }
}
