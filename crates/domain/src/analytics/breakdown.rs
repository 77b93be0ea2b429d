//! Counters split by one dimension: the same increments as the totals, each also filed
//! under the practitioner, service, unit, channel, lead source, weekday, hour or lead time
//! it belongs to, whether the appointment had been confirmed, or how a call ended. A split
//! counter is stored under `name@dimension=key` beside the plain one
//! (`counters::stored_name`), so a period's breakdown is a sum of days like any other
//! figure, and the plain totals never see the split rows (their names do not parse as
//! counters).

use serde::{Deserialize, Serialize};

/// What a counter can be split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Where a lead came from (the form, the CRM, WhatsApp...).
    Source,
    /// WhatsApp, SMS.
    Channel,
    Practitioner,
    Service,
    Unit,
    /// The appointment's local weekday, `monday`..`sunday`.
    Weekday,
    /// The appointment's local starting hour, `00`..`23`.
    Hour,
    /// Days between booking and the appointment, in buckets ([`lead_time_bucket`]).
    LeadTime,
    /// Whether an appointment that ended (a show or a no-show) had been confirmed by then
    /// (answering a reminder, or by staff): `confirmed`, `not_confirmed`.
    Confirmation,
    /// How a call ended: `booked`, `no_answer`, `voicemail`, `callback_requested`...
    Outcome,
    /// Who had an outbound message sent: `ai` (the assistant answering), `automation`
    /// (reminders, campaigns, outreach), `staff`.
    Sender,
    /// The campaign a message was a step of, or whose message a patient booked after (the
    /// campaign's id; see `counters::splits`).
    Campaign,
}

impl Dimension {
    pub const ALL: [Dimension; 12] = [
        Self::Source,
        Self::Channel,
        Self::Practitioner,
        Self::Service,
        Self::Unit,
        Self::Weekday,
        Self::Hour,
        Self::LeadTime,
        Self::Confirmation,
        Self::Outcome,
        Self::Sender,
        Self::Campaign,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Channel => "channel",
            Self::Practitioner => "practitioner",
            Self::Service => "service",
            Self::Unit => "unit",
            Self::Weekday => "weekday",
            Self::Hour => "hour",
            Self::LeadTime => "lead_time",
            Self::Confirmation => "confirmation",
            Self::Outcome => "outcome",
            Self::Sender => "sender",
            Self::Campaign => "campaign",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One value of a dimension: a practitioner's id, `whatsapp`, `monday`, `2_7_days`...
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Split {
    pub dimension: Dimension,
    pub key: String,
}

/// The longest key a caller may name (ids and source keys are far shorter).
pub const MAX_KEY_CHARS: usize = 200;

impl Split {
    /// A key a caller names (a filter), if it can be one: 1 to 200 characters, without the
    /// `@` and `=` that separate a stored name's parts (`counter@dimension=key`).
    pub fn named(dimension: Dimension, key: &str) -> Option<Split> {
        let fits = !key.is_empty() && key.chars().count() <= MAX_KEY_CHARS && !key.contains(['@', '=']);
        fits.then(|| Split { dimension, key: key.to_owned() })
    }
}

/// How far ahead an appointment was booked, in local days: the same day, the next, within
/// a week, within a month, later. Lead time is the best-known predictor of no-shows.
pub fn lead_time_bucket(days: i64) -> &'static str {
    match days {
        i64::MIN..=0 => "same_day",
        1 => "1_day",
        2..=7 => "2_7_days",
        8..=30 => "8_30_days",
        _ => "over_30_days",
    }
}

/// The buckets in order, for showing every one (empty ones included).
pub const LEAD_TIME_BUCKETS: [&str; 5] = ["same_day", "1_day", "2_7_days", "8_30_days", "over_30_days"];

/// A weekday as a split key.
pub fn weekday_key(d: jiff::civil::Weekday) -> &'static str {
    use jiff::civil::Weekday as W;
    match d {
        W::Monday => "monday",
        W::Tuesday => "tuesday",
        W::Wednesday => "wednesday",
        W::Thursday => "thursday",
        W::Friday => "friday",
        W::Saturday => "saturday",
        W::Sunday => "sunday",
    }
}

/// The keys of [`Dimension::Confirmation`], in the order they are shown.
pub const CONFIRMATION_KEYS: [&str; 2] = ["confirmed", "not_confirmed"];

/// The order keys are shown in when it is not by size: weekdays Monday first, hours and
/// lead times in their natural order, confirmed before not.
pub fn natural_rank(dimension: Dimension, key: &str) -> Option<usize> {
    const WEEK: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    match dimension {
        Dimension::Weekday => WEEK.iter().position(|d| *d == key),
        Dimension::Hour => key.parse().ok(),
        Dimension::LeadTime => LEAD_TIME_BUCKETS.iter().position(|b| *b == key),
        Dimension::Confirmation => CONFIRMATION_KEYS.iter().position(|b| *b == key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_round_trip() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
        }
        assert_eq!(Dimension::parse("colour"), None);
    }

    #[test]
    fn lead_times_fall_in_their_buckets() {
        let got: Vec<_> = [-1, 0, 1, 2, 7, 8, 30, 31, 400].into_iter().map(lead_time_bucket).collect();
        assert_eq!(
            got,
            [
                "same_day",
                "same_day",
                "1_day",
                "2_7_days",
                "2_7_days",
                "8_30_days",
                "8_30_days",
                "over_30_days",
                "over_30_days"
            ]
        );
        assert_eq!(natural_rank(Dimension::LeadTime, "over_30_days"), Some(4));
        assert_eq!(natural_rank(Dimension::Weekday, "sunday"), Some(6));
        assert_eq!(natural_rank(Dimension::Hour, "09"), Some(9));
    }
}
