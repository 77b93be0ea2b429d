//! A clinic's trained model as it is kept: when it was trained, on how much history, how
//! it did on the most recent days it was not trained on, and the model itself.

use super::Metrics;
use crate::TenantId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What staff and the API see of a stored model (everything but the model's body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoShowModelInfo {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub trained_at: Timestamp,
    /// Finished appointments (shows and no-shows) the stored model was fitted on.
    pub examples: u64,
    pub no_shows: u64,
    /// Of a model fitted on the earlier days only, on the most recent days held out: an
    /// honest estimate of how the stored model (refitted on all days) will do.
    pub metrics: Metrics,
    /// The scorer the model answers with: `logistic`, `boosted` or `blend`.
    pub kind: String,
}

/// A model to store: its summary and the serialised `TrainedModel` (JSON).
#[derive(Clone, PartialEq)]
pub struct StoredNoShowModel {
    pub info: NoShowModelInfo,
    pub model_json: String,
}

impl std::fmt::Debug for StoredNoShowModel {
    // The body is large and says nothing a log reader needs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredNoShowModel")
            .field("info", &self.info)
            .field("model_bytes", &self.model_json.len())
            .finish()
    }
}
