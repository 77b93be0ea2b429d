//! The period a question names, in the clinic's days: "semana passada", "last month",
//! "em outubro", "últimos 30 dias", "this year", "2026-10-01 a 2026-10-15". Weeks begin on
//! Monday, as the metrics' weeks do; a month named without a year is its latest one that
//! has begun.

use jiff::ToSpan;
use jiff::civil::Date;

/// A period found in a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from: Date,
    pub to: Date,
}

const MONTHS: [(&str, &str); 12] = [
    ("janeiro", "january"),
    ("fevereiro", "february"),
    ("marco", "march"),
    ("abril", "april"),
    ("maio", "may"),
    ("junho", "june"),
    ("julho", "july"),
    ("agosto", "august"),
    ("setembro", "september"),
    ("outubro", "october"),
    ("novembro", "november"),
    ("dezembro", "december"),
];

/// Whether `words` appear one after the other in `tokens`.
pub(crate) fn has_seq(tokens: &[&str], words: &[&str]) -> bool {
    !words.is_empty() && tokens.windows(words.len()).any(|w| w == words)
}

fn any_seq(tokens: &[&str], phrases: &[&[&str]]) -> bool {
    phrases.iter().any(|p| has_seq(tokens, p))
}

fn monday_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(back.days()).unwrap_or(day)
}

fn quarter_start(day: Date) -> Date {
    let month = (day.month() - 1) / 3 * 3 + 1;
    Date::new(day.year(), month, 1).unwrap_or(day)
}

fn back(day: Date, span: jiff::Span) -> Option<Date> {
    day.checked_sub(span).ok()
}

/// ISO dates written in the raw question, in order.
fn iso_dates(raw: &str) -> Vec<Date> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 10 <= bytes.len() {
        let Some(s) = raw.get(i..i + 10) else {
            i += 1;
            continue;
        };
        let shaped =
            s.bytes().enumerate().all(|(j, b)| if j == 4 || j == 7 { b == b'-' } else { b.is_ascii_digit() });
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 10).is_none_or(|b| !b.is_ascii_digit());
        if shaped
            && bounded
            && let Ok(d) = s.parse::<Date>()
        {
            out.push(d);
            i += 10;
            continue;
        }
        i += 1;
    }
    out
}

/// The number right before `unit` words ("30 dias", "3 months"), if any.
fn count_before(tokens: &[&str], units: &[&str]) -> Option<i64> {
    tokens.windows(2).find_map(|w| {
        if units.contains(&w[1]) { w[0].parse::<i64>().ok().filter(|n| (1..=400).contains(n)) } else { None }
    })
}

/// The period `tokens` (normalised words) or `raw` name, relative to `today`.
pub fn period(raw: &str, tokens: &[&str], today: Date) -> Option<Days> {
    let days = |from: Date, to: Date| Some(Days { from, to });
    let dates = iso_dates(raw);
    if let [from, to, ..] = dates[..] {
        return days(from.min(to), from.max(to));
    }
    if let [day] = dates[..] {
        return days(day, day);
    }
    let recent = tokens.iter().any(|t| matches!(*t, "ultimos" | "ultimas" | "last" | "past" | "previous"));
    if recent {
        if let Some(n) = count_before(tokens, &["dias", "days", "day", "dia"]) {
            return days(back(today, (n - 1).days())?, today);
        }
        if let Some(n) = count_before(tokens, &["semanas", "weeks", "week", "semana"]) {
            return days(back(today, (n * 7 - 1).days())?, today);
        }
        if let Some(n) = count_before(tokens, &["meses", "months", "month", "mes"]) {
            return days(back(today, n.months())?.tomorrow().ok()?, today);
        }
    }
    if any_seq(tokens, &[&["hoje"], &["today"]]) {
        return days(today, today);
    }
    if any_seq(tokens, &[&["ontem"], &["yesterday"]]) {
        let y = today.yesterday().ok()?;
        return days(y, y);
    }
    let this = |noun_pt: &str, noun_en: &str| {
        ["este", "esta", "esse", "essa", "neste", "nesta", "nesse", "nessa"]
            .iter()
            .any(|d| has_seq(tokens, &[d, noun_pt]))
            || has_seq(tokens, &[noun_pt, "atual"])
            || has_seq(tokens, &["this", noun_en])
            || has_seq(tokens, &["so", "far", "this", noun_en])
    };
    let last = |noun_pt: &str, noun_en: &str| {
        has_seq(tokens, &[noun_pt, "passada"])
            || has_seq(tokens, &[noun_pt, "passado"])
            || has_seq(tokens, &[noun_pt, "anterior"])
            || has_seq(tokens, &["ultima", noun_pt])
            || has_seq(tokens, &["ultimo", noun_pt])
            || has_seq(tokens, &["last", noun_en])
            || has_seq(tokens, &["previous", noun_en])
    };
    if last("semana", "week") {
        let monday = back(monday_of(today), 7.days())?;
        return days(monday, monday.checked_add(6.days()).ok()?);
    }
    if this("semana", "week") {
        return days(monday_of(today), today);
    }
    if last("mes", "month") {
        let first = back(today.first_of_month(), 1.month())?;
        return days(first, first.last_of_month());
    }
    if this("mes", "month") {
        return days(today.first_of_month(), today);
    }
    if last("trimestre", "quarter") {
        let first = back(quarter_start(today), 3.months())?;
        return days(first, back(quarter_start(today), 1.day())?);
    }
    if this("trimestre", "quarter") {
        return days(quarter_start(today), today);
    }
    if last("ano", "year") {
        let y = today.year() - 1;
        return days(Date::new(y, 1, 1).ok()?, Date::new(y, 12, 31).ok()?);
    }
    if this("ano", "year") {
        return days(Date::new(today.year(), 1, 1).ok()?, today);
    }
    for (i, w) in tokens.iter().enumerate() {
        let Some(month) = MONTHS.iter().position(|(pt, en)| w == pt || w == en) else { continue };
        let month = month as i8 + 1;
        let named_year = tokens[i + 1..]
            .iter()
            .take(2)
            .find_map(|t| t.parse::<i16>().ok().filter(|y| (2000..=2100).contains(y)));
        let year = named_year.unwrap_or(if month > today.month() { today.year() - 1 } else { today.year() });
        let first = Date::new(year, month, 1).ok()?;
        return days(first, first.last_of_month());
    }
    None
}

/// The period when a question names none: the last 30 days, today included.
pub fn default_period(today: Date) -> Days {
    Days { from: today.checked_sub(29.days()).unwrap_or(today), to: today }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn p(q: &str) -> Option<(String, String)> {
        let n = crate::nlu::normalize(q);
        let tokens: Vec<&str> = n.split(' ').collect();
        // Thursday 19 November 2026.
        period(q, &tokens, date(2026, 11, 19)).map(|d| (d.from.to_string(), d.to.to_string()))
    }

    fn d(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.into(), b.into()))
    }

    #[test]
    fn relative_periods_in_both_languages() {
        assert_eq!(p("quantos no-shows semana passada?"), d("2026-11-09", "2026-11-15"));
        assert_eq!(p("no-shows last week"), d("2026-11-09", "2026-11-15"));
        assert_eq!(p("leads esta semana"), d("2026-11-16", "2026-11-19"));
        assert_eq!(p("leads do mês passado"), d("2026-10-01", "2026-10-31"));
        assert_eq!(p("this month so far"), d("2026-11-01", "2026-11-19"));
        assert_eq!(p("últimos 30 dias"), d("2026-10-21", "2026-11-19"));
        assert_eq!(p("in the last 7 days"), d("2026-11-13", "2026-11-19"));
        assert_eq!(p("last 3 months"), d("2026-08-20", "2026-11-19"));
        assert_eq!(p("ontem"), d("2026-11-18", "2026-11-18"));
        assert_eq!(p("no trimestre passado"), d("2026-07-01", "2026-09-30"));
        assert_eq!(p("ano passado"), d("2025-01-01", "2025-12-31"));
        assert_eq!(p("this year"), d("2026-01-01", "2026-11-19"));
    }

    #[test]
    fn named_months_and_dates() {
        assert_eq!(p("in October"), d("2026-10-01", "2026-10-31"));
        assert_eq!(p("em dezembro"), d("2025-12-01", "2025-12-31"), "a month not yet begun is last year's");
        assert_eq!(p("fevereiro de 2024"), d("2024-02-01", "2024-02-29"));
        assert_eq!(p("de 2026-10-01 a 2026-10-15"), d("2026-10-01", "2026-10-15"));
        assert_eq!(p("on 2026-11-02"), d("2026-11-02", "2026-11-02"));
        assert_eq!(p("how many leads"), None);
    }
}
