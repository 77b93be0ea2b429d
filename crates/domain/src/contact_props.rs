//! Properties of the contact parsers over arbitrary input: phone numbers, e-mail
//! addresses and names never panic, and what they accept is stable when parsed again
//! (a stored value re-reads to itself, whatever region the reader assumes).

use super::*;
use proptest::prelude::*;

/// Regions a clinic might configure, plus nonsense ones.
fn region() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["BR", "br", "US", "PT", "GB", "AR", "ZZ", "", "XX", "001"])
            .prop_map(str::to_owned),
        "\\PC{0,4}",
    ]
}

/// Strings shaped like what people type into a phone field: digits with the usual
/// separators and prefixes, so the parser gets past its first checks.
fn phone_like() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec!["", "+", "00", "0", "whatsapp:", "tel:", "whatsapp:+", " +"]);
    let body = prop::collection::vec(
        prop_oneof![
            8 => "[0-9]{1,4}",
            1 => prop::sample::select(vec![" ", "-", "(", ")", ".", "/", "ext", "#", "*", "\u{a0}"]).prop_map(str::to_owned),
        ],
        0..10,
    );
    (prefix, body).prop_map(|(p, parts)| format!("{p}{}", parts.concat()))
}

/// Brazilian area codes (DDD) in service.
const DDD: [u8; 20] = [11, 12, 19, 21, 24, 27, 31, 41, 47, 48, 51, 61, 62, 71, 81, 85, 91, 92, 95, 98];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn phone_parse_never_panics(raw in "\\PC{0,40}", region in region()) {
        let _ = PhoneE164::parse(&raw, &region);
    }

    #[test]
    fn phone_parse_never_panics_on_any_chars(chars in prop::collection::vec(any::<char>(), 0..40)) {
        let raw: String = chars.into_iter().collect();
        let _ = PhoneE164::parse(&raw, "BR");
    }

    /// Whatever is accepted is E.164 and parses back to itself under any region (stored
    /// numbers are re-read with the clinic's region, which must not change them).
    #[test]
    fn accepted_numbers_round_trip(raw in phone_like(), region in region(), reread_in in region()) {
        if let Ok(phone) = PhoneE164::parse(&raw, &region) {
            let e164 = phone.as_str();
            prop_assert!(e164.starts_with('+'));
            prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()), "{e164:?}");
            prop_assert!((8..=16).contains(&e164.len()), "{e164:?}");
            prop_assert_eq!(phone.digits(), &e164[1..]);
            // Errors for an unknown region are about the region, not the number.
            if let Ok(again) = PhoneE164::parse(e164, &reread_in) {
                prop_assert_eq!(&again, &phone);
            }
            prop_assert_eq!(PhoneE164::parse(e164, "BR"), Ok(phone.clone()));
            let json = serde_json::to_string(&phone).unwrap();
            prop_assert_eq!(serde_json::from_str::<PhoneE164>(&json).unwrap(), phone);
        }
    }

    /// A Brazilian mobile, however it is written, is one number: with or without the
    /// country code, the trunk 0, the ninth digit, punctuation or a `whatsapp:` prefix.
    #[test]
    fn brazilian_mobiles_in_any_spelling_are_one_number(
        ddd in prop::sample::select(DDD.to_vec()),
        first in 6u8..=9,
        rest in "[0-9]{7}",
        spelling in 0usize..7,
        ninth in any::<bool>(),
    ) {
        let subscriber = format!("{first}{rest}");
        let expected = format!("+55{ddd}9{subscriber}");
        let local = if ninth { format!("9{subscriber}") } else { subscriber.clone() };
        let (head, tail) = local.split_at(local.len() - 4);
        let written = match spelling {
            0 => format!("+55{ddd}{local}"),
            1 => format!("({ddd}) {head}-{tail}"),
            2 => format!("0{ddd} {local}"),
            3 => format!("0055 {ddd} {head} {tail}"),
            4 => format!("whatsapp:+55{ddd}{local}"),
            5 => format!("  +55 ({ddd}) {head}-{tail}  "),
            _ => format!("{ddd}{local}"),
        };
        let phone = PhoneE164::parse(&written, "BR").map(String::from);
        prop_assert_eq!(phone, Ok(expected), "{:?}", written);
    }

    #[test]
    fn errors_never_repeat_the_number(raw in phone_like()) {
        if let Err(e) = PhoneE164::parse(&raw, "BR") {
            let message = e.to_string();
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            prop_assert!(digits.len() < 4 || !message.contains(&digits), "{message:?}");
        }
    }

    #[test]
    fn email_parse_never_panics_and_is_stable(raw in "\\PC{0,60}") {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            prop_assert!(!email.as_str().chars().any(char::is_whitespace));
        }
    }

    #[test]
    fn emails_keep_their_local_part_and_lowercase_the_domain(
        local in "[a-zA-Z0-9._%+-]{1,20}",
        domain in "[a-zA-Z0-9-]{1,12}(\\.[a-zA-Z]{2,6}){1,2}",
    ) {
        let email = Email::parse(&format!(" {local}@{domain} ")).unwrap();
        prop_assert_eq!(email.as_str(), format!("{local}@{}", domain.to_ascii_lowercase()));
    }

    #[test]
    fn names_are_trimmed_single_spaced_and_stable(raw in "\\PC{0,250}") {
        if let Ok(name) = PersonName::parse(&raw) {
            prop_assert!(!name.as_str().contains("  "));
            prop_assert_eq!(name.as_str().trim(), name.as_str());
            prop_assert!(name.as_str().chars().count() <= 200);
            prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
            prop_assert!(!name.first_name().is_empty());
        }
    }
}
