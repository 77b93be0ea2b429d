//! What each fuzz target does with one input, shared by the libFuzzer entry points (under
//! `cargo fuzz`, `cfg(fuzzing)`) and the stable replay binaries. Every function must
//! return normally for any input: a panic is a finding. Besides "no panic", each checks
//! the cheap invariants the parsers promise (the property tests beside the parsers check
//! the rest).

use frontdesk_domain::contact::PhoneE164;
use frontdesk_domain::nlu::{self, OfferedSlot};
use frontdesk_domain::scheduling::{CalendarEvent, appointment_ics, escape_text};
use std::path::Path;

/// Twilio's form-encoded webhooks (inbound message and status callback) and their
/// signature check.
pub fn twilio_form(data: &[u8]) {
    use frontdesk_providers::twilio::{parse_form, parse_inbound, parse_status, verify_signature};
    let params = parse_form(data);
    let _ = parse_inbound(&params);
    let _ = parse_status(&params);
    let header = std::str::from_utf8(data.get(..data.len().min(40)).unwrap_or_default()).ok();
    let _ = verify_signature("token", "https://x.example/webhooks/twilio/t/messages", data, header);
}

/// VAPI server URL messages.
pub fn vapi_message(data: &[u8]) {
    let _ = frontdesk_providers::vapi::parse_server_message(data);
}

/// Helena CRM webhook events.
pub fn helena_event(data: &[u8]) {
    let _ = frontdesk_providers::helena::parse_event(data);
}

/// A lead list uploaded for import.
pub fn leads_csv(data: &[u8]) {
    if let Ok(file) = frontdesk_engine::leads::LeadsCsv::read(data) {
        assert!(file.rows() as usize <= data.len());
    }
}

/// A patient's message: intent, entities and the choice among offered slots.
pub fn nlu_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let today = jiff::civil::date(2026, 6, 3);
    let offered: Vec<OfferedSlot> =
        (0..3).map(|i| OfferedSlot { local_start: today.tomorrow().unwrap().at(9 + i, 0, 0, 0) }).collect();
    let reply = nlu::understand(&text, &offered, today);
    assert!((0.0..=1.0).contains(&reply.confidence));
    if let Some(nlu::SlotChoice::Index(i)) = reply.slot_choice {
        assert!(i < offered.len());
    }
    let once = nlu::normalize(&text);
    assert_eq!(nlu::normalize(&once), once, "normalize is idempotent");
}

/// A phone number as typed: the first byte picks the region, the rest is the number.
pub fn phone_number(data: &[u8]) {
    const REGIONS: [&str; 6] = ["BR", "US", "PT", "GB", "AR", "ZZ"];
    let Some((first, rest)) = data.split_first() else { return };
    let region = REGIONS[usize::from(*first) % REGIONS.len()];
    let raw = String::from_utf8_lossy(rest);
    if let Ok(phone) = PhoneE164::parse(&raw, region) {
        assert!(phone.as_str().starts_with('+'));
        assert_eq!(PhoneE164::parse(phone.as_str(), "BR").as_ref(), Ok(&phone), "E.164 round-trips");
    }
}

/// Free text (service names, addresses, notes) written into a calendar file.
pub fn ics_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (summary, rest) =
        text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    let start = jiff::Timestamp::from_second(1_780_000_000).unwrap();
    let event = CalendarEvent {
        appointment_id: frontdesk_domain::AppointmentId::new(),
        start,
        end: start,
        stamp: start,
        sequence: 0,
        summary,
        location: Some(rest),
        description: Some(&text),
        status: frontdesk_domain::scheduling::AppointmentStatus::Booked,
    };
    let ics = appointment_ics(&event);
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "a line over 75 octets");
        assert!(!line.contains(['\r', '\n']), "a bare line break");
    }
    let _ = escape_text(&text);
}

/// The stable build's `main`: runs `target` once on each file named on the command line
/// (directories are walked one level, like a corpus), or on standard input.
pub fn replay(target: fn(&[u8])) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        let mut input = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut input).expect("reading standard input");
        target(&input);
        return;
    }
    let mut count = 0usize;
    for arg in args {
        let path = Path::new(&arg);
        let files: Vec<_> = if path.is_dir() {
            std::fs::read_dir(path).expect("reading the corpus").flatten().map(|e| e.path()).collect()
        } else {
            vec![path.to_path_buf()]
        };
        for file in files.into_iter().filter(|f| f.is_file()) {
            target(&std::fs::read(&file).expect("reading an input"));
            count += 1;
        }
    }
    eprintln!("{count} inputs, no panic");
}
