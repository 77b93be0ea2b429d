//! What can go wrong talking to Ninsaúde.
//!
//! No variant carries text from a request or response body: Ninsaúde's error messages may
//! echo the patient's name or phone, and these errors end up in logs and job records.

/// A failed Ninsaúde call.
#[derive(Debug, thiserror::Error)]
pub enum NinsaudeError {
    /// Connection refused, DNS failure, timeout or a connection dropped mid-response.
    /// The source has its URL stripped, because a lookup URL contains the patient's phone.
    #[error("Ninsaúde could not be reached")]
    Unreachable(#[source] reqwest::Error),

    /// Ninsaúde refused the credentials, or kept answering 401 after a fresh login.
    #[error("Ninsaúde refused the credentials (HTTP {status})")]
    Auth { status: u16 },

    /// Ninsaúde refused the request (a 4xx, or a 2xx whose `error` array is not empty).
    /// `message` is written by this client and names the operation, never upstream text.
    #[error("Ninsaúde rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },

    /// Ninsaúde failed on its side (5xx).
    #[error("Ninsaúde failed (HTTP {status})")]
    Upstream { status: u16 },

    /// A success status with a body this client cannot understand.
    #[error("Ninsaúde sent an unexpected response: {0}")]
    InvalidResponse(String),

    /// The call was not made: bad input (an empty phone, an end before the start) or a
    /// configuration that cannot work (an unparsable base URL).
    #[error("invalid Ninsaúde request: {0}")]
    InvalidRequest(&'static str),
}

impl NinsaudeError {
    /// Whether the same call may succeed later unchanged: outages and throttling, yes;
    /// bad credentials, refused data or a broken contract, no (retrying only delays the
    /// dead letter a person has to look at).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::Upstream { .. } => true,
            // 408 and 429 are "not now" rather than "not this".
            Self::Rejected { status, .. } => matches!(status, 408 | 429),
            Self::Auth { .. } | Self::InvalidResponse(_) | Self::InvalidRequest(_) => false,
        }
    }

    /// A transport failure, with the URL (and so any phone in its query) removed.
    pub(crate) fn unreachable(err: reqwest::Error) -> Self {
        Self::Unreachable(err.without_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(NinsaudeError::Upstream { status: 503 }.is_retryable());
        assert!(NinsaudeError::Rejected { status: 429, message: "x".into() }.is_retryable());
        assert!(!NinsaudeError::Rejected { status: 422, message: "x".into() }.is_retryable());
        assert!(!NinsaudeError::Auth { status: 401 }.is_retryable());
        assert!(!NinsaudeError::InvalidResponse("x".into()).is_retryable());
        assert!(!NinsaudeError::InvalidRequest("x").is_retryable());
    }
}
