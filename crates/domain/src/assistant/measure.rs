//! The figures the assistant can answer about: each one is an overview figure
//! (docs/metrics.md) for a whole period, and, where its counters are split, a formula over
//! one metrics view's counters so it can also be given per practitioner, source, channel...
//! Defining both here keeps the assistant's numbers the API's numbers.

use crate::analytics::labels::Unit;
use crate::analytics::{Counter, Dimension, MetricKind};

/// How a figure is computed from one row of a view's counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Formula {
    Count(Counter),
    /// A count kept in minor units (centavos), given in major units.
    Money(Counter),
    /// `numerator / (sum of denominators)`; `None` when the denominator is 0.
    Ratio(Counter, &'static [Counter]),
}

impl Formula {
    pub fn apply(self, get: impl Fn(Counter) -> f64) -> Option<f64> {
        match self {
            Formula::Count(c) => Some(get(c)),
            Formula::Money(c) => Some(get(c) / 100.0),
            Formula::Ratio(n, d) => {
                let den: f64 = d.iter().map(|c| get(*c)).sum();
                (den > 0.0).then(|| get(n) / den)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    /// The overview figure's name, or the counter's for counts the overview does not carry.
    pub name: &'static str,
    pub unit: Unit,
    /// The overview figure giving the whole period's value (else the formula over totals).
    pub figure: Option<&'static str>,
    /// The view whose counters the formula reads, for splits and filters.
    pub view: Option<(MetricKind, Formula)>,
    pub pt: &'static str,
    pub en: &'static str,
}

impl Measure {
    /// The dimensions this figure can be split or filtered by.
    pub fn dimensions(&self) -> &'static [Dimension] {
        self.view.map_or(&[], |(kind, _)| kind.dimensions())
    }
}

use Counter as C;
use MetricKind as K;

const fn m(
    name: &'static str,
    unit: Unit,
    figure: bool,
    view: Option<(MetricKind, Formula)>,
    pt: &'static str,
    en: &'static str,
) -> Measure {
    Measure { name, unit, figure: if figure { Some(name) } else { None }, view, pt, en }
}

/// Every figure the assistant knows, by name.
pub const MEASURES: [Measure; 24] = [
    m("leads_total", Unit::Count, true, Some((K::Leads, Formula::Count(C::LeadsCreated))), "leads", "leads"),
    m(
        "leads_contacted",
        Unit::Count,
        true,
        Some((K::Leads, Formula::Count(C::LeadsContacted))),
        "leads contatados",
        "leads contacted",
    ),
    m(
        "leads_booked",
        Unit::Count,
        true,
        Some((K::Leads, Formula::Count(C::LeadsBooked))),
        "leads que agendaram",
        "leads that booked",
    ),
    m(
        "lead_to_booking_rate",
        Unit::Rate,
        true,
        Some((K::Leads, Formula::Ratio(C::LeadsBooked, &[C::LeadsCreated]))),
        "conversão de lead em agendamento",
        "lead-to-booking rate",
    ),
    m(
        "speed_to_lead_p50_seconds",
        Unit::Seconds,
        true,
        None,
        "tempo até o primeiro contato (mediana)",
        "speed to lead (median)",
    ),
    m(
        "appointments_total",
        Unit::Count,
        true,
        Some((K::Appointments, Formula::Count(C::AppointmentsBooked))),
        "agendamentos",
        "appointments booked",
    ),
    m(
        "appointments_showed",
        Unit::Count,
        true,
        Some((K::Appointments, Formula::Count(C::AppointmentsShowed))),
        "comparecimentos",
        "attended appointments",
    ),
    m(
        "no_shows",
        Unit::Count,
        false,
        Some((K::NoShows, Formula::Count(C::AppointmentsNoShow))),
        "no-shows",
        "no-shows",
    ),
    m(
        "no_show_rate",
        Unit::Rate,
        true,
        Some((
            K::NoShows,
            Formula::Ratio(C::AppointmentsNoShow, &[C::AppointmentsNoShow, C::AppointmentsShowed]),
        )),
        "taxa de no-show",
        "no-show rate",
    ),
    m(
        "cancellations",
        Unit::Count,
        false,
        Some((K::Appointments, Formula::Count(C::AppointmentsCancelled))),
        "cancelamentos",
        "cancellations",
    ),
    m(
        "revenue_booked",
        Unit::Money,
        true,
        Some((K::Appointments, Formula::Money(C::RevenueBookedCents))),
        "receita agendada",
        "revenue booked",
    ),
    m(
        "revenue_lost_to_no_shows",
        Unit::Money,
        true,
        Some((K::NoShows, Formula::Money(C::RevenueNoShowCents))),
        "receita perdida com no-shows",
        "revenue lost to no-shows",
    ),
    m(
        "bookings_by_ai_share",
        Unit::Rate,
        true,
        Some((K::Appointments, Formula::Ratio(C::AppointmentsBookedByAi, &[C::AppointmentsBooked]))),
        "agendamentos feitos pela IA",
        "share of bookings made by the AI",
    ),
    m(
        "messages_sent",
        Unit::Count,
        true,
        Some((K::Messaging, Formula::Count(C::MessagesSent))),
        "mensagens enviadas",
        "messages sent",
    ),
    m(
        "messages_delivered_rate",
        Unit::Rate,
        true,
        Some((K::Messaging, Formula::Ratio(C::MessagesDelivered, &[C::MessagesSent]))),
        "taxa de entrega das mensagens",
        "message delivery rate",
    ),
    m(
        "messages_read_rate",
        Unit::Rate,
        true,
        Some((K::Messaging, Formula::Ratio(C::MessagesRead, &[C::MessagesSent]))),
        "taxa de leitura das mensagens",
        "message read rate",
    ),
    m(
        "patient_response_rate",
        Unit::Rate,
        true,
        None,
        "taxa de resposta dos pacientes",
        "patient response rate",
    ),
    m(
        "handoffs_requested",
        Unit::Count,
        true,
        Some((K::Messaging, Formula::Count(C::HandoffsRequested))),
        "conversas passadas para a equipe",
        "conversations handed to staff",
    ),
    m(
        "staff_response_p50_seconds",
        Unit::Seconds,
        true,
        None,
        "tempo de resposta da equipe (mediana)",
        "staff response time (median)",
    ),
    m(
        "calls_total",
        Unit::Count,
        true,
        Some((K::Telephony, Formula::Count(C::CallsEnded))),
        "ligações",
        "calls",
    ),
    m(
        "calls_answered_rate",
        Unit::Rate,
        true,
        Some((K::Telephony, Formula::Ratio(C::CallsAnswered, &[C::CallsEnded]))),
        "taxa de ligações atendidas",
        "call answer rate",
    ),
    m(
        "calls_avg_duration_seconds",
        Unit::Seconds,
        true,
        Some((K::Telephony, Formula::Ratio(C::CallSeconds, &[C::CallsTimed]))),
        "duração média das ligações",
        "average call duration",
    ),
    m(
        "calls_cost_total",
        Unit::Cost,
        true,
        Some((K::Telephony, Formula::Count(C::CallCost))),
        "custo das ligações",
        "call cost",
    ),
    m(
        "replies_by_ai_share",
        Unit::Rate,
        true,
        None,
        "respostas dadas pela IA",
        "share of replies sent by the AI",
    ),
];

pub fn measure(name: &str) -> Option<&'static Measure> {
    MEASURES.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::overview::FIGURES;

    #[test]
    fn every_figure_named_is_an_overview_figure_and_every_split_counter_is_in_its_view() {
        for m in MEASURES {
            if let Some(f) = m.figure {
                assert!(FIGURES.contains(&f), "{f}");
            }
            if let Some((kind, formula)) = m.view {
                let used: Vec<Counter> = match formula {
                    Formula::Count(c) | Formula::Money(c) => vec![c],
                    Formula::Ratio(n, d) => std::iter::once(n).chain(d.iter().copied()).collect(),
                };
                for c in used {
                    assert!(kind.counters().contains(&c), "{} reads {c:?} outside {}", m.name, kind.as_str());
                }
            }
            assert!(m.figure.is_some() || m.view.is_some(), "{} has no way to be computed", m.name);
        }
    }

    #[test]
    fn ratios_have_nothing_to_divide_by_as_none() {
        let f = Formula::Ratio(Counter::LeadsBooked, &[Counter::LeadsCreated]);
        assert_eq!(f.apply(|_| 0.0), None);
        assert_eq!(f.apply(|c| if c == Counter::LeadsBooked { 1.0 } else { 4.0 }), Some(0.25));
        assert_eq!(Formula::Money(Counter::RevenueBookedCents).apply(|_| 12_345.0), Some(123.45));
    }
}
