//! Where the server's own requests may go. Provider base URLs are settings any API-key
//! holder can change, so they are hostile until checked: a base URL of
//! `http://127.0.0.1:…` or a cloud metadata address would make the server send a clinic's
//! credentials into its own network. Every provider client is built here:
//! - its base URL must be https with a host that is not a private, loopback or link-local
//!   address (or `localhost`) - checked when settings are saved and when a client is made;
//! - its connections resolve names through [`PublicOnly`], so a name that points (or is
//!   re-pointed) inside the network is never connected to;
//! - it follows no redirects.
//!
//! Tests and local development use mocks on 127.0.0.1; they opt in with
//! `allow_private_network`, a setting of the deployment, never of a tenant.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    #[error("not a valid URL")]
    Invalid,
    #[error("must be an https URL")]
    NotHttps,
    #[error("must not contain a user name or password")]
    Credentials,
    #[error("must not point at a private, loopback or link-local address")]
    Private,
}

/// Checks a base URL a provider client will call.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, EgressError> {
    let url = Url::parse(raw.trim()).map_err(|_| EgressError::Invalid)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EgressError::Credentials);
    }
    if allow_private {
        return match url.scheme() {
            "https" | "http" if url.host().is_some() => Ok(url),
            _ => Err(EgressError::Invalid),
        };
    }
    if url.scheme() != "https" {
        return Err(EgressError::NotHttps);
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(EgressError::Private),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(EgressError::Private),
        Some(url::Host::Domain(name)) if is_local_name(name) => Err(EgressError::Private),
        Some(_) => Ok(url),
        None => Err(EgressError::Invalid),
    }
}

/// Names that mean this machine whatever DNS says.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// An HTTP client builder for a provider: names resolved to public addresses only (unless
/// allowed), no redirects followed.
pub fn client(allow_private: bool) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(PublicOnly::new(allow_private)))
}

/// Whether `ip` is an ordinary address on the internet (not this machine, not a private or
/// link-local network, not a documentation, benchmarking or reserved range).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)) // documentation
}

/// The resolver outbound connections use: drops non-public addresses, so a name that
/// resolved to a public address during a check cannot connect to a private one, and a
/// name that points inside the network is never reached.
pub(crate) struct PublicOnly {
    allow_private: bool,
}

impl PublicOnly {
    pub(crate) fn new(allow_private: bool) -> Self {
        Self { allow_private }
    }
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let addrs: Vec<SocketAddr> = found.filter(|a| allow_private || is_public(a.ip())).collect();
            if addrs.is_empty() {
                return Err("the host has no public address".into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_public_https() {
        assert!(check_url("https://api.twilio.com/2010-04-01", false).is_ok());
        assert!(check_url("https://203.0.113.10.nip.io/", false).is_ok(), "a name is checked when resolved");
        for (raw, why) in [
            ("http://api.twilio.com", EgressError::NotHttps),
            ("https://127.0.0.1:8080", EgressError::Private),
            ("https://10.0.0.5/api", EgressError::Private),
            ("https://169.254.169.254/latest/meta-data", EgressError::Private),
            ("https://[::1]/", EgressError::Private),
            ("https://[::ffff:192.168.0.1]/", EgressError::Private),
            ("https://localhost:9000", EgressError::Private),
            ("https://db.localhost.", EgressError::Private),
            ("https://user:pass@api.twilio.com", EgressError::Credentials),
            ("ftp://api.twilio.com", EgressError::NotHttps),
            ("not a url", EgressError::Invalid),
        ] {
            assert_eq!(check_url(raw, false).unwrap_err(), why, "{raw}");
        }
    }

    #[test]
    fn a_deployment_may_allow_its_own_network() {
        assert!(check_url("http://127.0.0.1:8080", true).is_ok());
        assert!(check_url("ftp://127.0.0.1", true).is_err());
        assert_eq!(check_url("http://u:p@127.0.0.1", true).unwrap_err(), EgressError::Credentials);
    }
}
