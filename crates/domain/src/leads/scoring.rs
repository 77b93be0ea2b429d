//! Lead scoring: points for the source, a high-value service, a fresh form, stated booking
//! intent and stated urgency, summed and cut into hot / warm / cold by the tenant's
//! thresholds (settings `leads.scoring`). Every rule that applied leaves a short reason.

use super::lead::{LeadSource, Temperature};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Points per source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourcePoints {
    pub paid_ads: i32,
    pub organic: i32,
    pub social: i32,
    pub referral: i32,
    pub whatsapp: i32,
    pub phone: i32,
    pub crm: i32,
    pub import: i32,
}

impl Default for SourcePoints {
    fn default() -> Self {
        Self {
            paid_ads: 30,
            organic: 10,
            social: 15,
            referral: 25,
            whatsapp: 20,
            phone: 20,
            crm: 15,
            import: 0,
        }
    }
}

impl SourcePoints {
    pub fn points(&self, source: LeadSource) -> i32 {
        match source {
            LeadSource::PaidAds => self.paid_ads,
            LeadSource::Organic => self.organic,
            LeadSource::Social => self.social,
            LeadSource::Referral => self.referral,
            LeadSource::Whatsapp => self.whatsapp,
            LeadSource::Phone => self.phone,
            LeadSource::Crm => self.crm,
            LeadSource::Import => self.import,
        }
    }

    pub(crate) fn all(&self) -> [i32; 8] {
        [
            self.paid_ads,
            self.organic,
            self.social,
            self.referral,
            self.whatsapp,
            self.phone,
            self.crm,
            self.import,
        ]
    }
}

/// The tenant's scoring rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeadScoring {
    pub source_points: SourcePoints,
    /// Service names worth `high_value_points` when the lead's service interest is one of
    /// them (trimmed, case-insensitive).
    pub high_value_services: Vec<String>,
    /// A service at or above this price (minor units) is worth `high_value_points` too.
    /// The high-value bonus is given once, whether the name, the price or both match.
    pub high_value_price_cents: Option<i64>,
    pub high_value_points: i32,
    /// A form submitted at most this many minutes ago is fresh.
    pub recent_minutes: u32,
    pub recent_points: i32,
    /// The patient said they want to book.
    pub booking_intent_points: i32,
    /// The patient said it is urgent (pain, a deadline).
    pub urgency_points: i32,
    /// A score at or above this is hot.
    pub hot_threshold: i32,
    /// A score at or above this (and below `hot_threshold`) is warm; below it, cold.
    pub warm_threshold: i32,
}

impl Default for LeadScoring {
    fn default() -> Self {
        Self {
            source_points: SourcePoints::default(),
            high_value_services: Vec::new(),
            high_value_price_cents: None,
            high_value_points: 20,
            recent_minutes: 30,
            recent_points: 15,
            booking_intent_points: 25,
            urgency_points: 25,
            hot_threshold: 60,
            warm_threshold: 30,
        }
    }
}

impl LeadScoring {
    pub fn temperature(&self, score: i32) -> Temperature {
        if score >= self.hot_threshold {
            Temperature::Hot
        } else if score >= self.warm_threshold {
            Temperature::Warm
        } else {
            Temperature::Cold
        }
    }
}

/// What scoring looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreInput<'a> {
    pub source: LeadSource,
    pub service_interest: Option<&'a str>,
    /// The price of the service of interest, when it is a known service with a price.
    pub service_price_cents: Option<i64>,
    /// When the patient submitted the form; `None` when the lead did not come from a form.
    pub submitted_at: Option<Timestamp>,
    pub now: Timestamp,
    pub booking_intent: bool,
    pub urgent: bool,
}

/// The score, its temperature and the reasons, in the order the rules are listed above.
/// Rules worth zero points leave no reason.
pub fn score(input: &ScoreInput<'_>, rules: &LeadScoring) -> (i32, Temperature, Vec<String>) {
    let mut total = 0i32;
    let mut reasons = Vec::new();
    let mut add = |points: i32, why: &str| {
        if points != 0 {
            total = total.saturating_add(points);
            reasons.push(format!("{why} {points:+}"));
        }
    };

    let source = input.source.as_str().replace('_', " ");
    add(rules.source_points.points(input.source), &source);

    let wanted = input.service_interest.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let by_name = wanted
        .as_deref()
        .is_some_and(|w| rules.high_value_services.iter().any(|s| s.trim().to_lowercase() == w));
    let by_price = matches!(
        (input.service_price_cents, rules.high_value_price_cents),
        (Some(price), Some(min)) if price >= min
    );
    if by_name {
        add(rules.high_value_points, "high-value service");
    } else if by_price {
        add(rules.high_value_points, "high-value service price");
    }

    // A form stamped slightly ahead of this clock (skew) counts as fresh.
    if let Some(submitted) = input.submitted_at
        && input.now.duration_since(submitted) <= SignedDuration::from_mins(i64::from(rules.recent_minutes))
    {
        add(rules.recent_points, &format!("form submitted within {} min", rules.recent_minutes));
    }
    if input.booking_intent {
        add(rules.booking_intent_points, "stated booking intent");
    }
    if input.urgent {
        add(rules.urgency_points, "stated urgency");
    }
    (total, rules.temperature(total), reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn input(source: LeadSource) -> ScoreInput<'static> {
        ScoreInput {
            source,
            service_interest: None,
            service_price_cents: None,
            submitted_at: None,
            now: now(),
            booking_intent: false,
            urgent: false,
        }
    }

    #[test]
    fn source_points_by_default() {
        let rules = LeadScoring::default();
        let want = [
            (LeadSource::PaidAds, 30, Some("paid ads +30")),
            (LeadSource::Referral, 25, Some("referral +25")),
            (LeadSource::Whatsapp, 20, Some("whatsapp +20")),
            (LeadSource::Phone, 20, Some("phone +20")),
            (LeadSource::Crm, 15, Some("crm +15")),
            (LeadSource::Social, 15, Some("social +15")),
            (LeadSource::Organic, 10, Some("organic +10")),
            (LeadSource::Import, 0, None),
        ];
        for (source, points, reason) in want {
            let (s, _, reasons) = score(&input(source), &rules);
            assert_eq!(s, points, "{source}");
            assert_eq!(reasons, reason.into_iter().map(String::from).collect::<Vec<_>>());
        }
    }

    #[test]
    fn high_value_service_by_name_case_insensitive() {
        let rules =
            LeadScoring { high_value_services: vec!["Implante Dentário".into()], ..Default::default() };
        let mut i = input(LeadSource::Import);
        i.service_interest = Some("  implante dentário ");
        assert_eq!(score(&i, &rules), (20, Temperature::Cold, vec!["high-value service +20".into()]));
        i.service_interest = Some("limpeza");
        assert_eq!(score(&i, &rules).0, 0);
        i.service_interest = Some("");
        assert_eq!(score(&i, &rules).0, 0);
    }

    #[test]
    fn high_value_by_price_and_only_once() {
        let rules = LeadScoring {
            high_value_services: vec!["implante".into()],
            high_value_price_cents: Some(100_000),
            ..Default::default()
        };
        let mut i = input(LeadSource::Import);
        i.service_price_cents = Some(100_000);
        assert_eq!(score(&i, &rules).2, vec!["high-value service price +20".to_string()]);
        i.service_price_cents = Some(99_999);
        assert_eq!(score(&i, &rules).0, 0);
        // Name and price both match: one bonus.
        i.service_interest = Some("Implante");
        i.service_price_cents = Some(500_000);
        assert_eq!(score(&i, &rules).0, 20);
        // No threshold set: a price alone is worth nothing.
        let no_price = LeadScoring::default();
        i.service_interest = None;
        assert_eq!(score(&i, &no_price).0, 0);
    }

    #[test]
    fn recent_form_within_the_window() {
        let rules = LeadScoring::default();
        let mut i = input(LeadSource::Import);
        i.submitted_at = Some(now() - SignedDuration::from_mins(30));
        assert_eq!(
            score(&i, &rules),
            (15, Temperature::Cold, vec!["form submitted within 30 min +15".into()])
        );
        i.submitted_at = Some(now() - SignedDuration::from_mins(31));
        assert_eq!(score(&i, &rules).0, 0);
        i.submitted_at = Some(now() + SignedDuration::from_secs(5));
        assert_eq!(score(&i, &rules).0, 15, "clock skew counts as fresh");
    }

    #[test]
    fn intent_and_urgency() {
        let rules = LeadScoring::default();
        let mut i = input(LeadSource::Import);
        i.booking_intent = true;
        assert_eq!(score(&i, &rules), (25, Temperature::Cold, vec!["stated booking intent +25".into()]));
        i.urgent = true;
        assert_eq!(
            score(&i, &rules),
            (50, Temperature::Warm, vec!["stated booking intent +25".into(), "stated urgency +25".into()])
        );
    }

    #[test]
    fn thresholds_cut_temperatures() {
        let rules = LeadScoring::default();
        assert_eq!(rules.temperature(29), Temperature::Cold);
        assert_eq!(rules.temperature(30), Temperature::Warm);
        assert_eq!(rules.temperature(59), Temperature::Warm);
        assert_eq!(rules.temperature(60), Temperature::Hot);
        assert_eq!(rules.temperature(-5), Temperature::Cold);
        // Paid ads, fresh, wants to book: 30 + 15 + 25 = 70, hot.
        let mut i = input(LeadSource::PaidAds);
        i.submitted_at = Some(now());
        i.booking_intent = true;
        let (s, temp, reasons) = score(&i, &rules);
        assert_eq!((s, temp, reasons.len()), (70, Temperature::Hot, 3));
        // Organic alone: cold; a fresh referral (25 + 15): warm.
        assert_eq!(score(&input(LeadSource::Organic), &rules).1, Temperature::Cold);
        let mut o = input(LeadSource::Referral);
        o.submitted_at = Some(now());
        assert_eq!(
            score(&o, &rules),
            (40, Temperature::Warm, vec!["referral +25".into(), "form submitted within 30 min +15".into()])
        );
    }

    #[test]
    fn tenant_rules_change_points_and_negative_points_read_as_such() {
        let rules = LeadScoring {
            source_points: SourcePoints { import: -10, ..Default::default() },
            hot_threshold: 20,
            warm_threshold: 10,
            urgency_points: 30,
            ..Default::default()
        };
        let mut i = input(LeadSource::Import);
        assert_eq!(score(&i, &rules), (-10, Temperature::Cold, vec!["import -10".into()]));
        i.urgent = true;
        assert_eq!(
            score(&i, &rules),
            (20, Temperature::Hot, vec!["import -10".into(), "stated urgency +30".into()])
        );
    }

    #[test]
    fn settings_document_defaults_and_rejects_typos() {
        let parsed: LeadScoring = serde_json::from_str(r#"{"source_points": {"paid_ads": 40}}"#).unwrap();
        assert_eq!(parsed.source_points.paid_ads, 40);
        assert_eq!(parsed.source_points.referral, 25);
        assert_eq!(parsed.hot_threshold, 60);
        assert!(serde_json::from_str::<LeadScoring>(r#"{"source_points": {"paid_ad": 40}}"#).is_err());
        assert!(serde_json::from_str::<LeadScoring>(r#"{"hot": 1}"#).is_err());
    }
}
