//! RFC 5545 calendar files for one appointment, so patients and staff can add it to any
//! calendar app.

use super::appointment::AppointmentStatus;
use crate::AppointmentId;
use jiff::Timestamp;
use jiff::tz::Offset;

/// What goes into the VEVENT. Times are written in UTC (`Z` form), which every client
/// reads without needing a VTIMEZONE block; the client shows them in its own zone.
#[derive(Debug, Clone, Copy)]
pub struct CalendarEvent<'a> {
    pub appointment_id: AppointmentId,
    pub start: Timestamp,
    pub end: Timestamp,
    /// When this file was produced (DTSTAMP).
    pub stamp: Timestamp,
    /// Bumped on every reschedule so clients replace their copy instead of keeping both.
    pub sequence: u32,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: Option<&'a str>,
    pub status: AppointmentStatus,
}

/// VEVENT STATUS describes the event, not attendance (RFC 5545 has no property for
/// that): an unconfirmed booking is TENTATIVE, cancelled is CANCELLED, and every other
/// status, including a no-show, is an event that did take its place in the calendar.
fn status_value(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "TENTATIVE",
        AppointmentStatus::Cancelled => "CANCELLED",
        AppointmentStatus::Confirmed
        | AppointmentStatus::CheckedIn
        | AppointmentStatus::Completed
        | AppointmentStatus::NoShow => "CONFIRMED",
    }
}

/// `YYYYMMDDTHHMMSSZ`.
fn utc(ts: Timestamp) -> String {
    let dt = Offset::UTC.to_datetime(ts);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Escapes a TEXT value (RFC 5545 3.3.11). Line breaks of any style become `\n`; other
/// control characters are not allowed in TEXT and are dropped.
pub fn escape_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes one content line folded at 75 octets (RFC 5545 3.1): continuation lines start
/// with a space, which counts towards their 75, and a UTF-8 character is never split.
pub fn push_folded(out: &mut String, line: &str) {
    const LIMIT: usize = 75;
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

/// A complete VCALENDAR holding one VEVENT, with CRLF line endings.
pub fn appointment_ics(event: &CalendarEvent<'_>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Frontdesk//Frontdesk//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@frontdesk", event.appointment_id),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("SEQUENCE:{}", event.sequence),
        format!("DTSTART:{}", utc(event.start)),
    ];
    // Without DTEND the event ends at its start, which is still valid; an end at or
    // before the start would not be.
    if event.end > event.start {
        lines.push(format!("DTEND:{}", utc(event.end)));
    }
    let summary = if event.summary.trim().is_empty() { "Appointment" } else { event.summary };
    lines.push(format!("SUMMARY:{}", escape_text(summary)));
    if let Some(location) = event.location.filter(|l| !l.trim().is_empty()) {
        lines.push(format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(description) = event.description.filter(|d| !d.trim().is_empty()) {
        lines.push(format!("DESCRIPTION:{}", escape_text(description)));
    }
    lines.push(format!("STATUS:{}", status_value(event.status)));
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());

    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 4).sum());
    for line in &lines {
        push_folded(&mut out, line);
    }
    out
}

/// Joins folded lines back together, the way a calendar client reads them.
#[cfg(test)]
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(summary: &'a str, location: Option<&'a str>) -> CalendarEvent<'a> {
        CalendarEvent {
            appointment_id: "0190f1e2-7c3a-7b2e-8f00-000000000001".parse().unwrap(),
            start: "2025-03-09T14:00:00Z".parse().unwrap(),
            end: "2025-03-09T14:30:00Z".parse().unwrap(),
            stamp: "2025-03-01T12:00:00.5Z".parse().unwrap(),
            sequence: 2,
            summary,
            location,
            description: None,
            status: AppointmentStatus::Confirmed,
        }
    }

    #[test]
    fn a_minimal_calendar_is_exactly_this() {
        let ics = appointment_ics(&event("Consulta - Dra. Ana", Some("Rua A, 10; sala 2")));
        let expected = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Frontdesk//Frontdesk//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            "UID:0190f1e2-7c3a-7b2e-8f00-000000000001@frontdesk",
            "DTSTAMP:20250301T120000Z",
            "SEQUENCE:2",
            "DTSTART:20250309T140000Z",
            "DTEND:20250309T143000Z",
            "SUMMARY:Consulta - Dra. Ana",
            "LOCATION:Rua A\\, 10\\; sala 2",
            "STATUS:CONFIRMED",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
        .join("\r\n");
        assert_eq!(ics, expected);
    }

    #[test]
    fn escaping_covers_specials_and_every_newline_style() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("one\r\ntwo\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape_text("bell\u{7}tab\t"), "belltab\t");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let summary = "Avaliação ortodôntica com a Dra. Conceição ".repeat(4);
        let ics = appointment_ics(&event(&summary, None));
        assert!(ics.ends_with("\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        assert!(ics.contains("\r\n "), "expected a folded line");
        assert!(unfold(&ics).contains(&format!("SUMMARY:{}", escape_text(&summary))));
        // No bare LF or CR anywhere: every line break is CRLF.
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        assert_eq!(ics.matches('\r').count(), ics.matches("\r\n").count());
    }

    #[test]
    fn folding_is_exact_at_the_boundary() {
        let mut out = String::new();
        push_folded(&mut out, &"x".repeat(75));
        assert_eq!(out, format!("{}\r\n", "x".repeat(75)));
        out.clear();
        push_folded(&mut out, &"x".repeat(76));
        assert_eq!(out, format!("{}\r\n x\r\n", "x".repeat(75)));
        out.clear();
        // A 2-octet character that would straddle octet 75 moves to the next line.
        push_folded(&mut out, &format!("{}é", "x".repeat(74)));
        assert_eq!(out, format!("{}\r\n é\r\n", "x".repeat(74)));
    }

    #[test]
    fn statuses_and_degenerate_inputs() {
        let mut e = event("  ", Some(" "));
        e.status = AppointmentStatus::Cancelled;
        e.end = e.start;
        let ics = appointment_ics(&e);
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
        assert!(ics.contains("SUMMARY:Appointment\r\n"));
        assert!(!ics.contains("DTEND"));
        assert!(!ics.contains("LOCATION"));
        e.status = AppointmentStatus::Booked;
        assert!(appointment_ics(&e).contains("STATUS:TENTATIVE\r\n"));
    }
}

#[cfg(test)]
#[path = "ics_props.rs"]
mod props;
