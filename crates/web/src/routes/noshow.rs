//! The clinic's trained no-show model, as staff and integrations check it: when it was
//! trained, on how much, and how it did on the most recent days it had not seen.

use crate::auth::Principal;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::noshow::NoShowModelInfo;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct NoShowModelView {
    #[schema(value_type = String, format = DateTime)]
    pub trained_at: jiff::Timestamp,
    /// Finished appointments (shows and no-shows) the model was fitted on.
    pub examples: u64,
    pub no_shows: u64,
    pub metrics: NoShowMetricsView,
    /// The scorer it answers with: `logistic`, `boosted` or `blend`.
    pub kind: String,
}

/// Of the same training on all but the most recent fifth of the days, measured on those.
#[derive(Serialize, ToSchema)]
pub struct NoShowMetricsView {
    /// Appointments in the held-out days.
    pub count: usize,
    /// Their share of no-shows.
    pub base_rate: f64,
    /// ROC AUC: the chance a no-show scores above a show (0.5 is a coin).
    pub auc: f64,
    /// PR-AUC (average precision).
    pub pr_auc: f64,
    /// Mean squared error of the probabilities (lower is better).
    pub brier: f64,
}

impl From<NoShowModelInfo> for NoShowModelView {
    fn from(m: NoShowModelInfo) -> Self {
        Self {
            trained_at: m.trained_at,
            examples: m.examples,
            no_shows: m.no_shows,
            metrics: NoShowMetricsView {
                count: m.metrics.count,
                base_rate: m.metrics.base_rate,
                auc: m.metrics.auc,
                pr_auc: m.metrics.average_precision,
                brier: m.metrics.brier,
            },
            kind: m.kind,
        }
    }
}

/// The clinic's latest trained no-show model; 404 `no_model` while it has none (risks then
/// come from the fallback scorer; see docs/noshow.md).
#[utoipa::path(get, path = "/api/v1/noshow/model", tag = "scheduling", security(("api_key" = [])),
    responses((status = 200, body = NoShowModelView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn latest_model(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<NoShowModelView>, ApiError> {
    match state.ctx.store.latest_noshow_model(who.tenant_id).await? {
        Some(model) => Ok(Json(model.into())),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_model",
            "no trained no-show model yet: `frontdesk noshow train` or the weekly retraining makes one once the clinic has enough finished appointments",
        )),
    }
}
