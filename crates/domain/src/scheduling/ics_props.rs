//! Properties of the calendar file over arbitrary text from staff and patients (service
//! names, addresses, notes): the output is always well-formed RFC 5545 (CRLF lines of at
//! most 75 octets, no control characters) and a client reading it back gets the text
//! that went in.

use super::*;
use proptest::prelude::*;

/// Text with what breaks calendar files: the TEXT specials, every newline style,
/// control characters, multi-byte characters that may straddle the fold.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,200}",
        prop::collection::vec(any::<char>(), 0..120).prop_map(|c| c.into_iter().collect()),
        prop::collection::vec(
            prop::sample::select(vec![
                "\\", ";", ",", "\r\n", "\n", "\r", "\t", "\u{7}", "ç", "🦷", "a", " ", ":"
            ]),
            0..120,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // 1970 to 2100: what an appointment can carry.
    (0i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn status() -> impl Strategy<Value = AppointmentStatus> {
    prop::sample::select(vec![
        AppointmentStatus::Booked,
        AppointmentStatus::Confirmed,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::Completed,
        AppointmentStatus::NoShow,
        AppointmentStatus::Cancelled,
    ])
}

/// What a calendar client does with a TEXT value: undo the escapes.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The text as it should come back: newlines normalised, other controls dropped.
fn expected(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

fn property<'a>(ics: &'a str, name: &str) -> Option<&'a str> {
    ics.split("\r\n").find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn calendar_files_are_well_formed_and_read_back(
        summary in text(),
        location in proptest::option::of(text()),
        description in proptest::option::of(text()),
        start in timestamp(),
        minutes in -60i64..600,
        sequence in any::<u32>(),
        status in status(),
    ) {
        let event = CalendarEvent {
            appointment_id: crate::AppointmentId::new(),
            start,
            end: start.checked_add(jiff::SignedDuration::from_mins(minutes)).unwrap(),
            stamp: start,
            sequence,
            summary: &summary,
            location: location.as_deref(),
            description: description.as_deref(),
            status,
        };
        let ics = appointment_ics(&event);
        prop_assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        prop_assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        // Every line break is CRLF, and every physical line fits in 75 octets.
        prop_assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        prop_assert_eq!(ics.matches('\r').count(), ics.matches("\r\n").count());
        for line in ics.split("\r\n") {
            prop_assert!(line.len() <= 75, "{} octets", line.len());
            prop_assert!(!line.chars().any(|c| c.is_control() && c != '\t'));
        }
        let unfolded = unfold(&ics);
        prop_assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 1);
        let read_summary = unescape(property(&unfolded, "SUMMARY").unwrap());
        if summary.trim().is_empty() {
            prop_assert_eq!(read_summary, "Appointment");
        } else {
            prop_assert_eq!(read_summary, expected(&summary));
        }
        match location.as_deref().filter(|l| !l.trim().is_empty()) {
            Some(l) => prop_assert_eq!(unescape(property(&unfolded, "LOCATION").unwrap()), expected(l)),
            None => prop_assert!(property(&unfolded, "LOCATION").is_none()),
        }
        match description.as_deref().filter(|d| !d.trim().is_empty()) {
            Some(d) => prop_assert_eq!(unescape(property(&unfolded, "DESCRIPTION").unwrap()), expected(d)),
            None => prop_assert!(property(&unfolded, "DESCRIPTION").is_none()),
        }
        prop_assert_eq!(property(&unfolded, "DTEND").is_some(), minutes > 0);
        let sequence_text = sequence.to_string();
        prop_assert_eq!(property(&unfolded, "SEQUENCE"), Some(sequence_text.as_str()));
        let dtstart = property(&unfolded, "DTSTART").unwrap();
        let parsed = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", dtstart).unwrap();
        prop_assert_eq!(parsed.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp(), start);
    }

    #[test]
    fn folding_never_splits_a_character(line in "\\PC{0,400}") {
        let mut out = String::new();
        push_folded(&mut out, &line);
        prop_assert!(out.ends_with("\r\n"));
        for physical in out.trim_end_matches("\r\n").split("\r\n") {
            prop_assert!(physical.len() <= 75);
        }
        let unfolded = unfold(&out);
        prop_assert_eq!(unfolded.trim_end_matches("\r\n"), line.as_str());
    }
}
