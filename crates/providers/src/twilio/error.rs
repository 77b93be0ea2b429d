//! What can go wrong sending through Twilio.
//!
//! Twilio's error texts sometimes quote the number they refused ("The 'To' number +1555...
//! is not a valid phone number"), and these errors end up in logs and job records, so the
//! message kept here has number-like runs masked (see `crate::redact::scrub`).

/// A failed call to Twilio's REST API.
#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    /// Connection refused, DNS failure, timeout or a connection dropped mid-response.
    /// The source has its URL stripped.
    #[error("Twilio could not be reached")]
    Unreachable(#[source] reqwest::Error),

    /// HTTP 429: too many requests (Twilio code 20429 or a channel limit such as 63018).
    #[error("Twilio is rate limiting (code {code:?})")]
    RateLimited { code: Option<u32> },

    /// Twilio failed on its side (5xx).
    #[error("Twilio failed (HTTP {status}, code {code:?})")]
    Upstream { status: u16, code: Option<u32> },

    /// Twilio refused the request (4xx other than 429), e.g. 21211 "invalid To number",
    /// 21610 "recipient opted out", 63016 "outside the WhatsApp 24-hour window", 20003
    /// "authentication failed". `message` is Twilio's text with digit runs masked.
    #[error("Twilio rejected the message (HTTP {status}, code {code:?}): {message}")]
    Rejected { status: u16, code: Option<u32>, message: String },

    /// A success status with a body this client cannot understand. The message may have
    /// been accepted, so this is not retried: the idempotency token protects a retry only
    /// for a limited time, and a duplicate reaches a patient.
    #[error("Twilio sent an unexpected response: {0}")]
    InvalidResponse(String),

    /// A media download failed or was refused (see [`crate::media`]).
    #[error(transparent)]
    Media(crate::media::MediaError),

    /// The call was not made: the message or the configuration cannot work.
    #[error("invalid Twilio request: {0}")]
    InvalidRequest(&'static str),
}

impl TwilioError {
    /// Whether the same send may succeed later unchanged: outages, timeouts and throttling,
    /// yes; refusals of the message itself, no (retrying only delays the dead letter).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::RateLimited { .. } | Self::Upstream { .. } => true,
            // 408 is "not now" rather than "not this".
            Self::Rejected { status, .. } => *status == 408,
            Self::Media(e) => e.is_retryable(),
            Self::InvalidResponse(_) | Self::InvalidRequest(_) => false,
        }
    }

    /// Twilio's numeric error code, to record beside a failed message.
    pub fn code(&self) -> Option<u32> {
        match self {
            Self::RateLimited { code } | Self::Upstream { code, .. } | Self::Rejected { code, .. } => *code,
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
        assert!(TwilioError::RateLimited { code: Some(20429) }.is_retryable());
        assert!(TwilioError::Upstream { status: 503, code: None }.is_retryable());
        assert!(TwilioError::Rejected { status: 408, code: None, message: String::new() }.is_retryable());
        let invalid_to = TwilioError::Rejected { status: 400, code: Some(21211), message: String::new() };
        assert!(!invalid_to.is_retryable());
        assert_eq!(invalid_to.code(), Some(21211));
        assert!(!TwilioError::InvalidResponse("x".into()).is_retryable());
        assert!(!TwilioError::InvalidRequest("x").is_retryable());
    }
}
