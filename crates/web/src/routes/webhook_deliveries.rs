//! The outbound webhook delivery log: list (by state or subscription), one delivery, and
//! a manual replay of a delivered or dead one under the same `webhook-id`.

use super::webhook_subscriptions::api_error;
use crate::auth::Principal;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_domain::webhooks::{DeliveryState, WebhookDelivery};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::webhooks;
use frontdesk_store::DeliveryFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    /// The `webhook-id` header every attempt and replay carries.
    pub webhook_id: String,
    pub subscription_id: Uuid,
    #[schema(example = "appointment.booked")]
    pub event_type: String,
    pub fact_id: String,
    /// `pending`, `failed` (another attempt is scheduled), `delivered` or `dead`.
    #[schema(value_type = String, example = "delivered")]
    pub state: DeliveryState,
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<jiff::Timestamp>,
    /// The JSON body sent.
    pub payload: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<WebhookDelivery> for DeliveryView {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            webhook_id: d.webhook_id(),
            id: d.id,
            subscription_id: d.subscription_id,
            event_type: d.event_type.as_str().to_owned(),
            fact_id: d.fact_id,
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            payload: serde_json::from_str(&d.body).unwrap_or(serde_json::Value::Null),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Only deliveries in this state: pending, failed, delivered, dead.
    #[param(value_type = Option<String>)]
    pub state: Option<DeliveryState>,
    /// Only deliveries to this subscription.
    pub subscription_id: Option<Uuid>,
    /// How many, newest first: 1-200 (default 50).
    pub limit: Option<u32>,
}

/// The tenant's deliveries, newest first.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries", tag = "outbound-webhooks", params(DeliveryQuery),
    security(("api_key" = [])),
    responses((status = 200, body = DeliveryList), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", "limit must be 1-200"));
    }
    let filter = DeliveryFilter { state: q.state, subscription: q.subscription_id, limit };
    let items = state.ctx.store.list_webhook_deliveries(who.tenant_id, &filter).await?;
    Ok(Json(DeliveryList { items: items.into_iter().map(DeliveryView::from).collect() }))
}

/// One delivery.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries/{id}", tag = "outbound-webhooks", params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = DeliveryView), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_delivery(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<DeliveryView>, ApiError> {
    let d = state
        .ctx
        .store
        .get_webhook_delivery(who.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook delivery"))?;
    Ok(Json(d.into()))
}

/// Sends a delivered or dead delivery again, at once, with the same `webhook-id` (the
/// receiver can tell it already has it) and a fresh round of attempts.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/replay", tag = "outbound-webhooks",
    params(("id" = Uuid, Path)), security(("api_key" = [])),
    responses((status = 202, body = DeliveryView), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, description = "Still being attempted", body = crate::error::ErrorBody)))]
pub async fn replay_delivery(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(axum::http::StatusCode, Json<DeliveryView>), ApiError> {
    let d = webhooks::replay(&state.ctx, who.tenant_id, id)
        .await
        .map_err(|e| api_error(e, "webhook delivery"))?;
    let resource_id = id.to_string();
    let access = Access {
        action: "replay",
        resource_type: "webhook_delivery",
        resource_id: Some(&resource_id),
        patient_id: None,
    };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(d.into())))
}
