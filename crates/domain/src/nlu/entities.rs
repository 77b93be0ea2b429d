//! Dates, weekdays, times, periods of the day and names.

use super::lexicon::{self, HOUR_WORDS, MONTHS, WEAK_WEEKDAYS, WEEKDAYS};
use super::text::Token;
use super::{Entities, Lang};
use crate::scheduling::DayPeriod;
use jiff::ToSpan;
use jiff::civil::{Date, Time, Weekday};

/// A weekday as written, with what the slot chooser needs to tell "segunda" (Monday) from
/// "segunda" (second).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WeekdayMention {
    pub day: Weekday,
    pub token: usize,
    /// The word is also an ordinal ("segunda", "quarta", "quinta", "sexta") and nothing around
    /// it says it is a day.
    pub ambiguous: bool,
    /// Preceded by the bare article "a" ("a segunda"), which reads as a position.
    pub after_article: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Extraction {
    pub entities: Entities,
    pub weekday: Option<WeekdayMention>,
    /// Tokens read as part of a date or a time.
    pub consumed: Vec<bool>,
    /// The same clock time read the other way round (a bare "2" is 14:00, or else 02:00).
    pub time_alternative: Option<Time>,
    /// The first token of any date, weekday, time or period, for "proposes a new time" rules.
    pub positions: Vec<usize>,
}

impl Extraction {
    pub(crate) fn has_any(&self) -> bool {
        let e = &self.entities;
        e.date.is_some() || e.weekday.is_some() || e.time.is_some() || e.period.is_some()
    }
}

fn at<'a>(tokens: &[&'a str], i: usize) -> &'a str {
    tokens.get(i).copied().unwrap_or("")
}

fn before<'a>(tokens: &[&'a str], i: usize, back: usize) -> &'a str {
    i.checked_sub(back).map_or("", |j| at(tokens, j))
}

/// Words after which a later date or time is the one meant ("mudar das 10h para as 15h").
const DIRECTIONAL: &[&str] = &["para", "pra", "pro", "to", "for", "ser", "tal", "about", "until", "ate"];

fn directional(tokens: &[&str], i: usize) -> bool {
    (1..=3).any(|b| DIRECTIONAL.contains(&before(tokens, i, b)))
}

const TIME_CUES: &[&str] = &[
    "as", "at", "das", "pelas", "umas", "around", "by", "after", "before", "apos", "from", "till", "until",
    "about",
];

/// Nouns that make a number a count, not a clock time ("as 2 opções").
const COUNT_NOUNS: &[&str] = &[
    "opcoes",
    "opcao",
    "pessoas",
    "filhos",
    "filho",
    "horarios",
    "dias",
    "dia",
    "semanas",
    "semana",
    "vezes",
    "consultas",
    "people",
    "options",
    "kids",
    "times",
    "days",
    "weeks",
    "minutos",
    "minutes",
    "min",
    "mins",
    "anos",
    "years",
    "meses",
    "months",
    "reais",
    "dollars",
    "horas",
    "hours",
    "primeiras",
    "ultimas",
];

fn weekday_from_offset(offset: i8) -> Weekday {
    Weekday::from_monday_zero_offset(offset).unwrap_or(Weekday::Monday)
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// "12", "12th", "1o", "1st" as a day of the month.
fn parse_day(t: &str) -> Option<(i8, bool)> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let (num, suffix) = t.split_at(digits);
    let ordinal = match suffix {
        "" => false,
        "st" | "nd" | "rd" | "th" | "o" => true,
        _ => return None,
    };
    let n: i8 = num.parse().ok()?;
    (1..=31).contains(&n).then_some((n, ordinal))
}

fn month_of(word: &str) -> Option<i8> {
    MONTHS.iter().find(|(w, _)| *w == word).map(|(_, m)| *m)
}

/// The next date with this day of the month, today included.
fn next_day_of_month(today: Date, day: i8) -> Option<Date> {
    let mut first = today.first_of_month();
    for _ in 0..13 {
        if let Ok(d) = Date::new(first.year(), first.month(), day)
            && d >= today
        {
            return Some(d);
        }
        first = first.checked_add(1.month()).ok()?;
    }
    None
}

/// The next date with this day and month, today included.
fn next_month_day(today: Date, month: i8, day: i8) -> Option<Date> {
    (today.year()..=today.year().saturating_add(8))
        .find_map(|y| Date::new(y, month, day).ok().filter(|d| *d >= today))
}

/// The weekday strictly after today, or the one in next calendar week (weeks start on Monday).
pub(crate) fn resolve_weekday(today: Date, day: Weekday, next_week: bool) -> Option<Date> {
    if next_week {
        let monday = today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days()).ok()?;
        monday.checked_add(i64::from(7 + day.to_monday_zero_offset()).days()).ok()
    } else {
        today.nth_weekday(1, day).ok()
    }
}

/// "12/10", "12/10/2026", "12/10/26": Brazilian day/month order, except in English messages
/// where month/day is read first when both numbers could be a month.
fn parse_slash_date(t: &str, lang: Lang, today: Date) -> Option<Date> {
    let parts: Vec<&str> = t.split('/').collect();
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| is_digits(p) && p.len() <= 4) {
        return None;
    }
    let a: i8 = parts[0].parse().ok()?;
    let b: i8 = parts[1].parse().ok()?;
    let year: Option<i16> = match parts.get(2) {
        Some(y) if y.len() == 2 => Some(2000 + y.parse::<i16>().ok()?),
        Some(y) if y.len() == 4 => Some(y.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    let month_first = lang == Lang::En && a <= 12 && b <= 31;
    let orders = if month_first { [(b, a), (a, b)] } else { [(a, b), (b, a)] };
    orders.into_iter().find_map(|(day, month)| {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        match year {
            Some(y) => Date::new(y, month, day).ok(),
            None => next_month_day(today, month, day),
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Colon,
    H,
    Am,
    Pm,
    Bare,
}

/// "14:30", "14h", "14h30", "14hs", "10h30min", "2pm", "2:30pm", "14" (bare).
fn parse_time_token(t: &str) -> Option<(i8, i8, Marker, bool)> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let hour: i8 = t[..digits].parse().ok()?;
    let leading_zero = digits == 2 && t.starts_with('0');
    let mut rest = &t[digits..];
    let mut minute: i8 = 0;
    let mut marker = Marker::Bare;
    if let Some(r) = rest.strip_prefix(':') {
        let md = r.bytes().take_while(u8::is_ascii_digit).count();
        if md != 2 {
            return None;
        }
        minute = r[..2].parse().ok()?;
        rest = &r[2..];
        marker = Marker::Colon;
    }
    for suffix in ["horas", "hora", "hrs", "hr", "hs", "h"] {
        if let Some(r) = rest.strip_prefix(suffix) {
            rest = r;
            if marker == Marker::Bare {
                marker = Marker::H;
                let md = rest.bytes().take_while(u8::is_ascii_digit).count();
                if md > 0 {
                    if md != 2 {
                        return None;
                    }
                    minute = rest[..2].parse().ok()?;
                    rest = &rest[2..];
                    rest = rest.strip_prefix("min").or_else(|| rest.strip_prefix('m')).unwrap_or(rest);
                }
            }
            break;
        }
    }
    match rest {
        "" => {}
        "am" => marker = Marker::Am,
        "pm" => marker = Marker::Pm,
        _ => return None,
    }
    if minute > 59 {
        return None;
    }
    match marker {
        Marker::Am | Marker::Pm if !(1..=12).contains(&hour) => None,
        _ if hour > 23 => None,
        _ => Some((hour, minute, marker, leading_zero)),
    }
}

fn period_word(t: &str) -> Option<DayPeriod> {
    match t {
        "manha" | "morning" => Some(DayPeriod::Morning),
        "tarde" | "afternoon" => Some(DayPeriod::Afternoon),
        "noite" | "evening" | "night" | "tonight" => Some(DayPeriod::Evening),
        _ => None,
    }
}

/// A period named after a time ("3 da tarde", "10 in the morning", "8 at night"): the period and
/// how many tokens it took.
fn period_after(tokens: &[&str], j: usize) -> Option<(DayPeriod, usize)> {
    let (a, b, c) = (at(tokens, j), at(tokens, j + 1), at(tokens, j + 2));
    if matches!(a, "da" | "de") && matches!(b, "manha" | "tarde" | "noite") {
        return period_word(b).map(|p| (p, 2));
    }
    if a == "in" && b == "the" && matches!(c, "morning" | "afternoon" | "evening") {
        return period_word(c).map(|p| (p, 3));
    }
    if a == "at" && b == "night" {
        return Some((DayPeriod::Evening, 2));
    }
    None
}

fn is_day_word(t: &str) -> bool {
    matches!(t, "hoje" | "amanha" | "today" | "tomorrow" | "tonight") || WEEKDAYS.iter().any(|(w, _)| *w == t)
}

struct TimeCandidate {
    time: Time,
    alternative: Option<Time>,
    token: usize,
    period: Option<DayPeriod>,
}

#[derive(Clone, Copy)]
struct DateCandidate {
    date: Date,
    token: usize,
    numeric: bool,
}

/// Reads dates, weekdays, times and periods from corrected tokens.
pub(crate) fn extract(tokens: &[&str], lang: Lang, today: Date) -> Extraction {
    let n = tokens.len();
    let mut consumed = vec![false; n];
    let mut dates: Vec<DateCandidate> = Vec::new();
    let mut positions = Vec::new();

    let next_week_anywhere = tokens.windows(3).any(|w| w == ["semana", "que", "vem"])
        || tokens.windows(2).any(|w| {
            matches!(w, ["proxima" | "next" | "following", "semana" | "week"] | ["semana", "seguinte"])
        });

    // Numeric and named dates.
    for i in 0..n {
        if consumed[i] {
            continue;
        }
        let t = tokens[i];
        if t.contains('/') {
            if let Some(d) = parse_slash_date(t, lang, today) {
                dates.push(DateCandidate { date: d, token: i, numeric: true });
                consumed[i] = true;
                if before(tokens, i, 1) == "dia" {
                    consumed[i - 1] = true;
                }
            }
            continue;
        }
        let Some((day, ordinal)) = parse_day(t) else { continue };
        // "12 de outubro", "12 outubro", "12th of october"
        let mut month = None;
        let mut width = 0;
        if let Some(m) = month_of(at(tokens, i + 1)) {
            month = Some(m);
            width = 1;
        } else if matches!(at(tokens, i + 1), "de" | "of")
            && let Some(m) = month_of(at(tokens, i + 2))
        {
            month = Some(m);
            width = 2;
        }
        // "outubro 12", "oct 12th", "october the 12th"
        let mut start = i;
        if month.is_none() {
            if let Some(m) = month_of(before(tokens, i, 1)) {
                month = Some(m);
                start = i - 1;
            } else if before(tokens, i, 1) == "the"
                && let Some(m) = month_of(before(tokens, i, 2))
            {
                month = Some(m);
                start = i - 2;
            }
        }
        if let Some(m) = month {
            if let Some(d) = next_month_day(today, m, day) {
                dates.push(DateCandidate { date: d, token: start, numeric: true });
                for c in consumed.iter_mut().take(i + width + 1).skip(start) {
                    *c = true;
                }
            }
            continue;
        }
        // "dia 12", "the 12th", "on the 12th", "12th"
        let prev = before(tokens, i, 1);
        if (prev == "dia" || ordinal && (prev == "the" || prev == "on" || t.ends_with(['t', 'd'])))
            && let Some(d) = next_day_of_month(today, day)
        {
            dates.push(DateCandidate { date: d, token: i, numeric: true });
            consumed[i] = true;
            if prev == "dia" {
                consumed[i - 1] = true;
            }
        }
    }

    // Relative days.
    let mut i = 0;
    while i < n {
        let t = tokens[i];
        let three = [t, at(tokens, i + 1), at(tokens, i + 2)];
        let (offset, width) = match three {
            ["depois", "de", "amanha"] => (2, 3),
            ["day", "after", "tomorrow"] => (2, 3),
            ["amanha", _, _] | ["tomorrow", _, _] => (1, 1),
            ["hoje", _, _] | ["today", _, _] | ["tonight", _, _] => (0, 1),
            _ => {
                i += 1;
                continue;
            }
        };
        if let Ok(d) = today.checked_add(i64::from(offset).days()) {
            dates.push(DateCandidate { date: d, token: i, numeric: false });
        }
        for c in consumed.iter_mut().skip(i).take(width) {
            *c = true;
        }
        i += width;
    }

    // Weekdays.
    let mut weekdays: Vec<(WeekdayMention, Date)> = Vec::new();
    for i in 0..n {
        if consumed[i] {
            continue;
        }
        let t = tokens[i];
        let next = at(tokens, i + 1);
        let prev = before(tokens, i, 1);
        let day = if next == "feira" && t.len() == 2 && t.ends_with(['a', 'o']) {
            // "2a feira" .. "6a feira"
            match t.as_bytes()[0] {
                b @ b'2'..=b'6' => Some(weekday_from_offset(i8::try_from(b - b'2').unwrap_or(0))),
                _ => None,
            }
        } else {
            WEEKDAYS.iter().find(|(w, _)| *w == t).map(|(_, o)| weekday_from_offset(*o))
        };
        let Some(day) = day else { continue };
        let numeric_near = |s: &str| s.bytes().next().is_some_and(|b| b.is_ascii_digit());
        if WEAK_WEEKDAYS.contains(&t) {
            let cue =
                matches!(prev, "na" | "no" | "on" | "this" | "next" | "proxima" | "proximo" | "ate" | "dia");
            let near = numeric_near(next)
                || matches!(next, "as" | "at" | "de" | "da" | "feira" | "morning" | "afternoon");
            if !(cue || near) {
                continue;
            }
        }
        // "segunda opção", "segunda vez": an ordinal, not a day.
        let ordinal_word = matches!(t, "segunda" | "quarta" | "quinta" | "sexta");
        if ordinal_word
            && matches!(
                next,
                "opcao" | "opcoes" | "alternativa" | "vez" | "via" | "consulta" | "pessoa" | "option"
            )
        {
            continue;
        }
        let after_article = prev == "a" || prev == "o";
        let explicit = next == "feira"
            || matches!(
                prev,
                "na" | "nesta"
                    | "nessa"
                    | "esta"
                    | "essa"
                    | "proxima"
                    | "proximo"
                    | "pra"
                    | "para"
                    | "de"
                    | "ate"
                    | "dia"
                    | "toda"
                    | "todas"
                    | "sexta"
                    | "on"
                    | "this"
                    | "next"
            )
            || (next == "que" && at(tokens, i + 2) == "vem");
        let next_week = matches!(prev, "proxima" | "proximo" | "next")
            || (next == "que" && at(tokens, i + 2) == "vem")
            || next_week_anywhere;
        consumed[i] = true;
        if next == "feira" {
            consumed[i + 1] = true;
        }
        if let Some(d) = resolve_weekday(today, day, next_week) {
            weekdays.push((
                WeekdayMention { day, token: i, ambiguous: ordinal_word && !explicit, after_article },
                d,
            ));
        }
    }

    // Times.
    let mut times: Vec<TimeCandidate> = Vec::new();
    let mut i = 0;
    while i < n {
        if consumed[i] {
            i += 1;
            continue;
        }
        let t = tokens[i];
        let prev = before(tokens, i, 1);
        let next = at(tokens, i + 1);
        // Noon and midnight.
        let fixed = match (t, next) {
            ("meio", "dia") => Some((12, 2)),
            ("meiodia" | "noon" | "midday", _) => Some((12, 1)),
            ("meia", "noite") => Some((0, 2)),
            ("midnight", _) => Some((0, 1)),
            _ => None,
        };
        if let Some((hour, width)) = fixed {
            let mut j = i + width;
            let mut minute = 0;
            if at(tokens, j) == "e" && at(tokens, j + 1) == "meia" {
                minute = 30;
                j += 2;
            }
            if let Ok(time) = Time::new(hour, minute, 0, 0) {
                times.push(TimeCandidate { time, alternative: None, token: i, period: None });
            }
            for c in consumed.iter_mut().take(j).skip(i) {
                *c = true;
            }
            i = j;
            continue;
        }

        let parsed = parse_time_token(t).or_else(|| {
            let word = HOUR_WORDS.iter().find(|(w, _)| *w == t)?;
            TIME_CUES.contains(&prev).then_some((word.1, 0, Marker::Bare, false))
        });
        let Some((hour, mut minute, mut marker, leading_zero)) = parsed else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        if marker == Marker::Bare {
            match at(tokens, j) {
                "h" | "hs" | "hrs" | "hr" | "horas" | "hora" | "oclock" => {
                    marker = Marker::H;
                    j += 1;
                }
                "am" => {
                    marker = Marker::Am;
                    j += 1;
                }
                "pm" => {
                    marker = Marker::Pm;
                    j += 1;
                }
                _ => {}
            }
            if matches!(marker, Marker::Am | Marker::Pm) && !(1..=12).contains(&hour) {
                i += 1;
                continue;
            }
        }
        if at(tokens, j) == "e" && at(tokens, j + 1) == "meia" && minute == 0 {
            minute = 30;
            j += 2;
        } else if at(tokens, j) == "e"
            && marker != Marker::Colon
            && minute == 0
            && let next_num = at(tokens, j + 1)
            && next_num.len() == 2
            && is_digits(next_num)
            && let Ok(m) = next_num.parse::<i8>()
            && m < 60
        {
            minute = m;
            j += 2;
        }
        let adjust = period_after(tokens, j);
        if marker == Marker::Bare {
            let cue = TIME_CUES.contains(&prev);
            let after_day = is_day_word(prev) && (7..=20).contains(&hour);
            let counted = COUNT_NOUNS.contains(&at(tokens, j));
            if !(cue || after_day || adjust.is_some()) || counted || !(0..=23).contains(&hour) {
                i += 1;
                continue;
            }
        }
        if let Some((_, w)) = adjust {
            j += w;
        }
        let period = adjust.map(|(p, _)| p);
        let (h, alt) = match (marker, period) {
            (Marker::Am, _) => (hour % 12, None),
            (Marker::Pm, _) => (hour % 12 + 12, None),
            (_, Some(DayPeriod::Afternoon | DayPeriod::Evening)) if hour < 12 => (hour + 12, None),
            (_, Some(_)) => (hour, None),
            // A clinic is open in the afternoon, not at 2 in the morning.
            _ if (1..=6).contains(&hour) && !leading_zero => (hour + 12, Some(hour)),
            _ => (hour, None),
        };
        if let Ok(time) = Time::new(h, minute, 0, 0) {
            let alternative = alt.and_then(|a| Time::new(a, minute, 0, 0).ok());
            times.push(TimeCandidate { time, alternative, token: i, period });
        }
        for c in consumed.iter_mut().take(j).skip(i) {
            *c = true;
        }
        i = j;
    }

    // Periods.
    let mut period = times.iter().find_map(|t| t.period);
    let mut period_token = None;
    if period.is_none() {
        for i in 0..n {
            let t = tokens[i];
            let prev = before(tokens, i, 1);
            let found = match t {
                "manha" => Some(DayPeriod::Morning),
                "tarde" if !matches!(prev, "boa" | "mais") && at(tokens, i + 1) != "demais" => {
                    Some(DayPeriod::Afternoon)
                }
                "noite" if prev != "boa" => Some(DayPeriod::Evening),
                "morning" | "afternoon" | "evening" if prev != "good" => period_word(t),
                "night" if !matches!(prev, "good" | "last") => Some(DayPeriod::Evening),
                "tonight" => Some(DayPeriod::Evening),
                "work" if prev == "after" => Some(DayPeriod::Evening),
                "trabalho" | "expediente"
                    if matches!(prev, "do" | "o") && before(tokens, i, 2) == "depois" =>
                {
                    Some(DayPeriod::Evening)
                }
                "trabalho" | "expediente" if prev == "o" && before(tokens, i, 2) == "apos" => {
                    Some(DayPeriod::Evening)
                }
                _ => None,
            };
            if found.is_some() {
                period = found;
                period_token = Some(i);
                break;
            }
        }
    }

    // Choose: a date or time introduced by "para", "to", "pode ser" wins; then the first written.
    fn pick<T>(items: &[T], token: impl Fn(&T) -> usize, tokens: &[&str]) -> Option<usize> {
        items.iter().rposition(|x| directional(tokens, token(x))).or(if items.is_empty() {
            None
        } else {
            Some(0)
        })
    }
    let numeric: Vec<DateCandidate> = dates.iter().copied().filter(|d| d.numeric).collect();
    let mut all_dates: Vec<DateCandidate> = dates.iter().copied().filter(|d| !d.numeric).collect();
    all_dates.extend(weekdays.iter().map(|(m, d)| DateCandidate {
        date: *d,
        token: m.token,
        numeric: false,
    }));
    all_dates.sort_by_key(|d| d.token);
    let date = if numeric.is_empty() {
        pick(&all_dates, |d| d.token, tokens).map(|k| all_dates[k])
    } else {
        pick(&numeric, |d| d.token, tokens).map(|k| numeric[k])
    };
    let weekday = pick(&weekdays, |w| w.0.token, tokens).map(|k| weekdays[k].0);
    let time = pick(&times, |t| t.token, tokens).map(|k| &times[k]);

    positions.extend(dates.iter().map(|d| d.token));
    positions.extend(weekdays.iter().map(|w| w.0.token));
    positions.extend(times.iter().map(|t| t.token));
    positions.extend(period_token);
    positions.sort_unstable();

    Extraction {
        entities: Entities {
            date: date.map(|d| d.date),
            weekday: weekday.map(|w| w.day),
            time: time.map(|t| t.time),
            period,
            name: None,
        },
        weekday,
        consumed,
        time_alternative: time.and_then(|t| t.alternative),
        positions,
    }
}

// ---- names ---------------------------------------------------------------------------------

/// Words that end a name ("meu nome é Ana e quero marcar").
const NAME_STOP: &[&str] = &[
    "e", "and", "i", "eu", "quero", "queria", "gostaria", "preciso", "tenho", "sou", "from", "de", "da",
    "do", "aqui", "here", "please", "por", "favor", "obrigado", "obrigada", "thanks", "but", "mas", "com",
    "with", "to", "para", "pra", "que", "who", "que", "a", "o", "the",
];
const NAME_JOINERS: &[&str] = &["da", "de", "do", "dos", "das", "di", "del", "van", "von", "e"];

/// Where a name follows: (cue words, strength). Strong cues take any word; weak cues only an
/// unknown or capitalised one.
const NAME_CUES: &[(&[&str], Cue)] = &[
    (&["meu", "nome", "e"], Cue::Strong),
    (&["meu", "nome"], Cue::Strong),
    (&["me", "chamo"], Cue::Strong),
    (&["me", "chamar", "de"], Cue::Strong),
    (&["my", "name", "is"], Cue::Strong),
    (&["my", "names"], Cue::Strong),
    (&["call", "me"], Cue::Strong),
    (&["aqui", "quem", "fala", "e"], Cue::Weak),
    (&["quem", "fala", "e"], Cue::Weak),
    (&["aqui", "e", "a"], Cue::Weak),
    (&["aqui", "e", "o"], Cue::Weak),
    (&["aqui", "e"], Cue::Weak),
    (&["sou", "a"], Cue::Weak),
    (&["sou", "o"], Cue::Weak),
    (&["sou"], Cue::Weak),
    (&["fala", "a"], Cue::Weak),
    (&["fala", "o"], Cue::Weak),
    (&["this", "is"], Cue::Weak),
    (&["it", "is"], Cue::Capitalised),
    (&["i", "am"], Cue::Capitalised),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Strong,
    Weak,
    Capitalised,
}

/// "joão" -> "João", "DA" -> "da", "d'ávila" -> "D'Ávila".
fn capitalise(word: &str, joiner: bool) -> String {
    let lower = word.to_lowercase();
    if joiner {
        return lower;
    }
    let mut out = String::with_capacity(lower.len());
    let mut upper_next = true;
    for c in lower.chars() {
        if upper_next && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
        if matches!(c, '\'' | '’' | '-') {
            upper_next = true;
        }
    }
    out
}

/// The patient's name and the tokens it covers.
pub(crate) fn extract_name(tokens: &[Token], raw: &str) -> Option<(String, std::ops::Range<usize>)> {
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let all_caps = !raw.chars().any(char::is_lowercase);
    let raw_of = |t: &Token| raw.get(t.start..t.end).unwrap_or("");
    let capitalised = |t: &Token| !all_caps && raw_of(t).chars().next().is_some_and(char::is_uppercase);
    // Punctuation between two tokens ends a name.
    let broken = |a: &Token, b: &Token| {
        a.end >= b.start
            || raw.get(a.end..b.start).is_none_or(|gap| gap.contains([',', '.', ';', '!', '?', ':', '\n']))
    };
    let is_word = |t: &Token| t.text.len() >= 2 && t.text.bytes().all(|b| b.is_ascii_lowercase());

    for start in 0..words.len() {
        for (cue, strength) in NAME_CUES {
            if !words[start..].starts_with(cue) {
                continue;
            }
            let first = start + cue.len();
            let Some(tok) = tokens.get(first) else { continue };
            // Expanded abbreviations share a source; a name is one raw word per token.
            if !is_word(tok) || NAME_STOP.contains(&tok.text.as_str()) {
                continue;
            }
            let known = lexicon::is_known(&tok.text);
            let accept = match strength {
                Cue::Strong => true,
                Cue::Weak => !known,
                Cue::Capitalised => !known && capitalised(tok),
            };
            if !accept {
                continue;
            }
            let mut end = first + 1;
            while end < tokens.len() && end - first < 5 {
                let t = &tokens[end];
                if broken(&tokens[end - 1], t) || !is_word(t) {
                    break;
                }
                let joiner = NAME_JOINERS.contains(&t.text.as_str());
                if joiner {
                    // A joiner only counts if a name word follows it.
                    let follows = tokens.get(end + 1).is_some_and(|n| {
                        is_word(n) && !broken(t, n) && (!lexicon::is_known(&n.text) || capitalised(n))
                    });
                    if !follows || t.text == "e" {
                        break;
                    }
                    end += 1;
                    continue;
                }
                if NAME_STOP.contains(&t.text.as_str()) || (lexicon::is_known(&t.text) && !capitalised(t)) {
                    break;
                }
                end += 1;
            }
            let name: Vec<String> = tokens[first..end]
                .iter()
                .map(|t| capitalise(raw_of(t), NAME_JOINERS.contains(&t.text.as_str())))
                .collect();
            return Some((name.join(" "), first..end));
        }
    }
    None
}
