//! NUL characters (U+0000) are refused at the door. PostgreSQL cannot store them in text
//! (a NUL in a name, a note or a path segment was a 500 there, found by schemathesis),
//! while SQLite would store them; no clinic data needs one. Refusing them here, for the
//! URI, JSON bodies and webhook bodies alike, gives a clear 4xx on both backends.

use crate::ApiError;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const MESSAGE: &str = "text must not contain NUL (U+0000) characters";

/// Whether a JSON text has a string with a NUL in it: the `\u0000` escape (JSON has no
/// other way to write one), not preceded by an escaped backslash (`\\u0000` is the text
/// `\u0000`). Raw NUL bytes are not JSON at all, and are caught too.
pub fn json_has_nul(body: &[u8]) -> bool {
    if body.contains(&0) {
        return true;
    }
    let mut backslashes = 0usize;
    for (i, &b) in body.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if b == b'u' && backslashes % 2 == 1 && body[i + 1..].starts_with(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// Whether percent-encoded text (a URI, a form body) decodes to a NUL.
pub fn percent_has_nul(text: &[u8]) -> bool {
    text.contains(&0) || text.windows(3).any(|w| w == b"%00")
}

/// The 422 a JSON body with a NUL gets (the body parses; a field is not acceptable).
pub fn json_rejection() -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", MESSAGE)
}

/// The 400 a webhook body with a NUL gets.
pub fn payload_rejection() -> ApiError {
    ApiError::bad_request("invalid_payload", MESSAGE)
}

/// Middleware: a path or query string that decodes to a NUL is a 400 (an
/// OperationOutcome under `/fhir/`, whose errors are all FHIR).
pub async fn reject_in_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let in_path = percent_has_nul(uri.path().as_bytes());
    let in_query = uri.query().is_some_and(|q| percent_has_nul(q.as_bytes()));
    if !(in_path || in_query) {
        return next.run(request).await;
    }
    if uri.path().starts_with("/fhir/") {
        return crate::fhir::FhirError::invalid(MESSAGE).into_response();
    }
    let code = if in_path { "invalid_path" } else { "invalid_query" };
    ApiError::bad_request(code, MESSAGE).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nul_escapes_are_found_and_escaped_backslashes_are_not() {
        assert!(json_has_nul(br#"{"name":"a\u0000b"}"#));
        assert!(json_has_nul(br#"["\\\u0000"]"#), "an escaped backslash, then a NUL");
        assert!(json_has_nul(b"{\"a\":\"\0\"}"));
        assert!(!json_has_nul(br#"{"name":"a\\u0000b"}"#), "the six characters \\u0000");
        assert!(!json_has_nul(br#"{"name":"\u0001 u0000 \n"}"#));
        assert!(json_has_nul(br#"{"n":"\u00000"}"#), "a NUL followed by the digit 0");
        assert!(!json_has_nul(b"\\"), "a trailing backslash is not a panic");
        assert!(!json_has_nul(b"\\u000"), "a truncated escape is not a NUL");
    }

    #[test]
    fn percent_encoded_nuls_are_found() {
        assert!(percent_has_nul(b"/webhooks/twilio/%00/messages"));
        assert!(percent_has_nul(b"q=a%00"));
        assert!(!percent_has_nul(b"q=%0A%20%100"));
    }
}
