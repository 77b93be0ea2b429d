//! The server's integration tests, one binary: each module is one area (its own doc
//! comment says what it proves). One binary links the whole server once instead of once
//! per area, which is most of a cold CI build. Run one area with
//! `cargo test -p frontdesk-server --test it <module>::`.
//!
//! Tests share the process, so none of them may touch process-wide state (environment
//! variables, the working directory, a global tracing subscriber): each builds its own app,
//! database and mock servers.

mod api;
mod api_key_scopes;
mod assistant;
mod browser;
mod campaign_calls;
mod campaigns;
mod cli;
mod cli_secrets;
mod concurrency;
mod conversations;
mod crash;
mod data_rights;
mod dialogue_care;
mod email;
mod email_campaign;
mod facts;
mod faults;
mod fhir;
mod hostile_input;
mod isolation;
mod jobs;
mod journey;
mod journey_language;
mod leads;
mod leads_import;
mod live;
mod logs;
mod messaging;
mod metrics;
mod metrics_views;
mod n8n;
mod ninsaude;
mod noshow_risk;
mod noshow_training;
mod online_booking;
mod openapi;
mod ops;
mod outage;
mod outbound_webhooks;
mod phone;
mod reports;
mod safety;
mod scheduling;
mod secrets;
mod shared_limits;
mod simulate;
mod voice;
mod voice_race;
mod waitlist;
