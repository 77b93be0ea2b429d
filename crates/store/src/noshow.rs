//! Per-clinic trained no-show models, newest last. Only the newest is used; a few older
//! ones are kept so a bad retrain can be looked into.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::noshow::{NoShowModelInfo, StoredNoShowModel};
use uuid::Uuid;

/// How many models a clinic keeps; saving another drops the oldest beyond these.
pub const NOSHOW_MODELS_KEPT: usize = 4;

#[async_trait]
pub trait NoShowModelStore: Send + Sync {
    /// Stores a model and drops the tenant's oldest beyond [`NOSHOW_MODELS_KEPT`], in one
    /// transaction.
    async fn save_noshow_model(&self, model: &StoredNoShowModel) -> StoreResult<()>;
    /// The summary of the tenant's most recently trained model, if any (without its body,
    /// which can be large: a reader checks the id and loads the body only when it changed).
    async fn latest_noshow_model(&self, tenant: TenantId) -> StoreResult<Option<NoShowModelInfo>>;
    /// A stored model's body (the serialised `TrainedModel`).
    async fn noshow_model_body(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<String>>;
}
