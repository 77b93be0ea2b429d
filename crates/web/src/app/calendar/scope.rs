//! What the calendar shows: a day or a week around a date, for everyone or one
//! practitioner, in every unit or one. Parsed leniently from the address (a bad value
//! falls back to the default rather than failing the page) and written back into links and
//! forms so every action returns to the same view.

use frontdesk_domain::{LocationId, PractitionerId};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Day,
    Week,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            View::Day => "day",
            View::Week => "week",
        }
    }
}

/// The query string of `/app/calendar` (and the hidden fields of its forms).
#[derive(Debug, Default, Deserialize)]
pub struct ScopeQuery {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub view: String,
    #[serde(default)]
    pub practitioner: String,
    #[serde(default)]
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub date: Date,
    pub view: View,
    pub practitioner: Option<PractitionerId>,
    pub unit: Option<LocationId>,
}

impl Scope {
    pub fn parse(q: &ScopeQuery, today: Date) -> Self {
        let id = |s: &str| s.parse::<Uuid>().ok();
        Scope {
            date: q.date.parse().unwrap_or(today),
            view: if q.view == "week" { View::Week } else { View::Day },
            practitioner: id(&q.practitioner).map(PractitionerId),
            unit: id(&q.unit).map(LocationId),
        }
    }

    /// The days shown: the date, or Monday to Sunday of its week.
    pub fn days(&self) -> Vec<Date> {
        match self.view {
            View::Day => vec![self.date],
            View::Week => {
                let back = i64::from(self.date.weekday().to_monday_zero_offset());
                let first = self.date.checked_sub(back.days()).unwrap_or(self.date);
                (0..7_i64).filter_map(|d| first.checked_add(d.days()).ok()).collect()
            }
        }
    }

    /// The same view moved by one step (a day or a week) backwards or forwards.
    pub fn step(&self, forward: bool) -> Self {
        let days: i64 = match self.view {
            View::Day => 1,
            View::Week => 7,
        };
        let span = (if forward { days } else { -days }).days();
        Scope { date: self.date.checked_add(span).unwrap_or(self.date), ..*self }
    }

    pub fn with_view(&self, view: View) -> Self {
        Scope { view, ..*self }
    }

    /// `/app/calendar?...` for this scope.
    pub fn href(&self) -> String {
        let mut href = format!("/app/calendar?date={}&view={}", self.date, self.view.as_str());
        if let Some(p) = self.practitioner {
            href.push_str(&format!("&practitioner={p}"));
        }
        if let Some(u) = self.unit {
            href.push_str(&format!("&unit={u}"));
        }
        href
    }

    pub fn practitioner_value(&self) -> String {
        self.practitioner.map(|p| p.to_string()).unwrap_or_default()
    }

    pub fn unit_value(&self) -> String {
        self.unit.map(|u| u.to_string()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn scope(q: ScopeQuery) -> Scope {
        Scope::parse(&q, date(2026, 6, 3))
    }

    #[test]
    fn a_week_runs_monday_to_sunday_around_the_date() {
        let s = scope(ScopeQuery { date: "2026-06-03".into(), view: "week".into(), ..Default::default() });
        let days = s.days();
        assert_eq!(days.first(), Some(&date(2026, 6, 1)));
        assert_eq!(days.last(), Some(&date(2026, 6, 7)));
        assert_eq!(days.len(), 7);
        // A Sunday belongs to the week that started six days before.
        let sunday =
            scope(ScopeQuery { date: "2026-06-07".into(), view: "week".into(), ..Default::default() });
        assert_eq!(sunday.days()[0], date(2026, 6, 1));
    }

    #[test]
    fn bad_values_fall_back_to_today_a_day_and_everyone() {
        let s = scope(ScopeQuery {
            date: "31/02".into(),
            view: "month".into(),
            practitioner: "x".into(),
            unit: "<script>".into(),
        });
        assert_eq!(s, Scope { date: date(2026, 6, 3), view: View::Day, practitioner: None, unit: None });
        assert_eq!(s.href(), "/app/calendar?date=2026-06-03&view=day");
    }

    #[test]
    fn stepping_keeps_the_filters_and_moves_by_the_view() {
        let p = Uuid::nil();
        let s = scope(ScopeQuery {
            date: "2026-06-03".into(),
            view: "week".into(),
            practitioner: p.to_string(),
            ..Default::default()
        });
        assert_eq!(s.step(true).date, date(2026, 6, 10));
        assert_eq!(s.with_view(View::Day).step(false).date, date(2026, 6, 2));
        assert!(s.step(true).href().contains(&format!("practitioner={p}")));
    }
}
