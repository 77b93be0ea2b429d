//! The Helena module: sends against a real local HTTP server (wiremock) with the JSON of
//! PROVIDERS.md section 3, webhook events from realistic payloads, and property tests that
//! no JSON panics the parser.

mod events;
mod props;
mod send;
