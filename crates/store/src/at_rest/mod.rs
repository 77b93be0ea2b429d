//! Secrets encrypted at rest: provider credentials inside the tenant settings document,
//! staff TOTP seeds and outbound webhook signing secrets. AES-256-GCM, a random 96-bit nonce per value, and the id of the key
//! stored beside each ciphertext, so that keys can rotate: the ring holds the current key
//! (every new value is sealed with it) and old keys (still opened, never used to seal).
//!
//! Stored form: `enc:v1:<key id>:<base64(nonce || ciphertext || tag)>`. The key id is the
//! first 8 hex characters of SHA-256 over the key, so it names the key without revealing it
//! and a wrong key shows up as an unknown id instead of as garbage. A value without the
//! prefix is plaintext from before encryption (or from a ring without keys): it is read as
//! it is and sealed on its next write or by `frontdesk secrets rotate`.
//!
//! Each value is bound to where it lives by the AEAD's associated data (the tenant or the
//! user it belongs to; for a webhook signing secret its tenant, subscription and column),
//! so a ciphertext copied into another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use std::fmt;

mod settings;
pub use settings::*;

pub const SEALED_PREFIX: &str = "enc:v1:";
pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "an encryption key must be {KEY_BYTES} bytes in standard base64 (44 characters); generate one with `frontdesk secrets generate-key`"
    )]
    Malformed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "a secret is encrypted with key {key_id}, which is not configured (configured: {configured}); add that key to encryption_old_keys"
    )]
    UnknownKey { key_id: String, configured: String },
    #[error("a secret encrypted with key {key_id} does not decrypt: the stored value was altered or moved")]
    Tampered { key_id: String },
    #[error("a stored secret is not in the enc:v1 format")]
    Malformed,
}

struct RingKey {
    id: String,
    cipher: Aes256Gcm,
}

impl RingKey {
    fn new(bytes: &[u8; KEY_BYTES]) -> Self {
        let cipher = Aes256Gcm::new_from_slice(bytes).expect("AES-256 takes a 32-byte key");
        Self { id: key_id(bytes), cipher }
    }
}

/// The id stored with each ciphertext: names the key without revealing anything of it.
pub fn key_id(bytes: &[u8; KEY_BYTES]) -> String {
    let digest = Sha256::digest([b"frontdesk-at-rest-key:".as_slice(), bytes].concat());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// Parses a base64 key (standard alphabet, padding optional, surrounding space ignored).
pub fn parse_key(raw: &str) -> Result<[u8; KEY_BYTES], KeyError> {
    let trimmed = raw.trim().trim_end_matches('=');
    let bytes =
        base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed).map_err(|_| KeyError::Malformed)?;
    bytes.try_into().map_err(|_| KeyError::Malformed)
}

/// A fresh random key in the form `parse_key` reads.
pub fn generate_key() -> String {
    B64.encode(rand::random::<[u8; KEY_BYTES]>())
}

/// The keys a store seals and opens secrets with.
pub struct KeyRing {
    current: Option<RingKey>,
    old: Vec<RingKey>,
}

impl KeyRing {
    /// No keys: secrets are written as plaintext (only when the operator chose so, or for
    /// tests and tools that never see secrets) and a sealed value cannot be read.
    pub fn plaintext() -> Self {
        Self { current: None, old: Vec::new() }
    }

    pub fn new(current: [u8; KEY_BYTES], old: &[[u8; KEY_BYTES]]) -> Self {
        let current = RingKey::new(&current);
        let old = old.iter().map(RingKey::new).filter(|k| k.id != current.id).collect();
        Self { current: Some(current), old }
    }

    /// The id new values are sealed with; `None` in plaintext mode.
    pub fn current_id(&self) -> Option<&str> {
        self.current.as_ref().map(|k| k.id.as_str())
    }

    fn configured(&self) -> String {
        let ids: Vec<&str> = self.current.iter().chain(&self.old).map(|k| k.id.as_str()).collect();
        if ids.is_empty() { "none".into() } else { ids.join(", ") }
    }

    /// Seals `plain` for the place `context` names; plaintext mode returns it unchanged.
    /// Empty values stay empty: there is nothing to hide, and "not set" stays visible.
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let Some(key) = self.current.as_ref().filter(|_| !plain.is_empty()) else {
            return plain.to_owned();
        };
        let nonce_bytes: [u8; NONCE_BYTES] = rand::random();
        let payload = Payload { msg: plain.as_bytes(), aad: context.as_bytes() };
        let sealed =
            key.cipher.encrypt(&Nonce::from(nonce_bytes), payload).expect("AES-GCM seals any short value");
        let mut blob = nonce_bytes.to_vec();
        blob.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}:{}", key.id, B64.encode(blob))
    }

    /// Opens a stored value sealed for `context`; plaintext (from before encryption) is
    /// returned as it is.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, SealError> {
        let Some(rest) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (key_id, body) = rest.split_once(':').ok_or(SealError::Malformed)?;
        let key = self.current.iter().chain(&self.old).find(|k| k.id == key_id).ok_or_else(|| {
            SealError::UnknownKey { key_id: key_id.to_owned(), configured: self.configured() }
        })?;
        let blob = B64.decode(body).map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_BYTES {
            return Err(SealError::Malformed);
        }
        let (nonce, sealed) = blob.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let tampered = || SealError::Tampered { key_id: key_id.to_owned() };
        let plain = key
            .cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| tampered())?;
        String::from_utf8(plain).map_err(|_| tampered())
    }

    /// Whether a stored value is as this ring would write it now: sealed with the current
    /// key (or, in plaintext mode, plain). Rotation rewrites the others.
    pub fn is_current(&self, stored: &str) -> bool {
        match (self.current_id(), stored.strip_prefix(SEALED_PREFIX)) {
            (_, None) if stored.is_empty() => true,
            (Some(id), Some(rest)) => rest.split_once(':').is_some_and(|(kid, _)| kid == id),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Default for KeyRing {
    fn default() -> Self {
        Self::plaintext()
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current_id())
            .field("old", &self.old.iter().map(|k| k.id.as_str()).collect::<Vec<_>>())
            .finish()
    }
}

/// What a scan of the stored secrets found (`SecretStore::check_secrets`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretsCensus {
    /// Values sealed with the current key.
    pub current: u64,
    /// Values sealed with an old key, still readable: `secrets rotate` re-seals them.
    pub old_key: u64,
    /// Values stored before encryption (or by a ring without keys).
    pub plaintext: u64,
    /// The first value that does not open: where it is and why. Startup refuses to go on
    /// with it.
    pub unreadable: Option<String>,
}

impl SecretsCensus {
    /// Counts one stored value of the place `context` names (`place` says it in a report).
    pub fn count(&mut self, ring: &KeyRing, stored: &str, context: &str, place: &str) {
        if !stored.starts_with(SEALED_PREFIX) {
            self.plaintext += 1;
            return;
        }
        match ring.open(stored, context) {
            Ok(_) if ring.is_current(stored) => self.current += 1,
            Ok(_) => self.old_key += 1,
            Err(e) => {
                self.unreadable.get_or_insert_with(|| format!("{place}: {e}"));
            }
        }
    }
}

/// Progress of `SecretStore::reseal_secrets`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResealProgress {
    /// Rows looked at so far, of `total`.
    pub done: u64,
    pub total: u64,
    /// Rows rewritten under the current key so far.
    pub rewritten: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(current: u8, old: &[u8]) -> KeyRing {
        let old: Vec<_> = old.iter().map(|b| [*b; 32]).collect();
        KeyRing::new([current; 32], &old)
    }

    #[test]
    fn seals_with_random_nonces_and_opens() {
        let r = ring(1, &[]);
        let a = r.seal("hunter2", "tenant:x");
        let b = r.seal("hunter2", "tenant:x");
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(a.starts_with(&format!("enc:v1:{}:", key_id(&[1; 32]))));
        assert!(!a.contains("hunter2"));
        assert_eq!(r.open(&a, "tenant:x").unwrap(), "hunter2");
        assert!(r.is_current(&a));
    }

    #[test]
    fn context_binds_the_value_to_its_row() {
        let r = ring(1, &[]);
        let a = r.seal("hunter2", "tenant:x");
        assert!(matches!(r.open(&a, "tenant:y"), Err(SealError::Tampered { .. })));
        let mut flipped = a.clone();
        flipped.replace_range(a.len() - 3..a.len() - 2, if a.ends_with("A==") { "B" } else { "A" });
        assert!(r.open(&flipped, "tenant:x").is_err());
    }

    #[test]
    fn old_keys_open_and_wrong_keys_are_named() {
        let before = ring(1, &[]);
        let sealed = before.seal("s3cret", "c");
        let rotated = ring(2, &[1]);
        assert_eq!(rotated.open(&sealed, "c").unwrap(), "s3cret");
        assert!(!rotated.is_current(&sealed));
        let wrong = ring(3, &[]);
        let err = wrong.open(&sealed, "c").unwrap_err();
        assert!(matches!(&err, SealError::UnknownKey { key_id, .. } if *key_id == key_id_of(1)));
        assert!(err.to_string().contains(&key_id_of(3)), "{err}");
        assert!(matches!(KeyRing::plaintext().open(&sealed, "c"), Err(SealError::UnknownKey { .. })));
    }

    fn key_id_of(b: u8) -> String {
        key_id(&[b; 32])
    }

    #[test]
    fn plaintext_passes_through_and_is_not_current_under_a_key() {
        let r = ring(1, &[]);
        assert_eq!(r.open("legacy-token", "c").unwrap(), "legacy-token");
        assert!(!r.is_current("legacy-token"));
        assert!(r.is_current(""));
        assert_eq!(r.seal("", "c"), "");
        let none = KeyRing::plaintext();
        assert_eq!(none.seal("x", "c"), "x");
        assert!(none.is_current("x"));
    }

    #[test]
    fn keys_parse_from_base64() {
        let k = generate_key();
        assert_eq!(k.len(), 44);
        assert!(parse_key(&k).is_ok());
        assert!(parse_key(&format!(" {k}\n")).is_ok());
        assert_eq!(parse_key("c2hvcnQ="), Err(KeyError::Malformed));
        assert_eq!(parse_key("not base64!"), Err(KeyError::Malformed));
        assert!(!format!("{:?}", KeyRing::new(parse_key(&k).unwrap(), &[])).contains(&k));
    }
}
