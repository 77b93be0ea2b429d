//! The overview: the headline figures of a period, each beside the same figure over the
//! period just before it. Every figure counts the events that happened in the period
//! (leads created, appointments booked, messages sent...), so two periods compare like
//! with like; a rate divides two such counts and is `None` when there is nothing to divide
//! by (no leads, no sent messages), never 0.

use super::breakdown::Dimension;
use super::counters::Counter;
use super::speed;
use std::collections::HashMap;

/// A period's counters, summed over its days.
pub type Totals = HashMap<Counter, f64>;

/// A figure and the same figure over the previous period.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Figure {
    pub value: Option<f64>,
    pub previous: Option<f64>,
}

/// The figures of one period, in the order `docs/metrics.md` defines them.
pub const FIGURES: [&str; 24] = [
    "leads_total",
    "leads_contacted",
    "leads_booked",
    "lead_to_booking_rate",
    "speed_to_lead_p50_seconds",
    "speed_to_lead_p90_seconds",
    "appointments_total",
    "appointments_showed",
    "no_show_rate",
    "messages_sent",
    "messages_delivered_rate",
    "messages_read_rate",
    "patient_response_rate",
    "calls_total",
    "calls_answered_rate",
    "calls_avg_duration_seconds",
    "calls_cost_total",
    "bookings_by_ai_share",
    "replies_by_ai_share",
    "handoffs_requested",
    "staff_response_p50_seconds",
    "staff_response_p90_seconds",
    "revenue_booked",
    "revenue_lost_to_no_shows",
];

/// The overview of a period beside the previous one, figure by figure, in [`FIGURES`]
/// order.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub figures: Vec<(&'static str, Figure)>,
}

impl Overview {
    pub fn new(current: &Totals, previous: &Totals) -> Overview {
        let now = values(current);
        let before = values(previous);
        let figures =
            FIGURES.iter().map(|name| (*name, Figure { value: now[name], previous: before[name] })).collect();
        Overview { figures }
    }

    pub fn get(&self, name: &str) -> Option<Figure> {
        self.figures.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The overview of one value of `dimension` (a practitioner, a unit, a lead source),
    /// from the counters split by it: the figures whose counters are all kept per that
    /// dimension, the others `None` (a practitioner has no leads of their own).
    pub fn for_one(dimension: Dimension, current: &Totals, previous: &Totals) -> Overview {
        let mut o = Overview::new(current, previous);
        let kept = figures_split_by(dimension);
        for (name, figure) in &mut o.figures {
            if !kept.contains(name) {
                *figure = Figure { value: None, previous: None };
            }
        }
        o
    }
}

/// The figures that can be given for one value of `dimension`: those computed only from
/// counters the facts file under it (docs/metrics.md).
pub fn figures_split_by(dimension: Dimension) -> &'static [&'static str] {
    match dimension {
        Dimension::Practitioner
        | Dimension::Service
        | Dimension::Unit
        | Dimension::Weekday
        | Dimension::Hour
        | Dimension::LeadTime => &[
            "appointments_total",
            "appointments_showed",
            "no_show_rate",
            "bookings_by_ai_share",
            "revenue_booked",
            "revenue_lost_to_no_shows",
        ],
        // Speed to lead is a histogram, not split.
        Dimension::Source => &["leads_total", "leads_contacted", "leads_booked", "lead_to_booking_rate"],
        Dimension::Channel => {
            &["messages_sent", "messages_delivered_rate", "messages_read_rate", "patient_response_rate"]
        }
        Dimension::Confirmation | Dimension::Outcome | Dimension::Sender | Dimension::Campaign => &[],
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// The `(bucket bound, count)` pairs of one histogram kept as counters.
fn histogram(t: &Totals, bound: impl Fn(&Counter) -> Option<u32>) -> Vec<(u32, f64)> {
    t.iter().filter_map(|(k, v)| bound(k).map(|b| (b, *v))).collect()
}

/// Each figure of one period.
pub fn values(t: &Totals) -> HashMap<&'static str, Option<f64>> {
    let c = |counter: Counter| t.get(&counter).copied().unwrap_or(0.0);
    let speed = histogram(t, |k| match k {
        Counter::SpeedToLead(bound) => Some(*bound),
        _ => None,
    });
    let staff = histogram(t, |k| match k {
        Counter::StaffResponse(bound) => Some(*bound),
        _ => None,
    });
    let showed = c(Counter::AppointmentsShowed);
    let missed = c(Counter::AppointmentsNoShow);
    let calls = c(Counter::CallsEnded);
    let sent = c(Counter::MessagesSent);
    let booked = c(Counter::AppointmentsBooked);
    HashMap::from([
        ("leads_total", Some(c(Counter::LeadsCreated))),
        ("leads_contacted", Some(c(Counter::LeadsContacted))),
        ("leads_booked", Some(c(Counter::LeadsBooked))),
        ("lead_to_booking_rate", ratio(c(Counter::LeadsBooked), c(Counter::LeadsCreated))),
        ("speed_to_lead_p50_seconds", speed::quantile(&speed, 0.5).map(f64::from)),
        ("speed_to_lead_p90_seconds", speed::quantile(&speed, 0.9).map(f64::from)),
        ("appointments_total", Some(booked)),
        ("appointments_showed", Some(showed)),
        ("no_show_rate", ratio(missed, showed + missed)),
        ("messages_sent", Some(sent)),
        ("messages_delivered_rate", ratio(c(Counter::MessagesDelivered), sent)),
        ("messages_read_rate", ratio(c(Counter::MessagesRead), sent)),
        ("patient_response_rate", ratio(c(Counter::MessagesReceived), sent)),
        ("calls_total", Some(calls)),
        ("calls_answered_rate", ratio(c(Counter::CallsAnswered), calls)),
        ("calls_avg_duration_seconds", ratio(c(Counter::CallSeconds), c(Counter::CallsTimed))),
        ("calls_cost_total", Some(c(Counter::CallCost))),
        ("bookings_by_ai_share", ratio(c(Counter::AppointmentsBookedByAi), booked)),
        (
            "replies_by_ai_share",
            ratio(
                c(Counter::MessagesSentByAi),
                c(Counter::MessagesSentByAi) + c(Counter::MessagesSentByStaff),
            ),
        ),
        ("handoffs_requested", Some(c(Counter::HandoffsRequested))),
        ("staff_response_p50_seconds", speed::quantile(&staff, 0.5).map(f64::from)),
        ("staff_response_p90_seconds", speed::quantile(&staff, 0.9).map(f64::from)),
        ("revenue_booked", Some(c(Counter::RevenueBookedCents) / 100.0)),
        ("revenue_lost_to_no_shows", Some(c(Counter::RevenueNoShowCents) / 100.0)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_over_nothing_are_none_and_counts_are_zero() {
        let o = Overview::new(&Totals::new(), &Totals::new());
        assert_eq!(o.figures.len(), FIGURES.len());
        assert_eq!(o.get("leads_total"), Some(Figure { value: Some(0.0), previous: Some(0.0) }));
        assert_eq!(o.get("no_show_rate").unwrap().value, None);
        assert_eq!(o.get("speed_to_lead_p50_seconds").unwrap().value, None);
    }

    #[test]
    fn one_practitioner_has_appointment_figures_only() {
        let now = Totals::from([(Counter::AppointmentsShowed, 3.0), (Counter::AppointmentsNoShow, 1.0)]);
        let o = Overview::for_one(Dimension::Practitioner, &now, &Totals::new());
        assert_eq!(o.get("no_show_rate").unwrap().value, Some(0.25));
        assert_eq!(
            o.get("leads_total"),
            Some(Figure { value: None, previous: None }),
            "not a practitioner's"
        );
        let by_source = Overview::for_one(
            Dimension::Source,
            &Totals::from([(Counter::LeadsCreated, 2.0)]),
            &Totals::new(),
        );
        assert_eq!(by_source.get("leads_total").unwrap().value, Some(2.0));
        assert_eq!(by_source.get("appointments_total").unwrap().value, None);
        for d in Dimension::ALL {
            assert!(figures_split_by(d).iter().all(|f| FIGURES.contains(f)));
        }
    }

    #[test]
    fn figures_beside_the_previous_period() {
        let now = Totals::from([
            (Counter::LeadsCreated, 4.0),
            (Counter::LeadsBooked, 1.0),
            (Counter::AppointmentsShowed, 3.0),
            (Counter::AppointmentsNoShow, 1.0),
            (Counter::RevenueNoShowCents, 15_000.0),
            (Counter::SpeedToLead(5), 3.0),
            (Counter::SpeedToLead(120), 1.0),
        ]);
        let before = Totals::from([(Counter::LeadsCreated, 2.0), (Counter::LeadsBooked, 2.0)]);
        let o = Overview::new(&now, &before);
        assert_eq!(o.get("lead_to_booking_rate"), Some(Figure { value: Some(0.25), previous: Some(1.0) }));
        assert_eq!(o.get("no_show_rate").unwrap().value, Some(0.25));
        assert_eq!(o.get("revenue_lost_to_no_shows").unwrap().value, Some(150.0));
        assert_eq!(o.get("speed_to_lead_p50_seconds").unwrap().value, Some(5.0));
        assert_eq!(o.get("speed_to_lead_p90_seconds").unwrap().value, Some(120.0));
    }
}
