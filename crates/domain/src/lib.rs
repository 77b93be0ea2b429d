//! Frontdesk's pure domain: types and rules with no I/O.
//!
//! Everything here compiles and tests in seconds; the stores, providers and HTTP layer
//! depend on it, never the other way round.

pub mod analytics;
pub mod api_key;
pub mod api_key_scope;
pub mod assistant;
pub mod audit;
pub mod clock;
pub mod contact;
pub mod data_rights;
pub mod facts;
pub mod ids;
pub mod jobs;
#[macro_use]
pub mod messaging;
// After `messaging`: it uses `wire_names!`.
pub mod campaigns;
pub mod leads;
pub mod nlu;
pub mod noshow;
pub mod page;
pub mod patients;
pub mod plausible;
pub mod safety;
pub mod scheduling;
pub mod settings;
pub mod staff;
pub mod tenant;
pub mod voice;
pub mod waitlist;
pub mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use ids::*;
