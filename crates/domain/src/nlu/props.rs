//! Properties of message understanding over hostile input (what a patient, or someone
//! pretending to be one, can send): it never panics, its answers stay in range, and
//! long messages cost no more than their first [`MAX_CHARS`] characters.

use super::*;
use jiff::civil::date;
use proptest::prelude::*;
use std::time::{Duration, Instant};

const TODAY: Date = Date::constant(2026, 6, 3);

fn offered(n: usize) -> Vec<OfferedSlot> {
    (0..n).map(|i| OfferedSlot { local_start: date(2026, 6, 8).at(9 + i as i8, 0, 0, 0) }).collect()
}

/// Words the matcher and the spelling corrector work hardest on, in long runs.
fn wordy(max: usize) -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "quero", "marcar", "nao", "não", "sim", "amanhã", "14:30", "12/10", "às", "a", "segunda", "opção",
        "2", "meu", "nome", "é", "Maria", "oiiiiiii", "kkkkkkk", "agnedar", "👍", "😂", "vc", "pfv", "don't",
        "tomorrow", "at", "3pm", "nenhum", "outro", "horário", "urgente", "dor", "...", "?",
    ]);
    prop::collection::vec((word, prop::sample::select(vec![" ", "", "\n", ", "])), 0..max)
        .prop_map(|parts| parts.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn answers_stay_in_range(text in prop_oneof![wordy(60), "\\PC{0,200}"], n in 0usize..6) {
        let offered = offered(n);
        let reply = understand(&text, &offered, TODAY);
        prop_assert!((0.0..=1.0).contains(&reply.confidence));
        if let Some(SlotChoice::Index(i)) = reply.slot_choice {
            prop_assert!(i < n, "slot {i} of {n} offered");
        }
        if n == 0 {
            prop_assert!(!matches!(reply.slot_choice, Some(SlotChoice::Index(_))));
        }
        // The answer is plain data: it survives the JSON the API and the store use.
        let json = serde_json::to_string(&reply).unwrap();
        let back: Understanding = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.intent, reply.intent);
        prop_assert_eq!(back.slot_choice, reply.slot_choice);
    }

    /// Only the first MAX_CHARS characters are read, so a 100 000-character message is
    /// understood exactly as its head and in bounded time.
    #[test]
    fn long_messages_are_read_up_to_the_limit(head in wordy(900), filler in "\\PC{1,8}", repeats in 1usize..20_000) {
        let text = format!("{head}{}", filler.repeat(repeats));
        let cut: String = text.chars().take(MAX_CHARS).collect();
        let started = Instant::now();
        let long = understand(&text, &offered(3), TODAY);
        let took = started.elapsed();
        prop_assert_eq!(long, understand(&cut, &offered(3), TODAY));
        // Generous (unoptimised build, busy CI machine): a few ms in practice.
        prop_assert!(took < Duration::from_secs(2), "{took:?} for {} chars", text.chars().count());
    }

    #[test]
    fn normalize_never_panics_and_stays_proportionate(chars in prop::collection::vec(any::<char>(), 0..300)) {
        let text: String = chars.into_iter().collect();
        let once = normalize(&text);
        // Expansions ("vc" -> "voce", emoji -> words) grow text by a bounded factor.
        prop_assert!(once.len() <= 16 * text.len() + 16, "{} -> {} bytes", text.len(), once.len());
        prop_assert_eq!(normalize(&once), once);
    }
}

/// The worst inputs found for tokenisers: one enormous word, one long run of a letter,
/// digits and separators the time parser looks at, each at 1 MB.
#[test]
fn pathological_long_inputs_finish_quickly() {
    let cases = [
        "a".repeat(1 << 20),
        "kk".repeat(1 << 19),
        "1:".repeat(1 << 19),
        "é".repeat(1 << 19),
        "não ".repeat(1 << 18),
        "👍".repeat(1 << 18),
    ];
    for text in &cases {
        let started = Instant::now();
        let _ = understand(text, &offered(3), TODAY);
        let understood = started.elapsed();
        assert!(understood < Duration::from_secs(2), "understand: {understood:?}");
    }
}
