//! What can go wrong talking to Helena.
//!
//! Helena's error envelope carries a machine `key` (`ERROR_UNAUTHORIZED`) and a human
//! `text`; only a well-formed key is kept, because the text may quote the contact.

/// A failed Helena call.
#[derive(Debug, thiserror::Error)]
pub enum HelenaError {
    /// Connection refused, DNS failure, timeout or a connection dropped mid-response.
    #[error("Helena could not be reached")]
    Unreachable(#[source] reqwest::Error),

    /// Helena refused the token (401/403, `ERROR_UNAUTHORIZED`).
    #[error("Helena refused the API token (HTTP {status})")]
    Auth { status: u16 },

    /// HTTP 429: over the account's or the send endpoint's rate limit.
    #[error("Helena is rate limiting")]
    RateLimited,

    /// Helena failed on its side (5xx).
    #[error("Helena failed (HTTP {status})")]
    Upstream { status: u16 },

    /// Helena refused the request (another 4xx). `key` is Helena's error key, when it
    /// sent a well-formed one.
    #[error("Helena rejected the request (HTTP {status}, key {key:?})")]
    Rejected { status: u16, key: Option<String> },

    /// A success status with a body this client cannot understand. The message may have
    /// been queued, so this is not retried.
    #[error("Helena sent an unexpected response: {0}")]
    InvalidResponse(String),

    /// The call was not made: the message or the configuration cannot work.
    #[error("invalid Helena request: {0}")]
    InvalidRequest(&'static str),
}

impl HelenaError {
    /// Whether the same call may succeed later unchanged.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::RateLimited | Self::Upstream { .. } => true,
            Self::Rejected { status, .. } => *status == 408,
            Self::Auth { .. } | Self::InvalidResponse(_) | Self::InvalidRequest(_) => false,
        }
    }

    pub(crate) fn unreachable(err: reqwest::Error) -> Self {
        Self::Unreachable(err.without_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_classification() {
        assert!(HelenaError::RateLimited.is_retryable());
        assert!(HelenaError::Upstream { status: 502 }.is_retryable());
        assert!(!HelenaError::Auth { status: 401 }.is_retryable());
        assert!(!HelenaError::Rejected { status: 400, key: None }.is_retryable());
        assert!(!HelenaError::InvalidResponse("x".into()).is_retryable());
    }
}
