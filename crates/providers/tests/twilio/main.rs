//! The Twilio module against a real local HTTP server (wiremock) speaking the Messages API
//! of PROVIDERS.md section 1.4, plus webhook parsing and signing on realistic form bodies
//! and property tests that no input panics the parsers. Unmet `expect(n)` counts fail the
//! test when the mock server drops, so every mock with a count is an assertion.

mod media;
mod props;
mod send;
mod support;
mod webhooks;
