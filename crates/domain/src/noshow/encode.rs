//! Features to numbers. Categorical values (service, practitioner, unit, neighbourhood,
//! booking channel) become their smoothed no-show rate on the training slice, so that a
//! clinic with 40 services or 80 neighbourhoods does not need 120 columns and a value seen
//! twice does not get an extreme rate. Values not seen in training get the base rate.

use super::{AppointmentFeatures, Example, ReminderState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How strongly a category's rate is pulled toward the base rate: a category with this
/// many appointments sits halfway between its own rate and the base rate.
const SMOOTHING: f64 = 20.0;

/// One fixed column: its name and the reason code it explains when it raises the risk.
#[derive(Debug, Clone, Copy)]
struct Column {
    name: &'static str,
    reason: &'static str,
    /// Counts and day spans: the logistic model reads them on a log scale.
    logged: bool,
}

const FIXED: &[Column] = &[
    Column { name: "lead_time_days", reason: "long_lead_time", logged: true },
    Column { name: "booked_same_day", reason: "long_lead_time", logged: false },
    Column { name: "weekday", reason: "weekday", logged: false },
    Column { name: "hour", reason: "time_of_day", logged: false },
    Column { name: "age", reason: "age", logged: false },
    Column { name: "prior_shows", reason: "first_visit", logged: true },
    Column { name: "first_visit", reason: "first_visit", logged: false },
    Column { name: "prior_no_shows", reason: "prior_no_shows", logged: true },
    Column { name: "prior_no_show_rate", reason: "prior_no_shows", logged: false },
    Column { name: "last_was_no_show", reason: "prior_no_shows", logged: false },
    Column { name: "days_since_last", reason: "prior_no_shows", logged: true },
    Column { name: "prior_cancellations", reason: "prior_cancellations", logged: true },
    Column { name: "same_day_appointments", reason: "several_appointments", logged: true },
    Column { name: "booked_together", reason: "several_appointments", logged: true },
    Column { name: "last_lead_time_days", reason: "booking_pattern", logged: true },
    Column { name: "booked_hour", reason: "booking_time", logged: false },
    Column { name: "booked_weekday", reason: "booking_time", logged: false },
    Column { name: "days_since_previous_booking", reason: "booking_pattern", logged: true },
    Column { name: "later_appointments", reason: "later_appointments", logged: true },
    Column { name: "later_within_week", reason: "later_appointments", logged: true },
    Column { name: "days_to_next", reason: "later_appointments", logged: true },
    Column { name: "day_load", reason: "busy_day", logged: true },
    Column { name: "area_day_load", reason: "busy_day", logged: true },
    Column { name: "area_day_share", reason: "busy_day", logged: false },
    Column { name: "booked_alongside", reason: "booked_with_others", logged: true },
    Column { name: "reminder_sent_unconfirmed", reason: "not_confirmed", logged: false },
    Column { name: "reminder_confirmed", reason: "not_confirmed", logged: false },
    Column { name: "service", reason: "service", logged: false },
    Column { name: "practitioner", reason: "practitioner", logged: false },
    Column { name: "unit", reason: "unit", logged: false },
    Column { name: "neighbourhood", reason: "neighbourhood", logged: false },
    Column { name: "booking_channel", reason: "booking_channel", logged: false },
];

/// What the encoder learnt from the training slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredEncoder")]
pub struct Encoder {
    /// The fixed columns [`Encoder::row`] fills, by name. A model stored before a column
    /// was added lacks this (or lists other names) and is refused when read, instead of
    /// its trees reading the wrong columns.
    fixed: Vec<String>,
    base_rate: f64,
    /// Per categorical field (service, practitioner, unit, neighbourhood, channel): value
    /// to smoothed rate.
    categories: [BTreeMap<String, f64>; 5],
    /// Yes/no flags seen in training, in column order.
    flags: Vec<String>,
}

/// An encoder as read, checked against this version's columns before use.
#[derive(Deserialize)]
struct StoredEncoder {
    fixed: Vec<String>,
    base_rate: f64,
    categories: [BTreeMap<String, f64>; 5],
    flags: Vec<String>,
}

impl TryFrom<StoredEncoder> for Encoder {
    type Error = String;

    fn try_from(stored: StoredEncoder) -> Result<Self, String> {
        let current = stored.fixed.len() == FIXED.len()
            && stored.fixed.iter().zip(FIXED).all(|(name, column)| name == column.name);
        if !current {
            return Err("the model was trained on other columns than this version fills".to_owned());
        }
        let StoredEncoder { fixed, base_rate, categories, flags } = stored;
        Ok(Self { fixed, base_rate, categories, flags })
    }
}

impl Encoder {
    pub fn fit(examples: &[Example]) -> Self {
        let base_rate = rate(examples.iter().map(|e| e.no_show));
        let mut counts: [BTreeMap<String, (f64, f64)>; 5] = Default::default();
        let mut flags = std::collections::BTreeSet::new();
        for example in examples {
            for (field, value) in categorical(&example.features).into_iter().enumerate() {
                if let Some(value) = value {
                    let entry = counts[field].entry(value.to_owned()).or_default();
                    entry.0 += f64::from(u8::from(example.no_show));
                    entry.1 += 1.0;
                }
            }
            flags.extend(example.features.flags.iter().map(|(name, _)| name.clone()));
        }
        let categories = counts.map(|field| {
            field
                .into_iter()
                .map(|(value, (no_shows, total))| {
                    (value, (no_shows + SMOOTHING * base_rate) / (total + SMOOTHING))
                })
                .collect()
        });
        Self {
            fixed: FIXED.iter().map(|c| c.name.to_owned()).collect(),
            base_rate,
            categories,
            flags: flags.into_iter().collect(),
        }
    }

    pub fn base_rate(&self) -> f64 {
        self.base_rate
    }

    /// For each column, in the order [`Encoder::row`] fills them: its name and the reason
    /// code it stands for when it raises the risk (a flag is its own reason).
    pub fn columns(&self) -> Vec<(String, String)> {
        FIXED
            .iter()
            .map(|c| (c.name.to_owned(), c.reason.to_owned()))
            .chain(self.flags.iter().map(|name| (name.clone(), name.clone())))
            .collect()
    }

    /// Which columns are counts or day spans, which a linear model should read on a log
    /// scale (the first no-show says more than the fifth).
    pub fn logged(&self) -> Vec<bool> {
        FIXED.iter().map(|c| c.logged).chain(self.flags.iter().map(|_| false)).collect()
    }

    /// One appointment as numbers; `NaN` where a value is not known.
    pub fn row(&self, f: &AppointmentFeatures) -> Vec<f64> {
        let h = &f.history;
        let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let mut row = vec![
            f64::from(f.lead_time_days),
            f64::from(u8::from(f.lead_time_days == 0)),
            f64::from(f.weekday),
            opt(f.hour.map(f64::from)),
            opt(f.age_years.map(f64::from)),
            f64::from(h.prior_shows),
            f64::from(u8::from(h.is_first_visit())),
            f64::from(h.prior_no_shows),
            (f64::from(h.prior_no_shows) + self.base_rate)
                / (f64::from(h.prior_no_shows + h.prior_shows) + 1.0),
            opt(h.last_was_no_show.map(|b| f64::from(u8::from(b)))),
            opt(h.days_since_last.map(f64::from)),
            f64::from(h.prior_cancellations),
            f64::from(f.same_day_appointments),
            f64::from(f.booked_together),
            opt(h.last_lead_time_days.map(f64::from)),
            opt(f.booked_hour.map(f64::from)),
            opt(f.booked_weekday.map(f64::from)),
            opt(f.days_since_previous_booking.map(f64::from)),
            f64::from(f.later_appointments),
            f64::from(f.later_within_week),
            opt(f.days_to_next.map(f64::from)),
            opt(f.day_load.map(f64::from)),
            opt(f.area_day_load.map(f64::from)),
            opt(match (f.area_day_load, f.day_load) {
                (Some(area), Some(all)) if all > 0 => Some(f64::from(area) / f64::from(all)),
                _ => None,
            }),
            opt(f.booked_alongside.map(f64::from)),
            f64::from(u8::from(f.reminder == ReminderState::Sent)),
            f64::from(u8::from(f.reminder == ReminderState::Confirmed)),
        ];
        for (field, value) in categorical(f).into_iter().enumerate() {
            row.push(value.and_then(|v| self.categories[field].get(v).copied()).unwrap_or(self.base_rate));
        }
        for name in &self.flags {
            let value = f.flags.iter().find(|(n, _)| n == name).map(|(_, v)| f64::from(u8::from(*v)));
            row.push(opt(value));
        }
        row
    }
}

fn categorical(f: &AppointmentFeatures) -> [Option<&str>; 5] {
    [
        f.service.as_deref(),
        f.practitioner.as_deref(),
        f.unit.as_deref(),
        f.neighbourhood.as_deref(),
        f.booking_channel.as_deref(),
    ]
}

pub(crate) fn rate(labels: impl Iterator<Item = bool>) -> f64 {
    let (mut yes, mut all) = (0usize, 0usize);
    for label in labels {
        yes += usize::from(label);
        all += 1;
    }
    if all == 0 { 0.0 } else { yes as f64 / all as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn example(service: &str, no_show: bool) -> Example {
        Example {
            features: AppointmentFeatures { service: Some(service.into()), ..Default::default() },
            day: date(2026, 1, 5),
            no_show,
        }
    }

    #[test]
    fn categories_are_smoothed_toward_the_base_rate_and_unknown_ones_get_it() {
        let mut examples: Vec<Example> = (0..40).map(|i| example("cardio", i < 20)).collect();
        examples.extend((0..40).map(|_| example("derma", false)));
        let encoder = Encoder::fit(&examples);
        assert!((encoder.base_rate() - 0.25).abs() < 1e-12);
        let service_column = FIXED.iter().position(|c| c.name == "service").unwrap();
        let cardio = encoder.row(&examples[0].features)[service_column];
        let derma = encoder.row(&examples[50].features)[service_column];
        let unknown = encoder.row(&example("ortho", false).features)[service_column];
        assert!((cardio - (20.0 + 5.0) / 60.0).abs() < 1e-12, "{cardio}");
        assert!((derma - 5.0 / 60.0).abs() < 1e-12, "{derma}");
        assert_eq!(unknown, 0.25);
        assert_eq!(encoder.row(&examples[0].features).len(), encoder.columns().len());
    }

    #[test]
    fn an_encoder_stored_with_other_columns_is_refused() {
        let encoder = Encoder::fit(&[example("cardio", true), example("derma", false)]);
        let json = serde_json::to_value(&encoder).unwrap();
        assert_eq!(serde_json::from_value::<Encoder>(json.clone()).unwrap(), encoder);
        // Stored before the column list was kept: its trees would read shifted columns.
        let mut older = json.clone();
        older.as_object_mut().unwrap().remove("fixed");
        assert!(serde_json::from_value::<Encoder>(older).is_err());
        let mut other = json;
        other["fixed"].as_array_mut().unwrap().pop();
        let err = serde_json::from_value::<Encoder>(other).unwrap_err().to_string();
        assert!(err.contains("other columns"), "{err}");
    }
}
