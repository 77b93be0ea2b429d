//! The clinic's latest trained no-show model, read from the store for scoring: parsed once
//! per new model and kept per process. Apart from training (`noshow_training`), so that
//! scoring (`risk`) and training each depend on what they use, not on each other.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::noshow::TrainedModel;
use frontdesk_store::StoreResult;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use uuid::Uuid;

/// Per tenant, the id of the model loaded and the model.
type Loaded = HashMap<TenantId, (Uuid, Arc<TrainedModel>)>;
/// Models loaded from the store: a request reads only the latest id and parses a body
/// (which can be large) once per new model.
static LOADED: LazyLock<Mutex<Loaded>> = LazyLock::new(Default::default);

/// The tenant's latest stored model, if it has one that can be read.
pub(super) async fn stored_model(ctx: &Ctx, tenant: TenantId) -> StoreResult<Option<Arc<TrainedModel>>> {
    let Some(info) = ctx.store.latest_noshow_model(tenant).await? else { return Ok(None) };
    let cached = LOADED.lock().ok().and_then(|l| l.get(&tenant).filter(|(id, _)| *id == info.id).cloned());
    if let Some((_, model)) = cached {
        return Ok(Some(model));
    }
    let Some(body) = ctx.store.noshow_model_body(tenant, info.id).await? else { return Ok(None) };
    match serde_json::from_str::<TrainedModel>(&body) {
        Ok(model) => {
            let model = Arc::new(model);
            if let Ok(mut loaded) = LOADED.lock() {
                loaded.insert(tenant, (info.id, model.clone()));
            }
            Ok(Some(model))
        }
        Err(e) => {
            // A model written by another version of the server: the fallback scores until
            // the next training replaces it.
            tracing::warn!(tenant_id = %tenant, model_id = %info.id, error = %e, "stored no-show model unreadable; using the fallback");
            Ok(None)
        }
    }
}
