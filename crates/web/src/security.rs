//! Headers that make the browser a second line of defence, on every response:
//! - `Content-Security-Policy`: scripts and everything else only from this server (no
//!   inline script, no `eval`), no framing, forms post only here; inline `style`
//!   attributes are allowed (layout only, they cannot run code). The bundled API docs at
//!   `/docs` run Swagger UI's own inline bootstrap and get the same policy with that one
//!   allowance.
//! - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for browsers without
//!   `frame-ancestors`), `Referrer-Policy: same-origin` (addresses hold ids).
//! - `Strict-Transport-Security` when the public URL is https.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; \
                   media-src 'self' https:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                        frame-ancestors 'none'";
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/docs");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let policy = if docs { DOCS_CSP } else { CSP };
    set(h, header::CONTENT_SECURITY_POLICY, policy);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    if state.config.public_url.starts_with("https://") {
        set(h, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}

fn set(headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str) {
    headers.entry(name).or_insert(HeaderValue::from_static(value));
}
