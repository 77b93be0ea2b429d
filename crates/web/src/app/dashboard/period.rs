//! Which days the dashboard shows: the form's `from` and `to`, else the last 30 days up to
//! today; and the quick choices beside the form.

use super::{PeriodForm, Words};
use frontdesk_domain::analytics::{Period, PeriodError};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;

pub fn chosen(form: &PeriodForm, today: Date, tz: &TimeZone) -> Result<Period, PeriodError> {
    match (&form.from, &form.to) {
        (Some(from), Some(to)) if !from.is_empty() && !to.is_empty() => Period::parse(from, to, tz),
        _ => {
            let from = today.checked_sub(29.days()).map_err(|_| PeriodError::NotADate(today.to_string()))?;
            Period::new(from, today, tz.clone())
        }
    }
}

/// `(from, to, label)` of the quick choices: the last 7 and 30 days, this month, last month.
pub fn quick_links(today: Date, w: &Words) -> Vec<(String, String, &'static str)> {
    let back = |days: i64| today.checked_sub(days.days()).unwrap_or(today);
    let month_start = today.first_of_month();
    let last_month_end = month_start.yesterday().unwrap_or(month_start);
    vec![
        (back(6).to_string(), today.to_string(), w.last_7_days),
        (back(29).to_string(), today.to_string(), w.last_30_days),
        (month_start.to_string(), today.to_string(), w.this_month),
        (last_month_end.first_of_month().to_string(), last_month_end.to_string(), w.last_month),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn defaults_to_the_last_30_days_and_offers_last_month() {
        let today = date(2026, 3, 9);
        let p = chosen(&PeriodForm::default(), today, &TimeZone::UTC).unwrap();
        assert_eq!((p.from, p.to), (date(2026, 2, 8), today));
        let links = quick_links(today, super::super::words::of(frontdesk_domain::tenant::Locale::En));
        assert_eq!(links[3], ("2026-02-01".to_string(), "2026-02-28".to_string(), "Last month"));
        let bad = PeriodForm { from: Some("2026-03-09".into()), to: Some("2026-03-01".into()), only: None };
        assert!(chosen(&bad, today, &TimeZone::UTC).is_err());
    }
}
