//! The HTTP surface: public JSON API (with its OpenAPI description), provider webhooks,
//! health and metrics, and the staff app's pages. Handlers stay thin: parse, call the engine, shape the answer.

mod app;
pub mod auth;
mod body_limit;
mod book;
mod campaign_body;
pub mod error;
pub mod etag;
pub mod extract;
pub mod fhir;
pub mod mcp;
mod nul;
mod observe;
pub mod openapi;
mod openapi_complete;
pub mod ratelimit;
mod report_download;
mod routes;
pub mod scopes;
mod security;
mod slot_choice;
mod state;
pub mod telemetry;

pub use error::ApiError;
pub use state::{AppState, WebConfig};

use axum::Router;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// The complete application router.
pub fn router(state: AppState) -> Router {
    let (api, spec) = openapi::split(state.clone());
    // Machine clients (the API with its webhooks, FHIR) get an announced oversized body
    // refused before it is read; the staff app's pages answer an oversized form in their
    // own words, on the same page.
    let refuse_early = |router: Router<AppState>| {
        router.layer(axum::middleware::from_fn_with_state(
            state.config.body_limit_bytes,
            body_limit::refuse_announced_oversize,
        ))
    };
    let app = Router::new()
        .merge(refuse_early(api))
        .merge(refuse_early(mcp_router(state.clone())))
        .merge(routes::metrics::router())
        .merge(openapi::docs_router(spec))
        .merge(refuse_early(fhir::router(state.clone())))
        .merge(app::router())
        .merge(book::router(state.clone()))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        // Tags each response with its route template for `observe`.
        .route_layer(axum::middleware::from_fn(observe::tag_route));
    // Every request passes these, outermost first. They are composed into one layer
    // because each `Router::layer` call wraps every route in its own boxed service, cloned
    // and boxed again per request: ten separate layers cost about a tenth of the server's
    // CPU on the webhook benchmark. The body timeout sits innermost, where the router
    // accepts its wrapped body type.
    let edge = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::from_fn(observe::observe))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .option_layer(cors_layer(&state.config.cors_origins))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn(error::uniform_errors))
        .layer(axum::middleware::from_fn(nul::reject_in_uri))
        .layer(axum::extract::DefaultBodyLimit::max(state.config.body_limit_bytes))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(state.config.body_read_timeout));
    app.layer(edge).with_state(state)
}

/// The assistant's MCP endpoint, behind the API key like the rest of `/api/v1` (JSON-RPC,
/// so not in the OpenAPI document; docs/assistant.md describes it).
fn mcp_router(state: AppState) -> Router<AppState> {
    Router::new()
        .route_service("/api/v1/assistant/mcp", mcp::service(state.ctx.clone()))
        .route_layer(axum::middleware::from_fn_with_state(state, auth::require_api_key))
}

/// The separate metrics listener's router (see `metrics_bind`).
pub fn metrics_router(state: AppState) -> Router {
    routes::metrics::private_router(state)
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<_> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods(tower_http::cors::Any)
            .allow_headers(tower_http::cors::Any)
            .max_age(Duration::from_secs(3600)),
    )
}
