//! The Ninsaúde client against a real local HTTP server (wiremock) speaking the wire
//! protocol of PROVIDERS.md section 4. Unmet `expect(n)` counts fail the test when the
//! mock server drops, so every mock with a count is an assertion.

mod auth;
mod calls;
mod errors;
mod support;
