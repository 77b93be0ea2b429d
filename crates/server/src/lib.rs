//! The `frontdesk` binary's library: configuration, backend choice, process wiring. Tests
//! and `main.rs` call the same `App`.

pub mod app;
pub mod backend;
pub mod backup;
pub mod campaign_cli;
pub mod cli;
pub mod config;
pub mod demo;
mod http;
pub mod logging;
pub mod noshow_eval;
pub mod noshow_train;
pub mod otel;
pub mod report_file;
pub mod secrets;
pub mod simulate;

pub use app::{App, Role};
pub use config::Config;
