//! Time-based one-time passwords (RFC 6238) as authenticator apps expect them: HMAC-SHA-1,
//! 30-second steps, 6 digits, the secret shown in base32 (RFC 4648, no padding).
//!
//! A code is accepted one step either side of now (clocks drift), and never for a step at
//! or before the last one used: a code seen over a shoulder cannot be used again.

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha1::Sha1;
use subtle::ConstantTimeEq;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// 160 bits, the HMAC-SHA-1 block RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the code must be 6 digits")]
    Malformed,
    #[error("wrong or expired code")]
    Wrong,
    #[error("this code was already used")]
    Replayed,
}

/// The time step a moment falls in.
pub fn step_at(now: Timestamp) -> i64 {
    now.as_second().div_euclid(STEP_SECONDS)
}

/// The code for one step (RFC 4226's HOTP with the step as counter).
pub fn code_for_step(secret: &[u8], step: i64) -> u32 {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bin =
        u32::from_be_bytes([digest[offset], digest[offset + 1], digest[offset + 2], digest[offset + 3]])
            & 0x7fff_ffff;
    bin % 10u32.pow(DIGITS)
}

/// The code shown at `now`, zero-padded.
pub fn code_at(secret: &[u8], now: Timestamp) -> String {
    format!("{:06}", code_for_step(secret, step_at(now)))
}

/// Checks a typed code; on success returns the step it matched, to be remembered as the
/// last used one. Spaces are ignored (apps show "123 456").
pub fn verify(
    secret: &[u8],
    typed: &str,
    now: Timestamp,
    last_used_step: Option<i64>,
) -> Result<i64, TotpError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpError::Malformed);
    }
    let current = step_at(now);
    let mut matched = None;
    // Every candidate is computed and compared in constant time: timing tells nothing.
    for step in [current - 1, current, current + 1] {
        let expected = format!("{:06}", code_for_step(secret, step));
        if bool::from(expected.as_bytes().ct_eq(digits.as_bytes())) {
            matched = Some(step);
        }
    }
    let step = matched.ok_or(TotpError::Wrong)?;
    if last_used_step.is_some_and(|last| step <= last) {
        return Err(TotpError::Replayed);
    }
    Ok(step)
}

/// Base32 (RFC 4648) without padding, as authenticator apps take secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

/// Decodes base32, ignoring case, spaces and padding; `None` on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let cleaned: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
    data_encoding::BASE32_NOPAD.decode(cleaned.as_bytes()).ok()
}

/// The `otpauth://` URI authenticator apps read from a QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // Everything but RFC 3986's unreserved characters.
    const LABEL: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    let enc = |s: &str| utf8_percent_encode(s, LABEL).to_string();
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key.
    const RFC_KEY: &[u8] = b"12345678901234567890";

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        // Appendix B gives 8 digits; the 6-digit code is its last six.
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(RFC_KEY, at(time)), eight[2..], "at {time}");
        }
    }

    #[test]
    fn accepts_one_step_of_drift_and_refuses_replay() {
        let now = at(1_111_111_111);
        let code = code_at(RFC_KEY, now);
        let step = verify(RFC_KEY, &code, now, None).unwrap();
        assert_eq!(step, step_at(now));
        assert_eq!(verify(RFC_KEY, &code, now, Some(step)), Err(TotpError::Replayed));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(RFC_KEY, &spaced, at(1_111_111_111 + 30), None), Ok(step));
        assert_eq!(verify(RFC_KEY, &code, at(1_111_111_111 + 90), None), Err(TotpError::Wrong));
        assert_eq!(verify(RFC_KEY, "12345", now, None), Err(TotpError::Malformed));
        assert_eq!(verify(RFC_KEY, "abcdef", now, None), Err(TotpError::Malformed));
    }

    #[test]
    fn base32_round_trips_rfc4648_vectors() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_encode(RFC_KEY), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode("mzxw 6ytb oi==").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
        let secret = [7u8; SECRET_BYTES];
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn otpauth_uri_escapes_labels() {
        let uri = otpauth_uri("Clínica Sorriso", "ana@x.com", "ABC");
        assert!(
            uri.starts_with("otpauth://totp/Cl%C3%ADnica%20Sorriso:ana%40x.com?secret=ABC&issuer="),
            "{uri}"
        );
    }
}
