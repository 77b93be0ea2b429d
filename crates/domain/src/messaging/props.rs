//! Properties of the messaging rules over arbitrary input: keyword detection never
//! panics and only fires on a lone keyword; status never moves backwards; quiet hours
//! always answer with the earliest allowed instant, never before the one asked about.

use super::*;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const OPT_OUT: [&str; 5] = ["stop", "parar", "sair", "descadastrar", "unsubscribe"];
const OPT_IN: [&str; 2] = ["start", "voltar"];

/// Decorates a keyword the way people type it: random case per letter, an acute accent
/// on some vowels, and punctuation or spaces around it.
fn decorate(word: &str, upper: &[bool], accent: &[bool], before: &str, after: &str) -> String {
    let mut out = String::from(before);
    for (i, c) in word.chars().enumerate() {
        let c = if upper.get(i).copied().unwrap_or(false) { c.to_ascii_uppercase() } else { c };
        let accented = match (accent.get(i).copied().unwrap_or(false), c) {
            (true, 'a') => 'á',
            (true, 'A') => 'Á',
            (true, 'e') => 'ê',
            (true, 'o') => 'ó',
            (true, 'U') => 'Ú',
            _ => c,
        };
        out.push(accented);
    }
    out.push_str(after);
    out
}

fn wrapper() -> impl Strategy<Value = String> {
    "[ .!?,;:\"'()\\n\\t…¡¿*-]{0,4}"
}

proptest! {
    #[test]
    fn keyword_never_panics(text in any::<String>()) {
        let _ = keyword(&text);
    }

    #[test]
    fn decorated_keywords_are_recognised(
        which in 0usize..7,
        upper in prop::collection::vec(any::<bool>(), 12),
        accent in prop::collection::vec(any::<bool>(), 12),
        before in wrapper(),
        after in wrapper(),
    ) {
        let (word, expected) = if which < 5 {
            (OPT_OUT[which], ConsentKeyword::OptOut)
        } else {
            (OPT_IN[which - 5], ConsentKeyword::OptIn)
        };
        let text = decorate(word, &upper, &accent, &before, &after);
        prop_assert_eq!(keyword(&text), Some(expected), "{:?}", text);
    }

    #[test]
    fn a_keyword_inside_a_sentence_is_not_one(
        which in 0usize..7,
        other in "[a-zA-Záéíóúç0-9]{1,12}",
        first in any::<bool>(),
    ) {
        let word = [OPT_OUT.as_slice(), OPT_IN.as_slice()].concat()[which];
        let text = if first { format!("{word} {other}") } else { format!("{other} {word}") };
        prop_assert_eq!(keyword(&text), None, "{:?}", text);
    }

    #[test]
    fn advance_never_moves_backwards(
        current in prop::sample::select(MessageStatus::ALL.to_vec()),
        incoming in prop::sample::select(MessageStatus::ALL.to_vec()),
    ) {
        if let Some(next) = advance(current, incoming) {
            prop_assert_eq!(next, incoming);
            prop_assert!(next.rank() > current.rank());
            prop_assert!(current != MessageStatus::Received && next != MessageStatus::Received);
        }
    }

    #[test]
    fn any_order_of_callbacks_ends_on_the_highest_status(
        reports in prop::collection::vec(prop::sample::select(MessageStatus::ALL.to_vec()), 0..12),
        seed in any::<u64>(),
    ) {
        let apply = |seq: &[MessageStatus]| {
            seq.iter().fold(MessageStatus::Queued, |s, r| advance(s, *r).unwrap_or(s))
        };
        let highest = reports
            .iter()
            .filter(|s| **s != MessageStatus::Received)
            .map(MessageStatus::rank)
            .max()
            .unwrap_or(0);
        let mut shuffled = reports.clone();
        // A cheap deterministic shuffle: rotate by the seed, then reverse on odd seeds.
        if !shuffled.is_empty() {
            let k = usize::try_from(seed % shuffled.len() as u64).unwrap_or(0);
            shuffled.rotate_left(k);
        }
        if seed % 2 == 1 {
            shuffled.reverse();
        }
        prop_assert_eq!(apply(&reports).rank(), highest);
        prop_assert_eq!(apply(&shuffled).rank(), highest);
    }
}

/// A zone without DST, two with it on either hemisphere, one with a 30-minute DST shift
/// and one with a quarter-hour offset.
const ZONES: [&str; 6] = [
    "America/Sao_Paulo",
    "America/New_York",
    "Europe/Lisbon",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "UTC",
];

fn quarter(q: u32) -> Time {
    let minutes = q * 15;
    Time::new(i8::try_from(minutes / 60).unwrap_or(0), i8::try_from(minutes % 60).unwrap_or(0), 0, 0)
        .unwrap_or(Time::midnight())
}

prop_compose! {
    fn arb_quiet_hours()(
        start in 0u32..96,
        end in 0u32..96,
        off in prop::collection::btree_set(0i8..7, 0..7),
    ) -> QuietHours {
        let days_off: Vec<Weekday> = off
            .into_iter()
            .take(6) // seven days off allow nothing; `validate` rejects that
            .filter_map(|d| Weekday::from_monday_zero_offset(d).ok())
            .collect();
        QuietHours { start: quarter(start), end: quarter(end), days_off }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn next_allowed_is_the_earliest_allowed_instant_not_before_at(
        zone in 0usize..ZONES.len(),
        q in arb_quiet_hours(),
        // 2025-01-01 .. 2027-12-31 in seconds, plus any sub-second part.
        secs in 1_735_689_600i64..1_830_297_600,
        nanos in 0i32..1_000_000_000,
    ) {
        let tz = TimeZone::get(ZONES[zone]).unwrap();
        let at = Timestamp::new(secs, nanos).unwrap();
        let next = next_allowed(at, &tz, &q);
        prop_assert!(next >= at);
        prop_assert!(q.allows(tz.to_datetime(next)), "{} not allowed", tz.to_datetime(next));
        prop_assert!(next.duration_since(at) <= SignedDuration::from_hours(8 * 24));
        // Minimal: every allowed period starts on a quarter hour (local boundaries are
        // on the quarter hour and every zone offset here is a whole number of quarter
        // hours), so checking the quarter hours between `at` and `next` finds any that
        // was skipped.
        let step = 15 * 60;
        let mut probe = (secs / step + 1) * step;
        while probe < next.as_second() {
            let t = Timestamp::from_second(probe).unwrap();
            prop_assert!(!q.allows(tz.to_datetime(t)), "{} was allowed before {}", tz.to_datetime(t), tz.to_datetime(next));
            probe += step;
        }
        if next > at {
            let just_before = next - SignedDuration::from_nanos(1);
            prop_assert!(!q.allows(tz.to_datetime(just_before)));
        }
    }
}

/// Pieces of template syntax, so that generated sources get past the lexer often.
const TEMPLATE_TOKENS: [&str; 24] = [
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    " for x in slots ",
    " endfor ",
    " if ",
    " endif ",
    " else ",
    "patient_first_name",
    "slots",
    "loop.index",
    " | upper",
    " | join(', ')",
    "(",
    ")",
    "[",
    "]",
    "'",
    " * 99999 ",
    " ~ ",
    "Olá ",
];

proptest! {
    #[test]
    fn rendering_arbitrary_sources_never_panics(
        raw in any::<String>(),
        pieces in prop::collection::vec(prop::sample::select(TEMPLATE_TOKENS.to_vec()), 0..40),
        locale in prop::sample::select(vec![crate::tenant::Locale::PtBr, crate::tenant::Locale::En]),
    ) {
        let vars = TemplateKey::BookingOffer.sample_variables(locale);
        let tokens = pieces.concat();
        for source in [raw.as_str(), tokens.as_str()] {
            let _ = validate_source(source);
            if let Ok(text) = render(TemplateKey::BookingOffer, locale, Some(source), &vars) {
                prop_assert!(!text.is_empty() && text.chars().count() <= MAX_RENDERED_CHARS);
            }
        }
    }
}
