//! n8n, the clinic's own workflow server: Frontdesk posts a patient's message to the
//! workflow's webhook (JSON, with the clinic's own auth header) and n8n answers later
//! through Frontdesk's callbacks. This is only the outbound half: one POST, with connect
//! and total timeouts, and the answer classified for the retry policy.

use std::sync::LazyLock;
use std::time::Duration;

/// n8n is the clinic's server: a slow workflow is retried rather than waited for.
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One client for public addresses only, one for a deployment that allows its own network.
static PUBLIC: LazyLock<reqwest::Client> = LazyLock::new(|| build(false));
static ANY: LazyLock<reqwest::Client> = LazyLock::new(|| build(true));

fn build(allow_private: bool) -> reqwest::Client {
    // The webhook URL is the clinic's; a redirect elsewhere is not followed (egress).
    crate::egress::client(allow_private)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Where and how to post: the workflow's webhook URL and an optional auth header.
pub struct N8nWebhook<'a> {
    pub url: &'a str,
    pub auth: Option<(&'a str, &'a str)>,
    /// See `crate::egress`: a deployment setting, never a tenant's.
    pub allow_private_network: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum N8nError {
    /// Down, slow or overloaded (5xx, 408, 429, connection or timeout): try again later.
    #[error("n8n unavailable: {0}")]
    Unavailable(String),
    /// The workflow refused the message, or the URL cannot be called: retrying won't help.
    #[error("n8n refused the message: {0}")]
    Refused(String),
}

/// Posts `body` to the workflow. The error never carries the URL (it may hold a secret).
pub async fn forward(webhook: &N8nWebhook<'_>, body: &serde_json::Value) -> Result<(), N8nError> {
    crate::egress::check_url(webhook.url, webhook.allow_private_network)
        .map_err(|e| N8nError::Refused(format!("the webhook URL {e}")))?;
    let http = if webhook.allow_private_network { &ANY } else { &PUBLIC };
    let mut request = http.post(webhook.url).json(body);
    if let Some((name, value)) = webhook.auth {
        request = request.header(name, value);
    }
    match request.send().await.map(|r| r.status()) {
        Ok(s) if s.is_success() => Ok(()),
        Ok(s) if s.is_server_error() || s.as_u16() == 429 || s.as_u16() == 408 => {
            Err(N8nError::Unavailable(format!("answered {s}")))
        }
        Ok(s) => Err(N8nError::Refused(format!("answered {s}"))),
        Err(e) if e.is_builder() => {
            Err(N8nError::Refused(format!("cannot call the webhook: {}", e.without_url())))
        }
        Err(e) => Err(N8nError::Unavailable(format!("unreachable: {}", e.without_url()))),
    }
}
