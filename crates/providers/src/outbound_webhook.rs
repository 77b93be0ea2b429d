//! Signed outbound webhooks (Standard Webhooks) to a clinic's own systems: one POST of a
//! body already signed, under the egress rules (https and public addresses only unless
//! the deployment allows its own network, names resolved to public addresses only, no
//! redirect followed) and with connect and total timeouts, so a hanging receiver costs
//! one attempt, never a stuck worker. The outcome is classified for the retry schedule.

use std::sync::LazyLock;
use std::time::Duration;

/// A receiver is expected to acknowledge fast and work later (the specification's advice).
const TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

static PUBLIC: LazyLock<reqwest::Client> = LazyLock::new(|| build(false));
static ANY: LazyLock<reqwest::Client> = LazyLock::new(|| build(true));

fn build(allow_private: bool) -> reqwest::Client {
    crate::egress::client(allow_private)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("Frontdesk-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// One signed message.
pub struct SignedWebhook<'a> {
    pub url: &'a str,
    /// `webhook-id`: the same for every attempt of a message.
    pub id: &'a str,
    /// `webhook-timestamp`, Unix seconds, the moment it was signed.
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: &'a str,
    pub body: &'a str,
    /// See `crate::egress`: a deployment setting, never a tenant's.
    pub allow_private_network: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookSendError {
    /// The receiver answered something other than 2xx (a redirect included: never followed).
    #[error("the receiver answered {0}")]
    Status(u16),
    /// No answer: refused, unreachable, timed out, or the URL resolves to no public address.
    #[error("the receiver could not be reached: {0}")]
    Unreachable(String),
    /// The URL itself is not allowed (private address, not https...).
    #[error("the URL {0}")]
    Refused(String),
}

impl WebhookSendError {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status(s) => Some(*s),
            _ => None,
        }
    }
}

/// Posts the message; `Ok(status)` on 2xx. The error never carries the URL (its path or
/// query may hold the receiver's own token).
pub async fn send(hook: &SignedWebhook<'_>) -> Result<u16, WebhookSendError> {
    crate::egress::check_url(hook.url, hook.allow_private_network)
        .map_err(|e| WebhookSendError::Refused(e.to_string()))?;
    let http = if hook.allow_private_network { &ANY } else { &PUBLIC };
    let sent = http
        .post(hook.url)
        .header("content-type", "application/json")
        .header("webhook-id", hook.id)
        .header("webhook-timestamp", hook.timestamp.to_string())
        .header("webhook-signature", hook.signature)
        .body(hook.body.to_owned())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Ok(r.status().as_u16()),
        Ok(r) => Err(WebhookSendError::Status(r.status().as_u16())),
        Err(e) if e.is_timeout() => Err(WebhookSendError::Unreachable("timed out".into())),
        Err(e) => Err(WebhookSendError::Unreachable(e.without_url().to_string())),
    }
}
