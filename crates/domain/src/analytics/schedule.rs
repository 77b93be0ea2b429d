//! Scheduled reports: which reports a clinic gets every week and every month, which period
//! each one covers and when it is due. Pure: the engine's job files a `report_ready` fact
//! per report when it is due (delivered to the clinic's signed webhooks) and lists the recent
//! ones for download.
//!
//! A week is Monday to Sunday and a month a calendar month, both in the clinic's time zone;
//! a report covers the last complete one and is due at 07:00 local the day after it ends
//! (Monday, or the 1st), when the night's late facts (a delivery receipt, an automatic
//! no-show) are in and before the clinic opens.

use jiff::ToSpan;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

/// How often a report is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Monthly,
}

impl Cadence {
    pub const ALL: [Cadence; 2] = [Cadence::Weekly, Cadence::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The first day of the week or month `day` is in.
    pub fn start_of(self, day: Date) -> Date {
        match self {
            Self::Weekly => {
                day.checked_sub(i64::from(day.weekday().to_monday_zero_offset()).days()).unwrap_or(day)
            }
            Self::Monthly => day.first_of_month(),
        }
    }

    /// The last complete week or month before `today`: `(first day, last day)`.
    pub fn last_complete(self, today: Date) -> Option<(Date, Date)> {
        let current = self.start_of(today);
        let to = current.yesterday().ok()?;
        Some((self.start_of(to), to))
    }

    /// The `n` complete periods before `today`, the most recent first.
    pub fn recent(self, today: Date, n: usize) -> Vec<(Date, Date)> {
        let mut out = Vec::with_capacity(n);
        let mut day = today;
        while out.len() < n {
            let Some(period) = self.last_complete(day) else { break };
            out.push(period);
            day = period.0;
        }
        out
    }

    /// When the report of the period that ends before `now` (local) is next due: 07:00 on
    /// the first day of a week or month, the first such moment after `now`.
    pub fn next_due(self, now: DateTime) -> Option<DateTime> {
        let today = now.date();
        let this = self.start_of(today).at(DUE_HOUR, 0, 0, 0);
        if this > now {
            return Some(this);
        }
        let next = match self {
            Self::Weekly => self.start_of(today).checked_add(7.days()).ok()?,
            Self::Monthly => today.first_of_month().checked_add(1.month()).ok()?,
        };
        Some(next.at(DUE_HOUR, 0, 0, 0))
    }
}

/// The local hour a scheduled report is made.
pub const DUE_HOUR: i8 = 7;

/// A report (`GET /api/v1/reports/{kind}`): what the API, the staff app, the CLI and the
/// schedules name. Its columns and titles are the engine's (`reports::ReportLayout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Overview,
    Leads,
    Appointments,
    NoShows,
    Calls,
    Messages,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] =
        [Self::Overview, Self::Leads, Self::Appointments, Self::NoShows, Self::Calls, Self::Messages];

    pub fn parse(s: &str) -> Option<ReportKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Leads => "leads",
            Self::Appointments => "appointments",
            Self::NoShows => "no_shows",
            Self::Calls => "calls",
            Self::Messages => "messages",
        }
    }
}

/// A report file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Xlsx,
    Pdf,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }
}

/// One report a clinic gets on a cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledReport {
    pub cadence: Cadence,
    pub report: ReportKind,
    pub format: FileFormat,
}

/// `reports` in the clinic's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportSettings {
    /// Made on their cadence, offered for download and sent to the webhooks subscribed to
    /// `report.ready`. By default the overview as a PDF every week and as a spreadsheet
    /// every month; an empty list turns scheduled reports off.
    pub scheduled: Vec<ScheduledReport>,
}

/// More would be a data export, not a report a manager reads.
pub const MAX_SCHEDULED: usize = 12;

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            scheduled: vec![
                ScheduledReport {
                    cadence: Cadence::Weekly,
                    report: ReportKind::Overview,
                    format: FileFormat::Pdf,
                },
                ScheduledReport {
                    cadence: Cadence::Monthly,
                    report: ReportKind::Overview,
                    format: FileFormat::Xlsx,
                },
            ],
        }
    }
}

impl ReportSettings {
    pub fn validate(&self) -> Result<(), String> {
        if self.scheduled.len() > MAX_SCHEDULED {
            return Err(format!("reports.scheduled may list at most {MAX_SCHEDULED} reports"));
        }
        for (i, r) in self.scheduled.iter().enumerate() {
            if self.scheduled[..i].contains(r) {
                return Err(format!(
                    "reports.scheduled lists the {} {} report as {} twice",
                    r.cadence.as_str(),
                    r.report.as_str(),
                    r.format.as_str()
                ));
            }
        }
        Ok(())
    }

    /// The reports made on `cadence`.
    pub fn on(&self, cadence: Cadence) -> impl Iterator<Item = &ScheduledReport> {
        self.scheduled.iter().filter(move |r| r.cadence == cadence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_report_covers_the_last_complete_week_or_month() {
        // Wednesday 10 June 2026.
        let wed = date(2026, 6, 10);
        assert_eq!(Cadence::Weekly.last_complete(wed), Some((date(2026, 6, 1), date(2026, 6, 7))));
        assert_eq!(Cadence::Monthly.last_complete(wed), Some((date(2026, 5, 1), date(2026, 5, 31))));
        // On a Monday the week just ended is complete; on the 1st, the month just ended.
        assert_eq!(
            Cadence::Weekly.last_complete(date(2026, 6, 8)),
            Some((date(2026, 6, 1), date(2026, 6, 7)))
        );
        assert_eq!(
            Cadence::Monthly.last_complete(date(2026, 3, 1)),
            Some((date(2026, 2, 1), date(2026, 2, 28)))
        );
        // Across a year.
        assert_eq!(
            Cadence::Monthly.last_complete(date(2026, 1, 15)),
            Some((date(2025, 12, 1), date(2025, 12, 31)))
        );
        assert_eq!(
            Cadence::Weekly.recent(wed, 3),
            [
                (date(2026, 6, 1), date(2026, 6, 7)),
                (date(2026, 5, 25), date(2026, 5, 31)),
                (date(2026, 5, 18), date(2026, 5, 24))
            ]
        );
        assert_eq!(
            Cadence::Monthly.recent(wed, 2),
            [(date(2026, 5, 1), date(2026, 5, 31)), (date(2026, 4, 1), date(2026, 4, 30))]
        );
    }

    #[test]
    fn reports_are_due_at_seven_on_the_first_day_after_the_period() {
        let at = |d: Date, h: i8, m: i8| d.at(h, m, 0, 0);
        // Monday 8 June before 07:00: due that morning; at 07:00 or later: the next Monday.
        assert_eq!(Cadence::Weekly.next_due(at(date(2026, 6, 8), 6, 59)), Some(at(date(2026, 6, 8), 7, 0)));
        assert_eq!(Cadence::Weekly.next_due(at(date(2026, 6, 8), 7, 0)), Some(at(date(2026, 6, 15), 7, 0)));
        assert_eq!(Cadence::Weekly.next_due(at(date(2026, 6, 10), 12, 0)), Some(at(date(2026, 6, 15), 7, 0)));
        assert_eq!(Cadence::Monthly.next_due(at(date(2026, 6, 10), 12, 0)), Some(at(date(2026, 7, 1), 7, 0)));
        assert_eq!(Cadence::Monthly.next_due(at(date(2026, 12, 1), 8, 0)), Some(at(date(2027, 1, 1), 7, 0)));
        assert_eq!(Cadence::Monthly.next_due(at(date(2026, 7, 1), 0, 30)), Some(at(date(2026, 7, 1), 7, 0)));
    }

    #[test]
    fn the_defaults_are_a_weekly_pdf_and_a_monthly_spreadsheet_and_repeats_are_refused() {
        let s = ReportSettings::default();
        assert!(s.validate().is_ok());
        assert_eq!(s.on(Cadence::Weekly).map(|r| r.format).collect::<Vec<_>>(), [FileFormat::Pdf]);
        let twice: ReportSettings = serde_json::from_value(serde_json::json!({"scheduled": [
            {"cadence": "weekly", "report": "leads", "format": "csv"},
            {"cadence": "weekly", "report": "leads", "format": "csv"}]}))
        .unwrap();
        assert!(twice.validate().unwrap_err().contains("twice"));
        let unknown = serde_json::from_value::<ReportSettings>(serde_json::json!({"scheduled": [
            {"cadence": "daily", "report": "leads", "format": "csv"}]}));
        assert!(unknown.unwrap_err().to_string().contains("daily"));
    }
}
