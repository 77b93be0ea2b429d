//! A bar per day, drawn by the server as SVG (no chart library, no script): the template
//! places the bars this computes, and every day of the period has its slot, so a quiet day
//! shows as a gap rather than disappearing.

use frontdesk_domain::analytics::Period;
use frontdesk_domain::tenant::Locale;
use jiff::ToSpan;
use std::collections::HashMap;

pub struct Bar {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// "03/09: 4", for the bar's tooltip and screen readers.
    pub title: String,
}

pub struct BarChart {
    pub title: &'static str,
    pub bars: Vec<Bar>,
    pub total: String,
    /// The first and last day, under the axis.
    pub first: String,
    pub last: String,
    pub max: String,
    pub empty: bool,
}

pub const WIDTH: f32 = 600.0;
pub const HEIGHT: f32 = 160.0;

impl BarChart {
    pub fn daily(title: &'static str, period: &Period, days: &[(String, f64)], locale: Locale) -> BarChart {
        let values: HashMap<&str, f64> = days.iter().map(|(d, v)| (d.as_str(), *v)).collect();
        let label = |d: jiff::civil::Date| match locale {
            Locale::PtBr => d.strftime("%d/%m").to_string(),
            Locale::En => d.strftime("%m-%d").to_string(),
        };
        let mut all = Vec::new();
        let mut d = period.from;
        while d <= period.to {
            all.push((d, values.get(d.to_string().as_str()).copied().unwrap_or(0.0)));
            match d.checked_add(1.day()) {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        let top = all.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
        let slot = WIDTH / all.len().max(1) as f32;
        let bars = all
            .iter()
            .enumerate()
            .map(|(i, (day, v))| {
                let height = if top > 0.0 { (*v / top) as f32 * (HEIGHT - 10.0) } else { 0.0 };
                Bar {
                    x: i as f32 * slot + slot * 0.15,
                    y: HEIGHT - height,
                    width: (slot * 0.7).max(1.0),
                    height,
                    title: format!("{}: {}", label(*day), v),
                }
            })
            .collect();
        let total: f64 = all.iter().map(|(_, v)| v).sum();
        BarChart {
            title,
            bars,
            total: format!("{total:.0}"),
            first: label(period.from),
            last: label(period.to),
            max: format!("{top:.0}"),
            empty: total == 0.0,
        }
    }
}
