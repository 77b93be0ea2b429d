//! API-key authentication for `/api/v1/*`. The key (header `X-API-KEY`, or
//! `Authorization: Bearer`) decides the tenant; handlers never take a tenant from input.

use crate::{ApiError, AppState};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use frontdesk_domain::TenantId;
use frontdesk_domain::api_key_scope::ScopeSet;
use frontdesk_engine::audit::Actor;

/// The authenticated caller of an API request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub key_prefix: String,
    pub request_id: Option<String>,
    /// What the key may do; the middleware has already refused anything else.
    pub scopes: ScopeSet,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor {
            tenant_id: self.tenant_id,
            name: format!("api_key:{}", self.key_prefix),
            request_id: self.request_id.clone(),
        }
    }
}

fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(v);
    }
    let auth = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

pub async fn require_api_key(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let ip = crate::ratelimit::client_ip(&req);
    let Some(presented) = presented_key(req.headers()) else {
        state.limits.check_auth_failure(ip)?;
        return Err(ApiError::unauthorized(
            "missing_api_key",
            "send your API key in the X-API-KEY header (or Authorization: Bearer)",
        ));
    };
    let Some(key) = frontdesk_engine::access::authenticate(&state.ctx, presented).await? else {
        state.limits.check_auth_failure(ip)?;
        return Err(ApiError::unauthorized("invalid_api_key", "the API key is unknown or revoked"));
    };
    state.limits.check_api(&key.prefix, crate::ratelimit::route_of(&req))?;
    check_scope(&key.scopes, &req)?;
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let scopes = key.scopes;
    req.extensions_mut().insert(Principal {
        tenant_id: key.tenant_id,
        key_prefix: key.prefix,
        request_id,
        scopes,
    });
    Ok(next.run(req).await)
}

/// 403 `insufficient_scope` unless one of the key's scopes allows this route.
fn check_scope(scopes: &ScopeSet, req: &Request) -> Result<(), ApiError> {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| req.uri().path(), |m| m.as_str());
    if crate::scopes::allows(scopes, req.method(), route) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "insufficient_scope",
        format!("this API key ({}) may not call {} {route}", scopes.to_csv(), req.method()),
    ))
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::unauthorized("missing_api_key", "this route requires an API key"))
    }
}
