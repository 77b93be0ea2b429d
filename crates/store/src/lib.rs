//! The storage contract of Frontdesk: one trait per aggregate, implemented by each backend
//! crate (`frontdesk-store-sqlite`, `frontdesk-store-postgres`). Every tenant-scoped method
//! takes the `TenantId` first, and a row of another tenant is reported as absent.

mod analytics;
pub mod at_rest;
mod campaigns;
mod data_rights;
mod error;
mod facts;
mod lead_imports;
mod leads;
mod messaging;
mod noshow;
mod rate_counters;
mod scheduling;
mod secrets;
mod traits;
mod types;
mod users;
mod voice;
mod waitlist;
mod webhooks;

#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "conformance")]
pub mod conformance_analytics;
#[cfg(feature = "conformance")]
pub mod conformance_campaigns;
#[cfg(feature = "conformance")]
pub mod conformance_jobs_fairness;
#[cfg(feature = "conformance")]
pub mod conformance_jobs_handover;
#[cfg(feature = "conformance")]
pub mod conformance_leads;
#[cfg(feature = "conformance")]
pub mod conformance_messaging;
#[cfg(feature = "conformance")]
pub mod conformance_noshow;
#[cfg(feature = "conformance")]
pub mod conformance_rate_counters;
#[cfg(feature = "conformance")]
pub mod conformance_scheduling;
#[cfg(feature = "conformance")]
pub mod conformance_secrets;
#[cfg(feature = "conformance")]
pub mod conformance_versions;
#[cfg(feature = "conformance")]
pub mod conformance_voice;
#[cfg(feature = "conformance")]
pub mod conformance_waitlist;
#[cfg(feature = "conformance")]
pub mod conformance_webhooks;

pub use analytics::AnalyticsStore;
pub use campaigns::{AudienceQuery, CampaignStore, EnrollmentCounts};
pub use data_rights::DataRightsStore;
pub use error::{Conflict, Record, StoreError, StoreResult};
pub use facts::FactStore;
pub use lead_imports::LeadImportStore;
pub use leads::*;
pub use messaging::*;
pub use noshow::{NOSHOW_MODELS_KEPT, NoShowModelStore};
pub use rate_counters::{RateCount, RateCounterStore};
pub use scheduling::*;
pub use secrets::SecretStore;
pub use traits::*;
pub use types::*;
pub use users::*;
pub use voice::*;
pub use waitlist::{OfferFilter, WaitlistStore};
pub use webhooks::{DeliveryFilter, WebhookStore};
