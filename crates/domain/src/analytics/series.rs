//! Figures over time and by dimension: which counters each metrics view shows
//! ([`MetricKind`]), and how local days group into weeks (Monday first) and months.

use super::breakdown::Dimension;
use super::counters::Counter;
use super::period::Period;
use jiff::ToSpan;
use jiff::civil::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Day,
    Week,
    Month,
}

impl Granularity {
    pub fn parse(s: &str) -> Option<Granularity> {
        match s {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The first day of the bucket `day` falls in.
    pub fn bucket(self, day: Date) -> Date {
        match self {
            Self::Day => day,
            Self::Week => {
                let back = i64::from(day.weekday().to_monday_zero_offset());
                day.checked_sub(back.days()).unwrap_or(day)
            }
            Self::Month => day.first_of_month(),
        }
    }

    /// Every bucket that overlaps `period`, in order (the first and last may be partial:
    /// a week that began before `from` is labelled by its Monday but counts only the
    /// period's days).
    pub fn buckets(self, period: &Period) -> Vec<Date> {
        let mut out = Vec::new();
        let mut day = period.from;
        while day <= period.to {
            let b = self.bucket(day);
            if out.last() != Some(&b) {
                out.push(b);
            }
            day = match day.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        out
    }
}

/// The metrics views (`/api/v1/metrics/{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Funnel,
    Leads,
    Telephony,
    Messaging,
    Appointments,
    NoShows,
    /// The tone of patients' messages over time, and the conversations that turned negative.
    Sentiment,
}

/// What appointments are split by. Bookings are also filed under the campaign the patient
/// booked after, the last one; shows and no-shows are not (which campaign brought a
/// patient is known when they book), so the no-shows view stops before it.
static APPOINTMENT_SPLITS: [Dimension; 8] = [
    Dimension::Practitioner,
    Dimension::Service,
    Dimension::Unit,
    Dimension::Weekday,
    Dimension::Hour,
    Dimension::LeadTime,
    Dimension::Confirmation,
    Dimension::Campaign,
];

impl MetricKind {
    pub const ALL: [MetricKind; 7] = [
        Self::Funnel,
        Self::Leads,
        Self::Telephony,
        Self::Messaging,
        Self::Appointments,
        Self::NoShows,
        Self::Sentiment,
    ];

    pub fn parse(s: &str) -> Option<MetricKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Funnel => "funnel",
            Self::Leads => "leads",
            Self::Telephony => "telephony",
            Self::Messaging => "messaging",
            Self::Appointments => "appointments",
            Self::NoShows => "no_shows",
            Self::Sentiment => "sentiment",
        }
    }

    /// The counters this view shows, in order.
    pub fn counters(self) -> &'static [Counter] {
        use Counter as C;
        match self {
            Self::Funnel => &[C::LeadsCreated, C::LeadsContacted, C::LeadsBooked],
            Self::Leads => &[C::LeadsCreated, C::LeadsContacted, C::LeadsBooked],
            Self::Telephony => &[C::CallsEnded, C::CallsAnswered, C::CallSeconds, C::CallsTimed, C::CallCost],
            Self::Messaging => &[
                C::MessagesSent,
                C::MessagesDelivered,
                C::MessagesRead,
                C::MessagesFailed,
                C::MessagesReceived,
                C::MessagesSentByAi,
                C::MessagesSentByStaff,
                C::HandoffsRequested,
            ],
            Self::Appointments => &[
                C::AppointmentsBooked,
                C::AppointmentsBookedByAi,
                C::AppointmentsShowed,
                C::AppointmentsNoShow,
                C::AppointmentsCancelled,
                C::RevenueBookedCents,
            ],
            Self::NoShows => &[C::AppointmentsNoShow, C::AppointmentsShowed, C::RevenueNoShowCents],
            Self::Sentiment => &[
                C::MessagesPositive,
                C::MessagesNeutral,
                C::MessagesNegative,
                C::ConversationsTurnedNegative,
            ],
        }
    }

    /// What this view can be split by.
    pub fn dimensions(self) -> &'static [Dimension] {
        match self {
            Self::Funnel | Self::Leads => &[Dimension::Source],
            Self::Telephony => &[Dimension::Outcome],
            Self::Messaging => &[Dimension::Channel, Dimension::Sender, Dimension::Campaign],
            Self::Appointments => &APPOINTMENT_SPLITS,
            Self::NoShows => &APPOINTMENT_SPLITS[..APPOINTMENT_SPLITS.len() - 1],
            // The tone is read on a message's fact, which names no channel or campaign.
            Self::Sentiment => &[],
        }
    }
}

/// The share of finished appointments missed: no-shows over no-shows and attendances;
/// `None` with nothing finished.
pub fn no_show_rate(no_shows: f64, showed: f64) -> Option<f64> {
    let finished = no_shows + showed;
    (finished > 0.0).then(|| no_shows / finished)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use jiff::tz::TimeZone;

    #[test]
    fn days_group_into_monday_weeks_and_calendar_months() {
        // Wednesday 3 June 2026 is in the week of Monday 1 June; Sunday 7 June too.
        assert_eq!(Granularity::Week.bucket(date(2026, 6, 3)), date(2026, 6, 1));
        assert_eq!(Granularity::Week.bucket(date(2026, 6, 7)), date(2026, 6, 1));
        assert_eq!(Granularity::Week.bucket(date(2026, 6, 8)), date(2026, 6, 8));
        assert_eq!(Granularity::Month.bucket(date(2026, 2, 28)), date(2026, 2, 1));
        let p = Period::new(date(2026, 5, 28), date(2026, 6, 9), TimeZone::UTC).unwrap();
        assert_eq!(Granularity::Week.buckets(&p), [date(2026, 5, 25), date(2026, 6, 1), date(2026, 6, 8)]);
        assert_eq!(Granularity::Month.buckets(&p), [date(2026, 5, 1), date(2026, 6, 1)]);
        assert_eq!(Granularity::Day.buckets(&p).len(), 13);
    }

    #[test]
    fn every_view_names_its_counters_and_splits() {
        for k in MetricKind::ALL {
            assert_eq!(MetricKind::parse(k.as_str()), Some(k));
            assert!(!k.counters().is_empty());
        }
        assert!(MetricKind::NoShows.dimensions().contains(&Dimension::LeadTime));
        assert_eq!(Granularity::parse("hour"), None);
        assert_eq!(no_show_rate(1.0, 3.0), Some(0.25));
        assert_eq!(no_show_rate(0.0, 0.0), None);
    }
}
