//! API keys. A key is `fdk_<prefix>_<secret>`: the prefix (public, 8 hex chars) finds the
//! row, and only the SHA-256 of the whole key is stored. Keys carry 256 bits of entropy,
//! so a fast hash is enough (no password stretching needed) and lookups stay cheap.

use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

const SCHEME: &str = "fdk";
pub const PREFIX_LEN: usize = 8;
const SECRET_LEN: usize = 64;

/// A full API key as shown to its owner exactly once. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// Builds a key from 4 random bytes for the prefix and 32 for the secret.
    pub fn from_random(prefix_bytes: [u8; 4], secret_bytes: [u8; 32]) -> Self {
        Self(format!("{SCHEME}_{}_{}", hex::encode(prefix_bytes), hex::encode(secret_bytes)))
    }

    /// Checks the shape of a presented key; returns `None` for anything malformed.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('_');
        let (scheme, prefix, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let hex_of = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        (parts.next().is_none()
            && scheme == SCHEME
            && hex_of(prefix, PREFIX_LEN)
            && hex_of(secret, SECRET_LEN))
        .then(|| Self(raw.to_ascii_lowercase()))
    }

    pub fn prefix(&self) -> &str {
        &self.0[SCHEME.len() + 1..SCHEME.len() + 1 + PREFIX_LEN]
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash(Sha256::digest(self.0.as_bytes()).into())
    }

    /// The whole key, for printing it once to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeySecret({}_{}_…)", SCHEME, self.prefix())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyHash(pub [u8; 32]);

impl KeyHash {
    pub fn from_hex(raw: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(raw, &mut out).ok()?;
        Some(Self(out))
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Constant-time comparison, so response timing reveals nothing about the stored hash.
    pub fn matches(&self, other: &KeyHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyHash(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_hash() {
        let key = ApiKeySecret::from_random([0xab, 0xcd, 0x01, 0x02], [7; 32]);
        assert_eq!(key.prefix(), "abcd0102");
        let parsed = ApiKeySecret::parse(key.expose()).unwrap();
        assert!(parsed.hash().matches(&key.hash()));
        let other = ApiKeySecret::from_random([0xab, 0xcd, 0x01, 0x02], [8; 32]);
        assert!(!other.hash().matches(&key.hash()));
        assert_eq!(KeyHash::from_hex(&key.hash().to_hex()), Some(key.hash()));
    }

    #[test]
    fn rejects_malformed_keys() {
        for bad in ["", "fdk", "fdk_abcd0102", "xyz_abcd0102_00", "fdk_abcd010_aa", "fdk_abcd0102_zz"] {
            assert!(ApiKeySecret::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_secret() {
        let key = ApiKeySecret::from_random([1, 2, 3, 4], [9; 32]);
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex::encode([9u8; 32])));
        assert!(shown.contains("01020304"));
    }
}
