//! What each fact adds to the day it happened on (in the clinic's time zone). Counters are
//! sums, so a day's rollup is the sum of its facts' increments and a period's the sum of
//! its days: nothing here needs another record to be read.

use super::breakdown::{Dimension, Split, lead_time_bucket, weekday_key};
use crate::facts::{Fact, FactKind};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// A named daily counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    LeadsCreated,
    /// Leads the clinic reached out to for the first time.
    LeadsContacted,
    /// Leads whose stage moved to booked.
    LeadsBooked,
    /// Leads first reached within this bucket's seconds (see [`super::speed`]).
    SpeedToLead(u32),
    AppointmentsBooked,
    /// Booked by the assistant (the WhatsApp dialogue, the voice agent, an n8n flow, a
    /// waitlist offer the patient accepted) rather than by staff or an integration.
    AppointmentsBookedByAi,
    AppointmentsShowed,
    AppointmentsNoShow,
    AppointmentsCancelled,
    /// Service prices of the appointments booked, in minor units (centavos).
    RevenueBookedCents,
    /// Service prices of the appointments missed.
    RevenueNoShowCents,
    MessagesSent,
    MessagesDelivered,
    MessagesRead,
    MessagesFailed,
    MessagesReceived,
    /// Patients' messages with words, by their tone (`nlu::sentiment`).
    MessagesPositive,
    MessagesNeutral,
    MessagesNegative,
    /// Conversations whose patient's tone turned negative from a calmer message.
    ConversationsTurnedNegative,
    /// Outbound messages the assistant had sent (replies in a conversation), and those a
    /// person on the staff sent: AI vs staff handling.
    MessagesSentByAi,
    MessagesSentByStaff,
    /// Conversations the assistant handed to staff.
    HandoffsRequested,
    /// Staff replies to a patient waiting for a person, by how long the patient waited
    /// (the same buckets as speed to lead, [`super::speed`]).
    StaffResponse(u32),
    CallsEnded,
    /// Ended calls someone talked on (not no answer, busy, voicemail or failed).
    CallsAnswered,
    /// Seconds talked on answered calls, and how many of them reported a duration.
    CallSeconds,
    CallsTimed,
    /// The provider's cost of the ended calls (its currency, usually USD).
    CallCost,
}

impl Counter {
    pub const FIXED: [Counter; 27] = [
        Self::LeadsCreated,
        Self::LeadsContacted,
        Self::LeadsBooked,
        Self::AppointmentsBooked,
        Self::AppointmentsBookedByAi,
        Self::AppointmentsShowed,
        Self::AppointmentsNoShow,
        Self::AppointmentsCancelled,
        Self::RevenueBookedCents,
        Self::RevenueNoShowCents,
        Self::MessagesSent,
        Self::MessagesDelivered,
        Self::MessagesRead,
        Self::MessagesFailed,
        Self::MessagesReceived,
        Self::MessagesPositive,
        Self::MessagesNeutral,
        Self::MessagesNegative,
        Self::ConversationsTurnedNegative,
        Self::MessagesSentByAi,
        Self::MessagesSentByStaff,
        Self::HandoffsRequested,
        Self::CallsEnded,
        Self::CallsAnswered,
        Self::CallSeconds,
        Self::CallsTimed,
        Self::CallCost,
    ];

    pub fn name(self) -> String {
        match self {
            Self::SpeedToLead(bound) => format!("speed_to_lead_le_{bound}"),
            Self::StaffResponse(bound) => format!("staff_response_le_{bound}"),
            other => other.fixed_name().to_string(),
        }
    }

    fn fixed_name(self) -> &'static str {
        match self {
            Self::LeadsCreated => "leads_created",
            Self::LeadsContacted => "leads_contacted",
            Self::LeadsBooked => "leads_booked",
            Self::SpeedToLead(_) => "speed_to_lead",
            Self::StaffResponse(_) => "staff_response",
            Self::AppointmentsBooked => "appointments_booked",
            Self::AppointmentsBookedByAi => "appointments_booked_by_ai",
            Self::AppointmentsShowed => "appointments_showed",
            Self::AppointmentsNoShow => "appointments_no_show",
            Self::AppointmentsCancelled => "appointments_cancelled",
            Self::RevenueBookedCents => "revenue_booked_cents",
            Self::RevenueNoShowCents => "revenue_no_show_cents",
            Self::MessagesSent => "messages_sent",
            Self::MessagesDelivered => "messages_delivered",
            Self::MessagesRead => "messages_read",
            Self::MessagesFailed => "messages_failed",
            Self::MessagesReceived => "messages_received",
            Self::MessagesPositive => "messages_positive",
            Self::MessagesNeutral => "messages_neutral",
            Self::MessagesNegative => "messages_negative",
            Self::ConversationsTurnedNegative => "conversations_turned_negative",
            Self::MessagesSentByAi => "messages_sent_by_ai",
            Self::MessagesSentByStaff => "messages_sent_by_staff",
            Self::HandoffsRequested => "handoffs_requested",
            Self::CallsEnded => "calls_ended",
            Self::CallsAnswered => "calls_answered",
            Self::CallSeconds => "call_seconds",
            Self::CallsTimed => "calls_timed",
            Self::CallCost => "call_cost",
        }
    }

    pub fn parse(name: &str) -> Option<Counter> {
        if let Some(bound) = name.strip_prefix("speed_to_lead_le_") {
            return bound.parse().ok().map(Self::SpeedToLead);
        }
        if let Some(bound) = name.strip_prefix("staff_response_le_") {
            return bound.parse().ok().map(Self::StaffResponse);
        }
        Self::FIXED.into_iter().find(|c| c.fixed_name() == name)
    }
}

/// What the names of the histogram counters (speed to lead, staff response) begin with.
pub const HISTOGRAM_PREFIXES: [&str; 2] = ["speed_to_lead_le_", "staff_response_le_"];

/// The stored name of `counter`, split or not.
pub fn stored_name(counter: Counter, split: Option<&Split>) -> String {
    match split {
        None => counter.name(),
        Some(s) => format!("{}@{}={}", counter.name(), s.dimension.as_str(), s.key),
    }
}

/// Reads a stored name back: the counter and its split, if it has one.
pub fn parse_stored_name(name: &str) -> Option<(Counter, Option<Split>)> {
    match name.split_once('@') {
        None => Counter::parse(name).map(|c| (c, None)),
        Some((counter, split)) => {
            let (dimension, key) = split.split_once('=')?;
            let split = Split { dimension: Dimension::parse(dimension)?, key: key.to_owned() };
            Counter::parse(counter).map(|c| (c, Some(split)))
        }
    }
}

/// One counter moved on one day, in total or (with `split`) for one value of a dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Increment {
    pub day: Date,
    pub counter: Counter,
    pub value: f64,
    pub split: Option<Split>,
}

impl Increment {
    /// The name the rollups store it under.
    pub fn stored_name(&self) -> String {
        stored_name(self.counter, self.split.as_ref())
    }
}

/// Service prices in minor units, by service id (the catalog as the roll-up finds it).
pub type Prices = HashMap<Uuid, i64>;

/// Who made a booking, from the actor recorded with it: `ai`, `staff`, `api`, `online`
/// (the patient, on the clinic's booking page) or `system`.
pub fn booked_by(actor: &str) -> &'static str {
    if actor == "online" {
        return "online";
    }
    let automated = ["voice:", "dialogue", "waitlist", "n8n"];
    if automated.iter().any(|p| actor.starts_with(p)) {
        "ai"
    } else if actor.starts_with("user:") {
        "staff"
    } else if actor.starts_with("api_key:") {
        "api"
    } else {
        "system"
    }
}

fn text<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn price(p: &Value, prices: &Prices) -> Option<f64> {
    let service: Uuid = text(p, "service_id")?.parse().ok()?;
    prices.get(&service).map(|cents| *cents as f64)
}

/// What `fact` adds to its day's counters. Lead figures count on the day the lead arrived
/// (its `lead_created_at`), so "of the leads of March, how many were reached, how fast,
/// how many booked" reads from March's days; a message's delivery and reading count on the
/// day it was sent (`sent_at`), so its rates compare like with like; everything else on
/// the day it happened.
pub fn increments(fact: &Fact, tz: &TimeZone, prices: &Prices) -> Vec<Increment> {
    let p = &fact.payload;
    let lead_day = text(p, "lead_created_at").and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let sent_day = text(p, "sent_at").and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let at = match fact.kind {
        FactKind::LeadContacted | FactKind::LeadStageChanged => lead_day.unwrap_or(fact.at),
        FactKind::MessageStatusChanged => sent_day.unwrap_or(fact.at),
        _ => fact.at,
    };
    let day = at.to_zoned(tz.clone()).date();
    let one = |counter| (counter, 1.0);
    let moved: Vec<(Counter, f64)> = match fact.kind {
        FactKind::LeadCreated => vec![one(Counter::LeadsCreated)],
        FactKind::LeadContacted => {
            let seconds = p.get("seconds").and_then(Value::as_i64).unwrap_or(0);
            vec![one(Counter::LeadsContacted), one(Counter::SpeedToLead(super::speed::bucket(seconds)))]
        }
        // A lead converts once: a re-booking after a miss or a visit is not a new conversion.
        FactKind::LeadStageChanged if p.get("first_booking").and_then(Value::as_bool) == Some(true) => {
            vec![one(Counter::LeadsBooked)]
        }
        FactKind::AppointmentBooked => {
            let mut v = vec![one(Counter::AppointmentsBooked)];
            if text(p, "by") == Some("ai") {
                v.push(one(Counter::AppointmentsBookedByAi));
            }
            v.extend(price(p, prices).map(|c| (Counter::RevenueBookedCents, c)));
            v
        }
        FactKind::AppointmentShowed => vec![one(Counter::AppointmentsShowed)],
        FactKind::AppointmentNoShow => {
            let mut v = vec![one(Counter::AppointmentsNoShow)];
            v.extend(price(p, prices).map(|c| (Counter::RevenueNoShowCents, c)));
            v
        }
        FactKind::AppointmentCancelled => vec![one(Counter::AppointmentsCancelled)],
        FactKind::MessageSent => {
            let mut v = vec![one(Counter::MessagesSent)];
            match text(p, "by") {
                Some("ai") => v.push(one(Counter::MessagesSentByAi)),
                Some("staff") => v.push(one(Counter::MessagesSentByStaff)),
                _ => {}
            }
            if let Some(waited) = p.get("staff_response_seconds").and_then(Value::as_i64) {
                v.push(one(Counter::StaffResponse(super::speed::bucket(waited))));
            }
            v
        }
        FactKind::HandoffRequested => vec![one(Counter::HandoffsRequested)],
        FactKind::MessageReceived => {
            let mut v = vec![one(Counter::MessagesReceived)];
            // The tone of a message with words (recorded since sentiment was read).
            match text(p, "sentiment") {
                Some("positive") => v.push(one(Counter::MessagesPositive)),
                Some("neutral") => v.push(one(Counter::MessagesNeutral)),
                Some("negative") => v.push(one(Counter::MessagesNegative)),
                _ => {}
            }
            if p.get("turned_negative").and_then(Value::as_bool) == Some(true) {
                v.push(one(Counter::ConversationsTurnedNegative));
            }
            v
        }
        FactKind::MessageStatusChanged => match text(p, "status") {
            Some("delivered") => vec![one(Counter::MessagesDelivered)],
            Some("read") => vec![one(Counter::MessagesRead)],
            Some("failed" | "undelivered") => vec![one(Counter::MessagesFailed)],
            _ => vec![],
        },
        FactKind::CallEnded => {
            let outcome = text(p, "outcome").unwrap_or("failed");
            let answered = !matches!(outcome, "no_answer" | "busy" | "voicemail" | "failed");
            let mut v = vec![one(Counter::CallsEnded)];
            if answered {
                v.push(one(Counter::CallsAnswered));
                if let Some(s) = p.get("duration_seconds").and_then(Value::as_f64) {
                    v.push((Counter::CallSeconds, s));
                    v.push(one(Counter::CallsTimed));
                }
            }
            v.extend(p.get("cost").and_then(Value::as_f64).map(|c| (Counter::CallCost, c)));
            v
        }
        _ => vec![],
    };
    let splits = splits(fact, tz);
    let mut out = Vec::with_capacity(moved.len() * (1 + splits.len()));
    for (counter, value) in moved {
        out.push(Increment { day, counter, value, split: None });
        // Speed buckets are a histogram already; splitting them is not asked for.
        if !matches!(counter, Counter::SpeedToLead(_)) {
            out.extend(splits.iter().map(|s| Increment { day, counter, value, split: Some(s.clone()) }));
        }
    }
    out
}

/// The dimensions a fact's counters are also filed under, from its payload: an
/// appointment's practitioner, service, unit, local weekday and hour, lead time and (when it
/// ended) whether it had been confirmed; a message's channel; a lead's source; a call's
/// outcome.
fn splits(fact: &Fact, tz: &TimeZone) -> Vec<Split> {
    let p = &fact.payload;
    let split = |dimension, key: &str| Split { dimension, key: key.to_owned() };
    let mut out = Vec::new();
    match fact.kind {
        FactKind::AppointmentBooked
        | FactKind::AppointmentShowed
        | FactKind::AppointmentNoShow
        | FactKind::AppointmentCancelled => {
            for (dimension, field) in [
                (Dimension::Practitioner, "practitioner_id"),
                (Dimension::Service, "service_id"),
                (Dimension::Unit, "location_id"),
            ] {
                out.extend(text(p, field).map(|id| split(dimension, id)));
            }
            let start = text(p, "start").and_then(|t| t.parse::<jiff::Timestamp>().ok());
            if let Some(start) = start.map(|s| s.to_zoned(tz.clone())) {
                out.push(split(Dimension::Weekday, weekday_key(start.weekday())));
                out.push(split(Dimension::Hour, &format!("{:02}", start.hour())));
                let booked = text(p, "booked_at").and_then(|t| t.parse::<jiff::Timestamp>().ok());
                if let Some(booked) = booked {
                    let days = booked
                        .to_zoned(tz.clone())
                        .date()
                        .until(start.date())
                        .map_or(0, |s| i64::from(s.get_days()));
                    out.push(split(Dimension::LeadTime, lead_time_bucket(days)));
                }
            }
            // Shows and no-shows say whether the appointment had been confirmed (facts
            // recorded before that was kept have no such split).
            // A booking made after a campaign's message (the campaign's id, from the moment
            // it is booked; later facts of the appointment do not carry it).
            if fact.kind == FactKind::AppointmentBooked {
                out.extend(text(p, "campaign_id").map(|c| split(Dimension::Campaign, c)));
            }
            if let Some(confirmed) = p.get("confirmed").and_then(Value::as_bool) {
                let key = if confirmed { "confirmed" } else { "not_confirmed" };
                out.push(split(Dimension::Confirmation, key));
            }
        }
        FactKind::CallEnded => {
            out.extend(text(p, "outcome").map(|o| split(Dimension::Outcome, o)));
        }
        FactKind::MessageSent | FactKind::MessageReceived | FactKind::MessageStatusChanged => {
            out.extend(text(p, "channel").map(|c| split(Dimension::Channel, c)));
            // Who had it sent (`ai`, `automation`, `staff`; outbound messages filed since
            // that was recorded).
            if fact.kind == FactKind::MessageSent {
                out.extend(text(p, "by").map(|b| split(Dimension::Sender, b)));
                // A step of a campaign.
                out.extend(text(p, "campaign_id").map(|c| split(Dimension::Campaign, c)));
            }
        }
        FactKind::LeadCreated | FactKind::LeadContacted | FactKind::LeadStageChanged => {
            out.extend(text(p, "source").filter(|s| !s.is_empty()).map(|s| split(Dimension::Source, s)));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TenantId;
    use jiff::civil::date;
    use serde_json::json;

    #[test]
    fn stored_names_round_trip_and_plain_counters_never_see_splits() {
        let split = Split { dimension: Dimension::Practitioner, key: "0192f0c4".into() };
        let name = stored_name(Counter::AppointmentsNoShow, Some(&split));
        assert_eq!(name, "appointments_no_show@practitioner=0192f0c4");
        assert_eq!(parse_stored_name(&name), Some((Counter::AppointmentsNoShow, Some(split))));
        assert_eq!(Counter::parse(&name), None, "totals skip split rows");
        assert_eq!(parse_stored_name("messages_sent"), Some((Counter::MessagesSent, None)));
        for junk in ["nope", "messages_sent@", "messages_sent@colour=red", "x@channel=sms"] {
            assert_eq!(parse_stored_name(junk), None, "{junk}");
        }
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
        }
    }

    /// The plain (unsplit) increments of `f`, in UTC days.
    fn totals_of(f: &Fact, prices: &Prices) -> Vec<Increment> {
        increments(f, &TimeZone::UTC, prices).into_iter().filter(|i| i.split.is_none()).collect()
    }

    #[test]
    fn an_appointment_is_also_counted_by_who_what_where_when_and_how_far_ahead() {
        let sp = TimeZone::get("America/Sao_Paulo").unwrap();
        let booked = fact(
            FactKind::AppointmentNoShow,
            json!({"practitioner_id": "p1", "service_id": "s1", "location_id": "l1",
                // Wednesday 3 June 10:00 in São Paulo, booked on Monday 1 June at 21:30 there.
                "start": "2026-06-03T13:00:00Z", "booked_at": "2026-06-02T00:30:00Z"}),
            "2026-06-03T14:00:00Z",
        );
        let splits: Vec<(String, f64)> = increments(&booked, &sp, &Prices::new())
            .into_iter()
            .filter(|i| i.split.is_some())
            .map(|i| (i.stored_name(), i.value))
            .collect();
        let names: Vec<&str> = splits.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "appointments_no_show@practitioner=p1",
                "appointments_no_show@service=s1",
                "appointments_no_show@unit=l1",
                "appointments_no_show@weekday=wednesday",
                "appointments_no_show@hour=10",
                "appointments_no_show@lead_time=2_7_days",
            ]
        );
        let message = fact(FactKind::MessageSent, json!({"channel": "whatsapp"}), "2026-06-03T14:00:00Z");
        let names: Vec<String> =
            increments(&message, &sp, &Prices::new()).iter().map(Increment::stored_name).collect();
        assert_eq!(names, ["messages_sent", "messages_sent@channel=whatsapp"]);
        let lead = fact(
            FactKind::LeadContacted,
            json!({"seconds": 5, "source": "paid_ads"}),
            "2026-06-03T14:00:00Z",
        );
        let names: Vec<String> =
            increments(&lead, &sp, &Prices::new()).iter().map(Increment::stored_name).collect();
        assert_eq!(
            names,
            ["leads_contacted", "leads_contacted@source=paid_ads", "speed_to_lead_le_5"],
            "the speed histogram is not split"
        );
    }

    fn fact(kind: FactKind, payload: Value, at: &str) -> Fact {
        Fact::new(TenantId::new(), kind, "x:1", payload, at.parse().unwrap())
    }

    #[test]
    fn a_fact_counts_on_its_local_day() {
        let sp = TimeZone::get("America/Sao_Paulo").unwrap();
        // 01:30 UTC on the 2nd is 22:30 on the 1st in São Paulo.
        let f = fact(FactKind::LeadCreated, json!({}), "2026-06-02T01:30:00Z");
        assert_eq!(
            increments(&f, &sp, &Prices::new()),
            vec![Increment {
                day: date(2026, 6, 1),
                counter: Counter::LeadsCreated,
                value: 1.0,
                split: None
            }]
        );
    }

    #[test]
    fn lead_figures_count_on_the_day_the_lead_arrived_and_once() {
        let contacted = fact(
            FactKind::LeadContacted,
            json!({"seconds": 7200, "lead_created_at": "2026-05-31T23:00:00Z"}),
            "2026-06-01T01:00:00Z",
        );
        let days: Vec<(Date, Counter)> = increments(&contacted, &TimeZone::UTC, &Prices::new())
            .into_iter()
            .map(|i| (i.day, i.counter))
            .collect();
        assert_eq!(
            days,
            vec![
                (date(2026, 5, 31), Counter::LeadsContacted),
                (date(2026, 5, 31), Counter::SpeedToLead(7_200))
            ]
        );
        let rebooked = fact(
            FactKind::LeadStageChanged,
            json!({"to": "booked", "from": "no_show", "first_booking": false}),
            "2026-06-01T01:00:00Z",
        );
        assert!(increments(&rebooked, &TimeZone::UTC, &Prices::new()).is_empty());
    }

    #[test]
    fn bookings_count_price_and_who_booked() {
        let service = Uuid::now_v7();
        let prices = Prices::from([(service, 15_000)]);
        let f = fact(
            FactKind::AppointmentBooked,
            json!({"service_id": service, "by": "ai"}),
            "2026-06-02T12:00:00Z",
        );
        let got: Vec<(Counter, f64)> =
            totals_of(&f, &prices).into_iter().map(|i| (i.counter, i.value)).collect();
        assert_eq!(
            got,
            vec![
                (Counter::AppointmentsBooked, 1.0),
                (Counter::AppointmentsBookedByAi, 1.0),
                (Counter::RevenueBookedCents, 15_000.0)
            ]
        );
    }

    #[test]
    fn a_campaign_step_and_a_booking_after_one_are_filed_under_the_campaign() {
        let service = Uuid::now_v7();
        let prices = Prices::from([(service, 15_000)]);
        let campaign_names = |f: &Fact| -> Vec<String> {
            increments(f, &TimeZone::UTC, &prices)
                .into_iter()
                .filter(|i| i.split.as_ref().is_some_and(|s| s.dimension == Dimension::Campaign))
                .map(|i| i.stored_name())
                .collect()
        };
        let step = fact(
            FactKind::MessageSent,
            json!({"channel": "whatsapp", "by": "automation", "campaign_id": "c1"}),
            "2026-06-02T12:00:00Z",
        );
        assert_eq!(campaign_names(&step), ["messages_sent@campaign=c1"]);
        let booked = fact(
            FactKind::AppointmentBooked,
            json!({"service_id": service, "by": "ai", "campaign_id": "c1"}),
            "2026-06-02T12:00:00Z",
        );
        assert_eq!(
            campaign_names(&booked),
            [
                "appointments_booked@campaign=c1",
                "appointments_booked_by_ai@campaign=c1",
                "revenue_booked_cents@campaign=c1"
            ]
        );
        // The appointment's later facts do not say which campaign: its show is not split.
        let showed = fact(FactKind::AppointmentShowed, json!({"campaign_id": "c1"}), "2026-06-03T12:00:00Z");
        assert!(campaign_names(&showed).is_empty());
        let plain = fact(FactKind::MessageSent, json!({"channel": "whatsapp"}), "2026-06-02T12:00:00Z");
        assert!(campaign_names(&plain).is_empty());
    }

    #[test]
    fn a_patients_message_counts_by_its_tone_and_a_turn_to_negative() {
        let names = |payload| -> Vec<Counter> {
            let f = fact(FactKind::MessageReceived, payload, "2026-06-02T12:00:00Z");
            totals_of(&f, &Prices::new()).into_iter().map(|i| i.counter).collect()
        };
        assert_eq!(names(json!({})), [Counter::MessagesReceived], "a photo, or before tones were read");
        assert_eq!(
            names(json!({"sentiment": "positive"})),
            [Counter::MessagesReceived, Counter::MessagesPositive]
        );
        assert_eq!(
            names(json!({"sentiment": "negative", "turned_negative": true})),
            [Counter::MessagesReceived, Counter::MessagesNegative, Counter::ConversationsTurnedNegative]
        );
    }

    #[test]
    fn calls_count_answered_talk_time_and_cost() {
        let answered = fact(
            FactKind::CallEnded,
            json!({"outcome": "booked", "duration_seconds": 95.5, "cost": 0.31}),
            "2026-06-02T12:00:00Z",
        );
        let missed = fact(
            FactKind::CallEnded,
            json!({"outcome": "no_answer", "duration_seconds": 30.0}),
            "2026-06-02T12:00:00Z",
        );
        let names = |f: &Fact| -> Vec<Counter> {
            totals_of(f, &Prices::new()).into_iter().map(|i| i.counter).collect()
        };
        assert_eq!(
            names(&answered),
            vec![
                Counter::CallsEnded,
                Counter::CallsAnswered,
                Counter::CallSeconds,
                Counter::CallsTimed,
                Counter::CallCost
            ]
        );
        assert_eq!(names(&missed), vec![Counter::CallsEnded]);
    }

    #[test]
    fn counter_names_round_trip() {
        for c in Counter::FIXED.into_iter().chain([Counter::SpeedToLead(65)]) {
            assert_eq!(Counter::parse(&c.name()), Some(c));
        }
        assert_eq!(Counter::parse("nonsense"), None);
        assert_eq!(booked_by("voice:vapi"), "ai");
        assert_eq!(booked_by("user:123"), "staff");
        assert_eq!(booked_by("api_key:fd_1"), "api");
        assert_eq!(booked_by("online"), "online");
    }
}
