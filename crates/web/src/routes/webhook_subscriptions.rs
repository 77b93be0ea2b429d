//! Outbound webhook subscriptions (Standard Webhooks): create (the secret is shown once),
//! list, get, update, delete, and rotate the secret. See docs/webhooks.md.

use crate::auth::Principal;
use crate::extract::{ApiBytes, ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::webhooks::WebhookSubscription;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::webhooks::{self, SubscriptionChange, WebhookFailure};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: Uuid,
    pub url: String,
    /// Among `appointment.booked`, `appointment.cancelled`, `appointment.no_show`,
    /// `lead.stage_changed`, `message.received`, `call.ended`, `handoff.requested`.
    #[schema(example = json!(["appointment.booked"]))]
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Until when the secret before the last rotation still signs (a second `v1,` entry).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub previous_secret_expires_at: Option<jiff::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl SubscriptionView {
    fn of(s: &WebhookSubscription, now: jiff::Timestamp) -> Self {
        Self {
            id: s.id,
            url: s.url.clone(),
            event_types: s.event_types.iter().map(|e| e.as_str().to_owned()).collect(),
            description: s.description.clone(),
            enabled: s.enabled,
            previous_secret_expires_at: s.previous_expires_at.filter(|at| *at > now),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// The signing secret (`whsec_…`). Shown only in this response; store it now.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscription {
    /// Where to POST: https and a public address (up to 2000 characters).
    pub url: String,
    pub event_types: Vec<String>,
    /// A label, up to 200 characters.
    pub description: Option<String>,
    /// Defaults to true.
    pub enabled: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSubscription {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// An empty text clears it.
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// How long the old secret keeps signing beside the new one: 0 to 604800 seconds
    /// (default 86400, a day).
    pub overlap_seconds: Option<i64>,
}

/// Maps the engine's refusals onto the API's error shape.
pub(crate) fn api_error(e: WebhookFailure, what: &str) -> ApiError {
    match e {
        WebhookFailure::Invalid { field, message } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_webhook", format!("{field}: {message}"))
        }
        WebhookFailure::NotFound => ApiError::not_found(what),
        WebhookFailure::InProgress => {
            ApiError::conflict("delivery_in_progress", "the delivery is still being attempted")
        }
        WebhookFailure::Store(e) => e.into(),
    }
}

async fn audited(state: &AppState, who: &Principal, action: &str, id: Uuid) -> Result<(), ApiError> {
    let id = id.to_string();
    let access =
        Access { action, resource_type: "webhook_subscription", resource_id: Some(&id), patient_id: None };
    audit::record(&state.ctx, &who.actor(), access).await?;
    Ok(())
}

/// Subscribes a URL to events; answers with the signing secret, shown this once.
#[utoipa::path(post, path = "/api/v1/webhook-subscriptions", tag = "outbound-webhooks", security(("api_key" = [])),
    request_body = CreateSubscription,
    responses((status = 201, body = SubscriptionWithSecret), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_subscription(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<CreateSubscription>,
) -> Result<(StatusCode, Json<SubscriptionWithSecret>), ApiError> {
    let change = SubscriptionChange {
        url: Some(body.url),
        event_types: Some(body.event_types),
        description: Some(body.description),
        enabled: body.enabled,
    };
    let sub = webhooks::create_subscription(&state.ctx, who.tenant_id, change)
        .await
        .map_err(|e| api_error(e, "webhook subscription"))?;
    audited(&state, &who, "create", sub.id).await?;
    let now = state.ctx.clock.now();
    let secret = sub.secret.expose().to_owned();
    Ok((
        StatusCode::CREATED,
        Json(SubscriptionWithSecret { subscription: SubscriptionView::of(&sub, now), secret }),
    ))
}

/// The tenant's subscriptions (never their secrets), oldest first.
#[utoipa::path(get, path = "/api/v1/webhook-subscriptions", tag = "outbound-webhooks", security(("api_key" = [])),
    responses((status = 200, body = SubscriptionList), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<SubscriptionList>, ApiError> {
    let now = state.ctx.clock.now();
    let subs = state.ctx.store.list_webhook_subscriptions(who.tenant_id).await?;
    Ok(Json(SubscriptionList { items: subs.iter().map(|s| SubscriptionView::of(s, now)).collect() }))
}

/// One subscription.
#[utoipa::path(get, path = "/api/v1/webhook-subscriptions/{id}", tag = "outbound-webhooks", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = SubscriptionView), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_subscription(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SubscriptionView>, ApiError> {
    let sub = webhooks::get_subscription(&state.ctx, who.tenant_id, id)
        .await
        .map_err(|e| api_error(e, "webhook subscription"))?;
    Ok(Json(SubscriptionView::of(&sub, state.ctx.clock.now())))
}

/// Changes the URL, events, description or whether it is enabled.
#[utoipa::path(patch, path = "/api/v1/webhook-subscriptions/{id}", tag = "outbound-webhooks", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateSubscription,
    responses((status = 200, body = SubscriptionView), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 415, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_subscription(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateSubscription>,
) -> Result<Json<SubscriptionView>, ApiError> {
    let change = SubscriptionChange {
        url: body.url,
        event_types: body.event_types,
        description: body.description.map(Some),
        enabled: body.enabled,
    };
    let sub = webhooks::update_subscription(&state.ctx, who.tenant_id, id, change)
        .await
        .map_err(|e| api_error(e, "webhook subscription"))?;
    audited(&state, &who, "update", id).await?;
    Ok(Json(SubscriptionView::of(&sub, state.ctx.clock.now())))
}

/// Deletes the subscription and its deliveries.
#[utoipa::path(delete, path = "/api/v1/webhook-subscriptions/{id}", tag = "outbound-webhooks", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_subscription(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete_subscription(&state.ctx, who.tenant_id, id)
        .await
        .map_err(|e| api_error(e, "webhook subscription"))?;
    audited(&state, &who, "delete", id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues a new signing secret (shown once). The old one keeps signing beside it during
/// the overlap, so each message carries two `v1,` signatures until then.
#[utoipa::path(post, path = "/api/v1/webhook-subscriptions/{id}/rotate-secret", tag = "outbound-webhooks",
    security(("api_key" = [])), params(("id" = Uuid, Path)), request_body(content = Option<RotateSecret>),
    responses((status = 200, body = SubscriptionWithSecret), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiBytes(raw): ApiBytes,
) -> Result<Json<SubscriptionWithSecret>, ApiError> {
    // The body is optional: none (or empty) takes the default overlap.
    let body: RotateSecret = if raw.iter().all(u8::is_ascii_whitespace) {
        RotateSecret::default()
    } else {
        serde_json::from_slice(&raw).map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?
    };
    let overlap = body.overlap_seconds.map(jiff::SignedDuration::from_secs);
    let sub = webhooks::rotate_secret(&state.ctx, who.tenant_id, id, overlap)
        .await
        .map_err(|e| api_error(e, "webhook subscription"))?;
    audited(&state, &who, "rotate_secret", id).await?;
    let now = state.ctx.clock.now();
    let secret = sub.secret.expose().to_owned();
    Ok(Json(SubscriptionWithSecret { subscription: SubscriptionView::of(&sub, now), secret }))
}
