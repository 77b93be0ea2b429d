//! Authenticating server URL requests (`PROVIDERS.md` section 2.3): the `X-Vapi-Secret`
//! shared secret, and VAPI's HMAC credential (`HmacAuthenticationPlan`).
//!
//! HMAC-SHA256/512 are computed here over `sha2` directly (RFC 2104, checked against the
//! RFC 4231 vectors below) because the workspace pins `sha2` 0.10, whose digest traits the
//! `hmac` 0.13 crate does not accept; SHA-1 goes through `hmac` as Twilio's signatures do.
//! VAPI publishes no official HMAC test vectors, so none are included.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The header of the legacy inline `server.secret`.
pub const SECRET_HEADER: &str = "X-Vapi-Secret";

/// Whether `header` carries exactly the expected `X-Vapi-Secret`, compared in constant time.
/// An empty configured secret never matches: it would accept anyone.
pub fn verify_secret(expected: &SecretString, header: Option<&str>) -> bool {
    let expected = expected.expose_secret().as_bytes();
    match header {
        Some(given) if !expected.is_empty() => bool::from(given.as_bytes().ct_eq(expected)),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureEncoding {
    #[default]
    Hex,
    Base64,
}

/// A tenant's HMAC credential as configured in VAPI; the defaults are VAPI's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmacPlan {
    /// VAPI has no default; SHA-256 is the usual choice.
    pub algorithm: HmacAlgorithm,
    pub signature_header: String,
    pub timestamp_header: String,
    /// Template over `{body}`, `{timestamp}`, `{method}`, `{url}` and `{svix-id}`.
    pub payload_format: String,
    /// Whether the timestamp header is sent (and required here).
    pub include_timestamp: bool,
    pub signature_encoding: SignatureEncoding,
    /// Text before the encoded digest in the header, e.g. `sha256=`.
    pub signature_prefix: Option<String>,
    /// The secret is base64 and its decoded bytes are the key.
    pub secret_is_base64: bool,
    /// Reject timestamps further than this from now. VAPI documents neither the unit nor a
    /// window, so this is off by default; when set, values above 10^11 are read as
    /// milliseconds and smaller ones as seconds.
    pub max_skew: Option<Duration>,
}

impl Default for HmacPlan {
    fn default() -> Self {
        Self {
            algorithm: HmacAlgorithm::Sha256,
            signature_header: "x-signature".into(),
            timestamp_header: "x-timestamp".into(),
            payload_format: "{timestamp}.{body}".into(),
            include_timestamp: true,
            signature_encoding: SignatureEncoding::Hex,
            signature_prefix: None,
            secret_is_base64: false,
            max_skew: None,
        }
    }
}

/// What of a request the signature covers. The caller reads the two headers named in the
/// plan (and `svix-id` if the template uses it).
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The full public URL VAPI posted to.
    pub url: &'a str,
    pub body: &'a [u8],
    pub signature: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub svix_id: Option<&'a str>,
}

/// Why an HMAC-signed request was refused. No variant carries a header or the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HmacError {
    #[error("no usable HMAC secret is configured")]
    NoSecret,
    #[error("the signature header is missing")]
    MissingSignature,
    #[error("the timestamp header is missing")]
    MissingTimestamp,
    #[error("the timestamp is not a number or is outside the allowed window")]
    StaleTimestamp,
    #[error("the signature does not match the request")]
    Mismatch,
}

/// The header value VAPI would send for `request` (prefix plus encoded digest).
pub fn compute_hmac_signature(
    plan: &HmacPlan,
    secret: &SecretString,
    request: &SignedRequest<'_>,
) -> Result<String, HmacError> {
    let digest = digest(plan, secret, request)?;
    let encoded = match plan.signature_encoding {
        SignatureEncoding::Hex => hex::encode(digest),
        SignatureEncoding::Base64 => BASE64.encode(digest),
    };
    Ok(format!("{}{encoded}", plan.signature_prefix.as_deref().unwrap_or_default()))
}

/// Checks an HMAC-signed server URL request; `now` is injected for testable time windows.
pub fn verify_hmac(
    plan: &HmacPlan,
    secret: &SecretString,
    request: &SignedRequest<'_>,
    now: jiff::Timestamp,
) -> Result<(), HmacError> {
    let header =
        request.signature.map(str::trim).filter(|s| !s.is_empty()).ok_or(HmacError::MissingSignature)?;
    if plan.include_timestamp {
        let timestamp = request.timestamp.map(str::trim).filter(|s| !s.is_empty());
        let timestamp = timestamp.ok_or(HmacError::MissingTimestamp)?;
        if let Some(max_skew) = plan.max_skew {
            check_skew(timestamp, max_skew, now)?;
        }
    }
    let expected = digest(plan, secret, request)?;
    let prefix = plan.signature_prefix.as_deref().unwrap_or_default();
    let encoded = header.strip_prefix(prefix).ok_or(HmacError::Mismatch)?;
    // Decoding first makes hex case and base64 padding irrelevant.
    let given = match plan.signature_encoding {
        SignatureEncoding::Hex => hex::decode(encoded).ok(),
        SignatureEncoding::Base64 => BASE64.decode(encoded).ok(),
    };
    match given {
        Some(given) if bool::from(given.ct_eq(&expected)) => Ok(()),
        _ => Err(HmacError::Mismatch),
    }
}

fn check_skew(timestamp: &str, max_skew: Duration, now: jiff::Timestamp) -> Result<(), HmacError> {
    let value: i64 = timestamp.parse().map_err(|_| HmacError::StaleTimestamp)?;
    let millis = if value.abs() > 100_000_000_000 { value } else { value.saturating_mul(1000) };
    let skew_ms = now.as_millisecond().abs_diff(millis);
    let max_ms = u64::try_from(max_skew.as_millis()).unwrap_or(u64::MAX);
    if skew_ms > max_ms { Err(HmacError::StaleTimestamp) } else { Ok(()) }
}

fn digest(plan: &HmacPlan, secret: &SecretString, request: &SignedRequest<'_>) -> Result<Vec<u8>, HmacError> {
    let raw = secret.expose_secret();
    let key = if plan.secret_is_base64 {
        BASE64.decode(raw.trim()).map_err(|_| HmacError::NoSecret)?
    } else {
        raw.as_bytes().to_vec()
    };
    if key.is_empty() {
        return Err(HmacError::NoSecret);
    }
    let payload = payload(plan, request);
    Ok(match plan.algorithm {
        HmacAlgorithm::Sha1 => mac_bytes::<Hmac<sha1::Sha1>>(&key, &payload)?,
        HmacAlgorithm::Sha256 => mac_bytes::<Hmac<sha2::Sha256>>(&key, &payload)?,
        HmacAlgorithm::Sha512 => mac_bytes::<Hmac<sha2::Sha512>>(&key, &payload)?,
    })
}

/// The signed bytes: the template with its placeholders filled. Bytes rather than a string,
/// because the body need not be UTF-8. An unset timestamp or svix id fills in as empty.
fn payload(plan: &HmacPlan, request: &SignedRequest<'_>) -> Vec<u8> {
    let timestamp = if plan.include_timestamp { request.timestamp.unwrap_or_default().trim() } else { "" };
    let placeholders: [(&str, &[u8]); 5] = [
        ("{body}", request.body),
        ("{timestamp}", timestamp.as_bytes()),
        ("{method}", request.method.as_bytes()),
        ("{url}", request.url.as_bytes()),
        ("{svix-id}", request.svix_id.unwrap_or_default().as_bytes()),
    ];
    let mut out = Vec::with_capacity(request.body.len() + 64);
    let mut rest = plan.payload_format.as_str();
    while !rest.is_empty() {
        match placeholders.iter().find(|(name, _)| rest.starts_with(name)) {
            Some((name, value)) => {
                out.extend_from_slice(value);
                rest = &rest[name.len()..];
            }
            None => {
                let len = rest.chars().next().map_or(1, char::len_utf8);
                out.extend_from_slice(&rest.as_bytes()[..len]);
                rest = &rest[len..];
            }
        }
    }
    out
}

/// The HMAC (RFC 2104) of `message` with any of the `hmac` crate's MACs.
fn mac_bytes<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Result<Vec<u8>, HmacError> {
    let mut mac = <M as KeyInit>::new_from_slice(key).map_err(|_| HmacError::NoSecret)?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
