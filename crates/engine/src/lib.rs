//! Orchestration: turns requests and provider events into domain changes and jobs, and
//! runs those jobs. Depends on the domain, the store traits and the provider traits only.

pub mod access;
pub mod analytics;
pub mod assistant;
pub mod audit;
pub mod campaigns;
pub mod data_rights;
pub mod facts;
pub mod faults;
pub mod jobs;
pub mod leads;
pub mod links;
pub mod messaging;
pub mod pii;
pub mod playbooks;
pub mod reports;
pub mod scheduling;
pub mod settings;
pub mod staff;
pub mod tenant_directory;
pub mod tenants;
pub mod voice;
pub mod waitlist;
pub mod webhooks;

/// The booking dialogue keeps its old path for the HTTP layer.
pub use playbooks::journey;

use frontdesk_domain::Clock;
use frontdesk_store::DynStore;
use std::sync::Arc;

/// What every engine operation needs: where data lives, what time it is, and the
/// per-tenant clients of external systems.
#[derive(Clone)]
pub struct Ctx {
    pub store: DynStore,
    pub clock: Arc<dyn Clock>,
    pub externals: Arc<scheduling::ExternalCalendars>,
    /// Recently loaded calendars, reused while unchanged.
    pub calendars: Arc<scheduling::CalendarCache>,
    /// The externally visible base URL, for callback URLs given to providers.
    pub public_url: Arc<str>,
    /// Tenants and settings by slug, for webhooks.
    pub tenants: Arc<tenant_directory::TenantDirectory>,
    /// Signs links patients open without an account; `None` makes none.
    pub links: Option<Arc<links::LinkSigner>>,
    /// Limits for downloading media patients send (hosts, addresses, time, size).
    pub media: frontdesk_providers::media::MediaPolicy,
    /// Fault points only tests arm.
    pub faults: Arc<faults::Faults>,
}

impl Ctx {
    pub fn new(store: DynStore, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            externals: Arc::default(),
            calendars: Arc::default(),
            public_url: Arc::from("http://127.0.0.1:8080"),
            tenants: Arc::default(),
            links: None,
            media: Default::default(),
            faults: Arc::default(),
        }
    }

    pub fn with_link_secret(mut self, secret: Option<secrecy::SecretString>) -> Self {
        self.links = secret.map(|s| Arc::new(links::LinkSigner::new(s)));
        self
    }

    pub fn with_media_policy(mut self, media: frontdesk_providers::media::MediaPolicy) -> Self {
        self.media = media;
        self
    }

    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::from(url);
        self
    }
}
