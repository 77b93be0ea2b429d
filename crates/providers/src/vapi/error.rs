//! What can go wrong placing a call through VAPI.
//!
//! VAPI's 400 texts can quote the customer number they refused, and these errors end up in
//! logs and job records, so the message kept here has number-like runs masked (see
//! `crate::redact::scrub`).

/// A failed call to VAPI's REST API.
#[derive(Debug, thiserror::Error)]
pub enum VapiError {
    /// Connection refused, DNS failure, timeout or a connection dropped mid-response.
    /// The source has its URL stripped.
    #[error("VAPI could not be reached")]
    Unreachable(#[source] reqwest::Error),

    /// HTTP 429: too many requests or concurrent calls.
    #[error("VAPI is rate limiting")]
    RateLimited,

    /// VAPI failed on its side (5xx, "a system failure" in its docs).
    #[error("VAPI failed (HTTP {status})")]
    Upstream { status: u16 },

    /// VAPI refused the request (4xx other than 429): a client or policy failure such as an
    /// invalid number, an unknown assistant or a bad key. `message` is VAPI's text with digit
    /// runs masked.
    #[error("VAPI rejected the call (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },

    /// A success status with a body this client cannot understand. The call may have been
    /// placed, so this is not retried: a duplicate call rings a patient twice.
    #[error("VAPI sent an unexpected response: {0}")]
    InvalidResponse(String),

    /// The call was not made: the request or the configuration cannot work.
    #[error("invalid VAPI request: {0}")]
    InvalidRequest(&'static str),
}

impl VapiError {
    /// Whether the same create may succeed later unchanged: outages, timeouts and
    /// throttling, yes; refusals of the call itself, no (retrying only delays the record of
    /// a permanent failure).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::RateLimited | Self::Upstream { .. } => true,
            // 408 is "not now" rather than "not this".
            Self::Rejected { status, .. } => *status == 408,
            Self::InvalidResponse(_) | Self::InvalidRequest(_) => false,
        }
    }

    /// The HTTP status VAPI answered with, to record beside a failed call.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::RateLimited => Some(429),
            Self::Upstream { status } | Self::Rejected { status, .. } => Some(*status),
            _ => None,
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
        assert!(VapiError::RateLimited.is_retryable());
        assert!(VapiError::Upstream { status: 503 }.is_retryable());
        assert!(VapiError::Rejected { status: 408, message: String::new() }.is_retryable());
        let bad = VapiError::Rejected { status: 400, message: String::new() };
        assert!(!bad.is_retryable());
        assert_eq!(bad.status(), Some(400));
        assert!(!VapiError::InvalidResponse("x".into()).is_retryable());
        assert!(!VapiError::InvalidRequest("x").is_retryable());
    }
}
