//! The VAPI module against a real local HTTP server (wiremock) speaking the create-call API
//! of PROVIDERS.md section 2.1, server URL messages in every documented shape (2.2), and
//! property tests that no input panics the parser. Unmet `expect(n)` counts fail the test
//! when the mock server drops, so every mock with a count is an assertion.

mod calls;
mod messages;
mod props;
