//! Webhooks name their tenant by slug and need its settings to authenticate the request.
//! Reading both for every delivery was two of the ingest path's three database round
//! trips, so a process keeps them for a few seconds. A change made through this process
//! (a settings patch, a tenant edit) drops the entry at once; a change made by another
//! process (the CLI, another instance) is seen within [`FRESH_FOR`].

use frontdesk_domain::TenantId;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::tenant::Tenant;
use frontdesk_store::{DynStore, StoreResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a process trusts what it read; bounds how long a rotated webhook secret keeps
/// working on other instances.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct TenantEntry {
    pub tenant: Tenant,
    pub settings: TenantSettings,
}

#[derive(Default)]
pub struct TenantDirectory {
    by_slug: Mutex<HashMap<String, (Instant, Arc<TenantEntry>)>>,
}

impl TenantDirectory {
    /// The tenant and its settings; `None` for an unknown slug (never cached, so a tenant
    /// created elsewhere is found at once).
    pub async fn by_slug(&self, store: &DynStore, slug: &str) -> StoreResult<Option<Arc<TenantEntry>>> {
        if let Some((read_at, entry)) = self.entries().get(slug)
            && read_at.elapsed() < FRESH_FOR
        {
            return Ok(Some(entry.clone()));
        }
        let Some(tenant) = store.tenant_by_slug(slug).await? else { return Ok(None) };
        let settings = store.tenant_settings(tenant.id).await?;
        let entry = Arc::new(TenantEntry { tenant, settings });
        self.entries().insert(slug.to_owned(), (Instant::now(), entry.clone()));
        Ok(Some(entry))
    }

    /// Drops what is known of `tenant` after this process changed it.
    pub fn forget(&self, tenant: TenantId) {
        self.entries().retain(|_, (_, e)| e.tenant.id != tenant);
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<TenantEntry>)>> {
        self.by_slug.lock().unwrap_or_else(|e| e.into_inner())
    }
}
