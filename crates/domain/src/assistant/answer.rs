//! An answer in the asker's language: the figure, the period and, for a split, its rows,
//! written as a person on the staff would read them ("41,7%", "R$ 1.250,00", "2 min 5 s").

use super::question::{Query, Split, Unmapped};
use crate::analytics::Dimension;
use crate::tenant::Locale;

/// One row of a split, with the figure computed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
}

/// The figures a query found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// The period's figure and the same figure over the period before it.
    Value { value: Option<f64>, previous: Option<f64> },
    /// A split, rows largest first.
    Rows(Vec<Row>),
}

/// Rows largest first, rows without a value last.
pub fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| match (a.value, b.value) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.label.cmp(&b.label)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.label.cmp(&b.label),
    });
}

fn dimension_name(d: Dimension, locale: Locale) -> &'static str {
    let (pt, en) = match d {
        Dimension::Source => ("origem", "source"),
        Dimension::Channel => ("canal", "channel"),
        Dimension::Practitioner => ("profissional", "practitioner"),
        Dimension::Service => ("serviço", "service"),
        Dimension::Unit => ("unidade", "unit"),
        Dimension::Weekday => ("dia da semana", "weekday"),
        Dimension::Hour => ("hora", "hour"),
        Dimension::LeadTime => ("antecedência", "lead time"),
        Dimension::Confirmation => ("confirmação", "confirmation"),
        Dimension::Outcome => ("resultado", "outcome"),
        Dimension::Sender => ("remetente", "sender"),
        Dimension::Campaign => ("campanha", "campaign"),
    };
    if locale == Locale::PtBr { pt } else { en }
}

fn period_text(q: &Query, locale: Locale) -> String {
    let d = |date: jiff::civil::Date| match locale {
        Locale::PtBr => date.strftime("%d/%m/%Y").to_string(),
        Locale::En => date.to_string(),
    };
    match (locale, q.from == q.to) {
        (Locale::PtBr, true) => format!("em {}", d(q.from)),
        (Locale::En, true) => format!("on {}", d(q.from)),
        (Locale::PtBr, false) => format!("de {} a {}", d(q.from), d(q.to)),
        (Locale::En, false) => format!("from {} to {}", d(q.from), d(q.to)),
    }
}

/// The answer to `q` in `locale`, each figure written by `value` (the caller's number
/// formatting, the dashboard's and the reports').
pub fn sentence(q: &Query, found: &Found, locale: Locale, value: &dyn Fn(Option<f64>) -> String) -> String {
    let m = q.measure;
    let name = if locale == Locale::PtBr { m.pt } else { m.en };
    let mut subject = name.to_string();
    if let Some(f) = &q.filter {
        let with = match (locale, f.dimension) {
            (Locale::PtBr, Dimension::Practitioner) => "com",
            (Locale::PtBr, _) => "em",
            (Locale::En, Dimension::Practitioner) => "with",
            (Locale::En, _) => "for",
        };
        subject = format!("{subject} {with} {}", f.label);
    }
    let period = period_text(q, locale);
    match found {
        Found::Value { value: v, previous } => {
            let before = match locale {
                Locale::PtBr => format!(" (período anterior: {})", value(*previous)),
                Locale::En => format!(" (previous period: {})", value(*previous)),
            };
            let before = if q.filter.is_none() { before } else { String::new() };
            format!("{} {period}: {}{before}.", capitalise(&subject), value(*v))
        }
        Found::Rows(rows) => {
            let dim = dimension_name(q.split.map_or(Dimension::Source, |s| s.dimension()), locale);
            let pick = match q.split {
                Some(Split::Top(_)) => rows.first(),
                Some(Split::Bottom(_)) => rows.iter().rev().find(|r| r.value.is_some()),
                _ => None,
            };
            if rows.is_empty() {
                return match locale {
                    Locale::PtBr => format!("Sem {subject} {period}, por {dim}."),
                    Locale::En => format!("No {subject} {period}, by {dim}."),
                };
            }
            if let Some(r) = pick {
                let (most, least) = match locale {
                    Locale::PtBr => ("mais", "menos"),
                    Locale::En => ("most", "least"),
                };
                let which = if matches!(q.split, Some(Split::Bottom(_))) { least } else { most };
                return match locale {
                    Locale::PtBr => {
                        format!(
                            "{} com {which} {subject} {period}: {} ({}).",
                            capitalise(dim),
                            r.label,
                            value(r.value)
                        )
                    }
                    Locale::En => {
                        format!(
                            "The {dim} with the {which} {subject} {period}: {} ({}).",
                            r.label,
                            value(r.value)
                        )
                    }
                };
            }
            let list: Vec<String> = rows.iter().map(|r| format!("{} {}", r.label, value(r.value))).collect();
            match locale {
                Locale::PtBr => format!("{} {period}, por {dim}: {}.", capitalise(&subject), list.join("; ")),
                Locale::En => format!("{} {period}, by {dim}: {}.", capitalise(&subject), list.join("; ")),
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// An honest "I can't answer that", saying why and what can be asked.
pub fn unmapped(why: &Unmapped, locale: Locale) -> String {
    match (why, locale) {
        (Unmapped::NoFigure, Locale::PtBr) => "Não sei responder isso com os números da clínica. Pergunte, por exemplo, \
             \"quantos no-shows tivemos semana passada?\" ou \"qual a conversão de leads em outubro por origem?\"."
            .into(),
        (Unmapped::NoFigure, Locale::En) => "I can't answer that from the clinic's figures. Try, for example, \
             \"how many no-shows did we have last week?\" or \"what was our lead-to-booking rate in October by source?\"."
            .into(),
        (Unmapped::CannotSplit { measure, dimension }, Locale::PtBr) => format!(
            "Não tenho {} separado por {}.",
            super::measure::measure(measure).map_or(*measure, |m| m.pt),
            dimension_name(*dimension, locale)
        ),
        (Unmapped::CannotSplit { measure, dimension }, Locale::En) => format!(
            "I don't keep {} per {}.",
            super::measure::measure(measure).map_or(*measure, |m| m.en),
            dimension_name(*dimension, locale)
        ),
        (Unmapped::Ambiguous { names }, Locale::PtBr) => {
            format!("Esse nome serve para mais de um: {}. Qual deles?", names.join(", "))
        }
        (Unmapped::Ambiguous { names }, Locale::En) => {
            format!("That name fits more than one: {}. Which one?", names.join(", "))
        }
        (Unmapped::SplitAndFilter, Locale::PtBr) => {
            "Os números são separados por uma coisa de cada vez: peça por profissional ou por dia da semana, \
             não os dois juntos."
                .into()
        }
        (Unmapped::SplitAndFilter, Locale::En) => {
            "Figures are split by one thing at a time: ask by practitioner or by weekday, not both at once.".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_puts_missing_values_last() {
        let r = |l: &str, v: Option<f64>| Row { key: l.into(), label: l.into(), value: v };
        let mut rows = vec![r("a", None), r("b", Some(1.0)), r("c", Some(3.0))];
        rank(&mut rows);
        assert_eq!(rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["c", "b", "a"]);
    }
}
