//! Masking of provider text before it travels on in errors and logs.

/// Masks every number-like run (digits, with `+`, spaces, `-`, `.` or parentheses between
/// them) that holds five or more digits, and caps the length, so a phone number quoted by
/// the provider does not travel on in an error. Short numbers ("HTTP 400") stay readable.
pub(crate) fn scrub(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    let is_run_char = |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')');
    let chars: Vec<char> = text.chars().take(MAX_CHARS).collect();
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_run_char(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_run_char(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
        let first = run.iter().position(|c| c.is_ascii_digit() || *c == '+');
        let last = run.iter().rposition(char::is_ascii_digit);
        match (first, last) {
            (Some(first), Some(last)) if digits >= 5 && first <= last => {
                out.extend(&run[..first]);
                out.push_str("[redacted]");
                out.extend(&run[last + 1..]);
            }
            _ => out.extend(run),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_numbers_but_keeps_short_ones() {
        assert_eq!(
            scrub("The 'To' number +15005550001 is not a valid phone number."),
            "The 'To' number [redacted] is not a valid phone number."
        );
        assert_eq!(scrub("Error 400 on 2 items"), "Error 400 on 2 items");
        assert_eq!(scrub("5511999998888"), "[redacted]");
        assert_eq!(scrub("a + b"), "a + b");
        assert_eq!(scrub("ligue (11) 99999-8888 hoje"), "ligue ([redacted] hoje");
        assert!(scrub(&"x".repeat(1000)).len() <= 300);
    }
}
