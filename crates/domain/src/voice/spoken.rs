//! Slots and appointments as an assistant says them on the phone: the weekday, the day and
//! month, the time and who, in the clinic's language. No years, no time zones, no seconds.

use crate::tenant::Locale;
use jiff::civil::{DateTime, Weekday};

fn weekday(locale: Locale, d: Weekday) -> &'static str {
    match (locale, d) {
        (Locale::PtBr, Weekday::Monday) => "segunda-feira",
        (Locale::PtBr, Weekday::Tuesday) => "terça-feira",
        (Locale::PtBr, Weekday::Wednesday) => "quarta-feira",
        (Locale::PtBr, Weekday::Thursday) => "quinta-feira",
        (Locale::PtBr, Weekday::Friday) => "sexta-feira",
        (Locale::PtBr, Weekday::Saturday) => "sábado",
        (Locale::PtBr, Weekday::Sunday) => "domingo",
        (Locale::En, Weekday::Monday) => "Monday",
        (Locale::En, Weekday::Tuesday) => "Tuesday",
        (Locale::En, Weekday::Wednesday) => "Wednesday",
        (Locale::En, Weekday::Thursday) => "Thursday",
        (Locale::En, Weekday::Friday) => "Friday",
        (Locale::En, Weekday::Saturday) => "Saturday",
        (Locale::En, Weekday::Sunday) => "Sunday",
    }
}

fn month(locale: Locale, m: i8) -> &'static str {
    const PT: [&str; 12] = [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = usize::try_from(m.clamp(1, 12) - 1).unwrap_or(0);
    match locale {
        Locale::PtBr => PT[i],
        Locale::En => EN[i],
    }
}

/// "segunda-feira, 8 de junho, às 10:00, com Dra. Ana" / "Monday, June 8, at 10:00 AM,
/// with Dr. Ana".
pub fn when_with(locale: Locale, local: DateTime, who: Option<&str>) -> String {
    let (h, m) = (local.hour(), local.minute());
    let day = weekday(locale, local.weekday());
    let mut text = match locale {
        Locale::PtBr => {
            format!("{day}, {} de {}, às {h:02}:{m:02}", local.day(), month(locale, local.month()))
        }
        Locale::En => {
            let (h12, half) = match h {
                0 => (12, "AM"),
                1..=11 => (h, "AM"),
                12 => (12, "PM"),
                _ => (h - 12, "PM"),
            };
            format!("{day}, {} {}, at {h12}:{m:02} {half}", month(locale, local.month()), local.day())
        }
    };
    if let Some(who) = who {
        text.push_str(match locale {
            Locale::PtBr => ", com ",
            Locale::En => ", with ",
        });
        text.push_str(who);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages() {
        let t: DateTime = "2026-06-08T10:00".parse().unwrap();
        assert_eq!(
            when_with(Locale::PtBr, t, Some("Dra. Ana")),
            "segunda-feira, 8 de junho, às 10:00, com Dra. Ana"
        );
        assert_eq!(when_with(Locale::En, t, None), "Monday, June 8, at 10:00 AM");
        let t: DateTime = "2026-12-31T14:30".parse().unwrap();
        assert_eq!(
            when_with(Locale::En, t, Some("Dr. Lee")),
            "Thursday, December 31, at 2:30 PM, with Dr. Lee"
        );
        assert_eq!(when_with(Locale::PtBr, t, None), "quinta-feira, 31 de dezembro, às 14:30");
    }
}
