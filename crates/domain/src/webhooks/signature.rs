//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the receiver gets
//! `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
//! space-separated list of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one
//! entry per secret that currently signs (two while a rotated secret is still honoured).
//! The key is the base64-decoded part of a `whsec_…` secret. This is the reference
//! algorithm, so any receiver library that follows the specification accepts what we send.

use data_encoding::BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;

const PREFIX: &str = "whsec_";
/// Bytes of key a generated secret carries (the specification asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// A subscription's signing secret, `whsec_<base64 key>`. Its `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret is `whsec_` followed by base64 of 24 to 64 bytes")]
    Malformed,
}

impl WebhookSecret {
    /// A secret from fresh random bytes (the caller draws them: the domain has no I/O).
    pub fn from_key(key: &[u8; SECRET_BYTES]) -> Self {
        Self(format!("{PREFIX}{}", BASE64.encode(key)))
    }

    /// Checks a stored or supplied `whsec_…` secret.
    pub fn parse(raw: &str) -> Result<Self, SecretError> {
        let encoded = raw.strip_prefix(PREFIX).ok_or(SecretError::Malformed)?;
        let key = BASE64.decode(encoded.as_bytes()).map_err(|_| SecretError::Malformed)?;
        if !(24..=64).contains(&key.len()) {
            return Err(SecretError::Malformed);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The whole `whsec_…` text, to show once or store.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn key(&self) -> Vec<u8> {
        // `parse` and `from_key` only ever build valid base64.
        BASE64.decode(&self.0.as_bytes()[PREFIX.len()..]).unwrap_or_default()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(whsec_…)")
    }
}

fn mac(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&secret.key()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// One `v1,<base64>` signature.
pub fn sign_one(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1,{}", BASE64.encode(&mac(secret, id, timestamp, body).finalize().into_bytes()))
}

/// The `webhook-signature` header value: one entry per signing secret, space-separated.
pub fn sign(secrets: &[&WebhookSecret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().map(|s| sign_one(s, id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the timestamp is not a number of seconds")]
    BadTimestamp,
    #[error("the timestamp is outside the tolerance")]
    Expired,
    #[error("no signature matches")]
    NoMatch,
}

/// What a receiver does (the reference verification): the timestamp within `tolerance`
/// seconds of `now`, and any `v1` entry of the header equal to the expected signature
/// (compared in constant time by the MAC).
pub fn verify(
    secret: &WebhookSecret,
    id: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), VerifyError> {
    let ts: i64 = timestamp.trim().parse().map_err(|_| VerifyError::BadTimestamp)?;
    if (now - ts).abs() > tolerance {
        return Err(VerifyError::Expired);
    }
    let matched = signature_header.split(' ').filter_map(|entry| entry.strip_prefix("v1,")).any(|sig| {
        BASE64
            .decode(sig.as_bytes())
            .is_ok_and(|bytes| mac(secret, id, ts, body).verify_slice(&bytes).is_ok())
    });
    if matched { Ok(()) } else { Err(VerifyError::NoMatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;

    /// The specification's published test vector: reproducing it (not merely agreeing
    /// with our own verifier) is what says receiver libraries accept our signatures.
    #[test]
    fn the_standard_webhooks_test_vector_reproduces() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        assert_eq!(sign_one(&secret, ID, TS, BODY), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_eq!(
            verify(
                &secret,
                ID,
                "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                BODY,
                TS,
                300
            ),
            Ok(())
        );
    }

    #[test]
    fn verification_refuses_tampering_age_and_other_keys() {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        let header = sign(&[&secret], ID, TS, BODY);
        assert_eq!(
            verify(&secret, ID, "1614265330", &header, br#"{"test": 1}"#, TS, 300),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            verify(&secret, "msg_other", "1614265330", &header, BODY, TS, 300),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            verify(&secret, ID, "1614265330", &header, BODY, TS + 301, 300),
            Err(VerifyError::Expired)
        );
        assert_eq!(verify(&secret, ID, "soon", &header, BODY, TS, 300), Err(VerifyError::BadTimestamp));
        let other = WebhookSecret::from_key(&[7; SECRET_BYTES]);
        assert_eq!(verify(&other, ID, "1614265330", &header, BODY, TS, 300), Err(VerifyError::NoMatch));
    }

    #[test]
    fn two_secrets_give_two_entries_either_verifies() {
        let old = WebhookSecret::parse(SECRET).unwrap();
        let new = WebhookSecret::from_key(&[9; SECRET_BYTES]);
        let header = sign(&[&new, &old], ID, TS, BODY);
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.split(' ').all(|e| e.starts_with("v1,")));
        assert_eq!(verify(&old, ID, "1614265330", &header, BODY, TS, 300), Ok(()));
        assert_eq!(verify(&new, ID, "1614265330", &header, BODY, TS, 300), Ok(()));
    }

    #[test]
    fn secrets_are_checked_and_hidden() {
        assert!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err(), "prefix required");
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_err(), "too short");
        assert!(WebhookSecret::parse("whsec_not base64!").is_err());
        let s = WebhookSecret::from_key(&[1; SECRET_BYTES]);
        assert_eq!(WebhookSecret::parse(s.expose()), Ok(s.clone()));
        assert!(!format!("{s:?}").contains(&s.expose()[6..]));
    }
}
