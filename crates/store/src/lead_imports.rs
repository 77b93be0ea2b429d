//! CSV lead imports started from the app: the file, and the progress and report of the job
//! that runs it.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::leads::LeadImport;
use uuid::Uuid;

#[async_trait]
pub trait LeadImportStore: Send + Sync {
    /// Stores a new import with its file.
    async fn create_lead_import(&self, import: &LeadImport, file: &str) -> StoreResult<()>;
    async fn get_lead_import(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<LeadImport>>;
    async fn lead_import_file(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<String>>;
    /// Saves status, rows done, summary, error and the update time.
    async fn save_lead_import(&self, import: &LeadImport) -> StoreResult<()>;
}
