//! `X-Twilio-Signature`: computing and verifying it (`PROVIDERS.md` section 1.3).
//!
//! Twilio signs `url + name1 + value1 + name2 + value2 ...` (names sorted byte-wise, each
//! name's values sorted and de-duplicated) with HMAC-SHA1 under the account's auth token and
//! sends the base64 digest. Twilio's own libraries accept a request when any of a few
//! renderings of the URL matches, because Twilio's signing side is inconsistent about default
//! ports and about how the query string is escaped; `url_forms` lists the same renderings.
//! JSON-body webhooks carry `bodySHA256` in the query instead of signing the body.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::wire::parse_form;

/// The request header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// Why a webhook was refused. No variant carries the URL, the parameters or the header,
/// because all three can contain a patient's phone number or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The tenant has no auth token: an empty HMAC key is public, so nothing can be verified.
    #[error("no Twilio auth token is configured, so the signature cannot be checked")]
    NoAuthToken,
    #[error("the X-Twilio-Signature header is missing")]
    Missing,
    #[error("the X-Twilio-Signature header does not match the request")]
    Mismatch,
    /// The URL names a `bodySHA256` that is not the SHA-256 of the body received.
    #[error("the request body does not match the bodySHA256 the request was signed with")]
    BodyHashMismatch,
}

/// The signature Twilio would send for a request to `url` carrying `params`.
///
/// `url` is used byte for byte; [`verify_signature`] is the place that tries the variants.
/// Repeated names are fine: every distinct value counts once, in sorted order.
pub fn compute_signature<I>(auth_token: &str, url: &str, params: I) -> String
where
    I: IntoIterator,
    I::Item: FormField,
{
    signer(auth_token, params).sign(url)
}

/// Checks a webhook request as Twilio's libraries do.
///
/// `url` is the full public URL Twilio requested, query included, rebuilt from the public
/// base URL (not the bind address behind a proxy). `body` is the raw request body: a form
/// for message and status webhooks (its fields are signed), empty for GET webhooks (the
/// fields are already in the query), or JSON when the query carries `bodySHA256` (then the
/// body is checked against that hash and no fields are signed).
pub fn verify_signature(
    auth_token: &str,
    url: &str,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    match body_sha256(url) {
        Some(expected) => verify_body_hash(auth_token, url, body, &expected, header),
        None => verify_params(auth_token, url, parse_form(body), header),
    }
}

/// Like [`verify_signature`] for a caller that has already parsed the body's form fields
/// (`params` is `parse_form(body)`) and reads them next: the body is parsed once.
pub fn verify_parsed(
    auth_token: &str,
    url: &str,
    body: &[u8],
    params: &[(String, String)],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    match body_sha256(url) {
        Some(expected) => verify_body_hash(auth_token, url, body, &expected, header),
        None => verify_params(auth_token, url, params, header),
    }
}

/// A JSON-body webhook: the URL (with its `bodySHA256`) is signed, the body matches the hash.
fn verify_body_hash(
    auth_token: &str,
    url: &str,
    body: &[u8],
    expected: &str,
    header: Option<&str>,
) -> Result<(), SignatureError> {
    verify_params(auth_token, url, std::iter::empty::<(&str, &str)>(), header)?;
    let actual = hex::encode(Sha256::digest(body));
    if bool::from(actual.as_bytes().ct_eq(expected.to_ascii_lowercase().as_bytes())) {
        Ok(())
    } else {
        Err(SignatureError::BodyHashMismatch)
    }
}

/// Like [`verify_signature`], for a form body that has already been parsed into pairs.
pub fn verify_params<I>(
    auth_token: &str,
    url: &str,
    params: I,
    header: Option<&str>,
) -> Result<(), SignatureError>
where
    I: IntoIterator,
    I::Item: FormField,
{
    if auth_token.is_empty() {
        return Err(SignatureError::NoAuthToken);
    }
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
    let signer = signer(auth_token, params);
    let matches = |form: &str| bool::from(signer.sign(form).as_bytes().ct_eq(header.as_bytes()));
    // The URL as received is what Twilio signed in nearly every request, so it is tried
    // first and the other renderings only when it does not match (one HMAC instead of up to
    // six per genuine webhook). Stopping at a match tells a sender nothing the answer does
    // not: each comparison is constant-time, and which rendering matched is no secret.
    if matches(url) || url_forms(url).iter().any(|form| form != url && matches(form)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A posted name and value: a `(name, value)` pair of anything string-like, owned or
/// borrowed, so both `parse_form`'s `Vec<(String, String)>` and literal `(&str, &str)` lists
/// can be passed without copying.
pub trait FormField {
    fn name(&self) -> &str;
    fn value(&self) -> &str;
}

impl<K: AsRef<str>, V: AsRef<str>> FormField for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FormField for &(K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

/// An HMAC keyed once, with the parameter part of the signed string prepared once: the
/// URL comes first in the signed string and is the only part that changes per candidate.
struct Signer {
    keyed: Hmac<Sha1>,
    suffix: Vec<u8>,
}

/// Names sorted byte-wise, each name's distinct values sorted byte-wise, concatenated.
/// The fields are sorted where they lie (no copy of any name or value).
fn signer<I>(auth_token: &str, params: I) -> Signer
where
    I: IntoIterator,
    I::Item: FormField,
{
    // HMAC accepts keys of any length (long ones are hashed first), so this cannot fail.
    let keyed = <Hmac<Sha1> as KeyInit>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes keys of any length");
    let mut fields: Vec<I::Item> = params.into_iter().collect();
    fields.sort_by(|a, b| (a.name(), a.value()).cmp(&(b.name(), b.value())));
    fields.dedup_by(|a, b| a.name() == b.name() && a.value() == b.value());
    let mut suffix = Vec::with_capacity(fields.iter().map(|f| f.name().len() + f.value().len()).sum());
    for field in &fields {
        suffix.extend_from_slice(field.name().as_bytes());
        suffix.extend_from_slice(field.value().as_bytes());
    }
    Signer { keyed, suffix }
}

impl Signer {
    fn sign(&self, url: &str) -> String {
        let mut mac = self.keyed.clone();
        mac.update(url.as_bytes());
        mac.update(&self.suffix);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// The `bodySHA256` query parameter, if the URL has one.
fn body_sha256(url: &str) -> Option<String> {
    let query = split_url(url).query?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "bodySHA256")
        .map(|(_, value)| value.into_owned())
}

/// The renderings of `url` Twilio's libraries accept, without duplicates: with the port
/// removed and with the scheme's default port added, each with the query as received,
/// as a WHATWG URL serialises it (`'` becomes `%27`), and re-serialised the way Node's
/// legacy `querystring` does (twilio-node's "legacy querystring" retry).
pub(crate) fn url_forms(url: &str) -> Vec<String> {
    let mut forms: Vec<String> = Vec::with_capacity(6);
    let mut push = |form: String| {
        if !forms.contains(&form) {
            forms.push(form);
        }
    };
    for ported in [without_port(url), with_default_port(url)] {
        let whatwg = map_query(&ported, whatwg_query);
        push(map_query(&whatwg, legacy_query));
        push(whatwg);
        push(ported);
    }
    forms
}

/// A URL cut at its structural boundaries; `None` parts are absent (not empty).
struct UrlParts<'a> {
    /// `scheme://userinfo@`, everything before the host.
    prefix: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

/// Splits without normalising anything, so a URL that is not `scheme://authority...`
/// comes back whole as the "path" and is only ever used as received.
fn split_url(url: &str) -> UrlParts<'_> {
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let Some(scheme_end) = rest.find("://").map(|i| i + 3) else {
        return UrlParts { prefix: "", host: "", port: None, path: rest, query, fragment };
    };
    let authority_end = rest[scheme_end..].find('/').map_or(rest.len(), |i| scheme_end + i);
    let authority = &rest[scheme_end..authority_end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    // An IPv6 literal has colons of its own; the port, if any, follows its `]`.
    let port_colon = match host_port.rfind(']') {
        Some(bracket) => host_port[bracket..].find(':').map(|i| bracket + i),
        None => host_port.rfind(':'),
    };
    let (host, port) = match port_colon {
        Some(colon) if host_port[colon + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&host_port[..colon], Some(&host_port[colon + 1..]))
        }
        _ => (host_port, None),
    };
    UrlParts {
        prefix: &rest[..scheme_end + host_start],
        host,
        port,
        path: &rest[authority_end..],
        query,
        fragment,
    }
}

fn join(parts: &UrlParts<'_>, port: Option<&str>, query: Option<&str>) -> String {
    let mut url = String::with_capacity(128);
    url.push_str(parts.prefix);
    url.push_str(parts.host);
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        url.push(':');
        url.push_str(port);
    }
    url.push_str(parts.path);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    if let Some(fragment) = parts.fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

fn without_port(url: &str) -> String {
    let parts = split_url(url);
    if parts.prefix.is_empty() {
        return url.to_owned();
    }
    join(&parts, None, parts.query)
}

/// Adds `:443` (https) or `:80` (anything else) when the URL names no port, as twilio-node's
/// `addPort` does; a URL with an explicit port is kept as it is.
fn with_default_port(url: &str) -> String {
    let parts = split_url(url);
    if parts.prefix.is_empty() || parts.port.is_some_and(|p| !p.is_empty()) {
        return url.to_owned();
    }
    let default =
        if parts.prefix.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")) { "443" } else { "80" };
    join(&parts, Some(default), parts.query)
}

fn map_query(url: &str, f: fn(&str) -> String) -> String {
    let parts = split_url(url);
    match parts.query {
        Some(query) if !query.is_empty() => join(&parts, parts.port, Some(&f(query))),
        _ => url.to_owned(),
    }
}

/// Percent-encodes what the WHATWG URL parser encodes in a special-scheme query: controls,
/// space, `"`, `#`, `<`, `>`, `'` and non-ASCII. Existing `%XX` escapes are left alone.
fn whatwg_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 8);
    for byte in query.bytes() {
        match byte {
            0x00..=0x20 | b'"' | b'#' | b'<' | b'>' | b'\'' | 0x7F..=0xFF => push_escaped(&mut out, byte),
            _ => out.push(char::from(byte)),
        }
    }
    out
}

/// Node's `querystring.stringify(querystring.parse(query))`: decoded (`+` is a space), then
/// re-encoded leaving only `A-Z a-z 0-9 - _ . ! ~ * ' ( )` bare, repeated names grouped at
/// their first position. (Node also moves integer-like names first, as JavaScript orders
/// object keys; Twilio webhook URLs do not use such names, so that quirk is not copied.)
fn legacy_query(query: &str) -> String {
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match grouped.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value.into_owned()),
            None => grouped.push((name.into_owned(), vec![value.into_owned()])),
        }
    }
    let mut out = String::with_capacity(query.len() + 8);
    for (name, values) in &grouped {
        for value in values {
            if !out.is_empty() {
                out.push('&');
            }
            node_escape(&mut out, name);
            out.push('=');
            node_escape(&mut out, value);
        }
    }
    out
}

fn node_escape(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(char::from(byte)),
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => out.push(char::from(byte)),
            _ => push_escaped(out, byte),
        }
    }
}

fn push_escaped(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0x0F)]));
}

#[cfg(test)]
#[path = "signature_vectors.rs"]
mod vectors;
