//! Downloads of media that patients send (voice notes, photos).
//!
//! The URL arrives in a webhook body, so it is hostile until checked. A forged delivery
//! naming `http://127.0.0.1:…` or the cloud metadata address would otherwise make the
//! server fetch from inside its own network, with a provider's credentials attached.
//! So a download here:
//! - goes only to http(s) URLs on hosts the caller allows;
//! - never reaches a private, loopback, link-local or otherwise non-public address, whether
//!   the URL names it literally or a DNS name resolves to it (checked before the request and
//!   again in the resolver the connection uses, so a name cannot switch address in between);
//! - follows redirects by hand, checking every hop the same way, with credentials on the
//!   first hop only;
//! - has connect and total timeouts, and a size cap enforced while reading.
//!
//! Tests and local development point providers at mocks on 127.0.0.1; they opt in with
//! [`MediaPolicy::allow_private_network`].

use crate::egress::PublicOnly;
pub use crate::egress::is_public;
use reqwest::Url;
use reqwest::header::LOCATION;
use secrecy::{ExposeSecret, SecretString};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Limits for every media download of a process.
#[derive(Debug, Clone)]
pub struct MediaPolicy {
    /// Allows private and loopback addresses: for tests and local mocks only.
    pub allow_private_network: bool,
    pub max_bytes: usize,
    pub connect_timeout: Duration,
    /// For the whole download, redirects included.
    pub timeout: Duration,
    pub max_redirects: u8,
}

impl Default for MediaPolicy {
    fn default() -> Self {
        Self {
            allow_private_network: false,
            // WhatsApp's own limit for audio and most media.
            max_bytes: 16 * 1024 * 1024,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            max_redirects: 3,
        }
    }
}

impl MediaPolicy {
    pub fn with_private_network(mut self, allow: bool) -> Self {
        self.allow_private_network = allow;
        self
    }
}

/// A host a download may reach: `api.twilio.com` exactly, or `.twiliocdn.com` for that
/// domain and every name below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern(pub String);

impl HostPattern {
    pub fn new(pattern: impl Into<String>) -> Self {
        Self(pattern.into().to_ascii_lowercase())
    }

    fn matches(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        match self.0.strip_prefix('.') {
            Some(domain) => host == domain || host.ends_with(&self.0),
            None => host == self.0,
        }
    }
}

/// One download.
pub struct Download<'a> {
    pub url: &'a str,
    /// Hosts the first request and every redirect may go to; empty allows any public host.
    pub hosts: &'a [HostPattern],
    /// HTTP Basic credentials, sent with the first request only.
    pub basic_auth: Option<(&'a str, &'a SecretString)>,
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The URL or a redirect goes somewhere a download must not go.
    #[error("media URL refused: {0}")]
    Refused(&'static str),
    #[error("the media download timed out")]
    TimedOut,
    #[error("the media host could not be reached")]
    Unreachable,
    /// 5xx, 429 or 408: the same download may work later.
    #[error("the media host failed (HTTP {0})")]
    Upstream(u16),
    #[error("the media host refused the download (HTTP {0})")]
    Rejected(u16),
    #[error("the media is larger than {0} bytes")]
    TooLarge(usize),
}

impl MediaError {
    /// Whether the same download may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::TimedOut | Self::Unreachable | Self::Upstream(_))
    }
}

/// Downloads `d.url` under `policy` and returns the body.
pub async fn download(policy: &MediaPolicy, d: Download<'_>) -> Result<Vec<u8>, MediaError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(policy.connect_timeout)
        .dns_resolver(Arc::new(PublicOnly::new(policy.allow_private_network)))
        .build()
        .map_err(|_| MediaError::Unreachable)?;
    tokio::time::timeout(policy.timeout, follow(&client, policy, d))
        .await
        .map_err(|_| MediaError::TimedOut)?
}

async fn follow(
    client: &reqwest::Client,
    policy: &MediaPolicy,
    d: Download<'_>,
) -> Result<Vec<u8>, MediaError> {
    let mut url = Url::parse(d.url).map_err(|_| MediaError::Refused("not a URL"))?;
    let mut credentials = d.basic_auth;
    for _ in 0..=policy.max_redirects {
        check_destination(&url, d.hosts, policy.allow_private_network).await?;
        let mut request = client.get(url.clone());
        if let Some((user, password)) = credentials.take() {
            request = request.basic_auth(user, Some(password.expose_secret()));
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(MediaError::Refused("a redirect without a Location"))?;
            url = url.join(location).map_err(|_| MediaError::Refused("a redirect to an invalid URL"))?;
            continue;
        }
        return match status.as_u16() {
            200..=299 => read_capped(response, policy.max_bytes).await,
            code @ (408 | 429 | 500..=599) => Err(MediaError::Upstream(code)),
            code => Err(MediaError::Rejected(code)),
        };
    }
    Err(MediaError::Refused("too many redirects"))
}

async fn read_capped(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, MediaError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(MediaError::TooLarge(max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > max {
            return Err(MediaError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport(e: reqwest::Error) -> MediaError {
    if e.is_timeout() { MediaError::TimedOut } else { MediaError::Unreachable }
}

/// Refuses a URL whose scheme, host or addresses a download must not reach.
async fn check_destination(url: &Url, hosts: &[HostPattern], allow_private: bool) -> Result<(), MediaError> {
    if !matches!(url.scheme(), "https" | "http") {
        return Err(MediaError::Refused("only http(s) URLs are downloaded"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(MediaError::Refused("URLs with credentials in them are not followed"));
    }
    let host = url.host_str().ok_or(MediaError::Refused("the URL has no host"))?;
    if !hosts.is_empty() && !hosts.iter().any(|h| h.matches(host.trim_matches(['[', ']']))) {
        return Err(MediaError::Refused("the host is not one of the provider's media hosts"));
    }
    if allow_private {
        return Ok(());
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(private()),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(private()),
        Some(url::Host::Domain(name)) => {
            let port = url.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name, port)).await.map_err(|_| MediaError::Unreachable)?.collect();
            if addrs.iter().all(|a| !is_public(a.ip())) { Err(private()) } else { Ok(()) }
        }
        _ => Ok(()),
    }
}

fn private() -> MediaError {
    MediaError::Refused("the host is a private, loopback or link-local address")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "54.172.60.1", "2600:1f18::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn host_patterns() {
        let cdn = HostPattern::new(".twiliocdn.com");
        assert!(cdn.matches("mms.twiliocdn.com"));
        assert!(cdn.matches("twiliocdn.com"));
        assert!(!cdn.matches("eviltwiliocdn.com"));
        assert!(!cdn.matches("twiliocdn.com.evil.io"));
        let api = HostPattern::new("api.twilio.com");
        assert!(api.matches("API.twilio.com"));
        assert!(!api.matches("x.api.twilio.com"));
    }
}
