//! Settings, API keys: list (prefix, name, created, revoked), issue (the whole key shown
//! once, on the page that answers the form) and revoke, through the same engine and store
//! calls as `/api/v1/api-keys`. Names are unique among active keys, so a form submitted
//! twice issues one key.

use super::texts::SettingsTexts;
use super::{FieldErrors, guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{day_time, internal, problem_page, render};
use crate::app::session::Staff;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::api_key_scope::{ApiKeyScope, ScopeSet};
use frontdesk_engine::access;
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::StoreError;
use serde::Deserialize;

pub struct KeyRow {
    pub prefix: String,
    pub name: String,
    /// The key's scopes, in the reader's language.
    pub scopes: String,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_api_keys.html")]
struct KeysPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    keys: Vec<KeyRow>,
    /// The scope choices of the form: (value, label).
    scopes: Vec<(&'static str, &'static str)>,
    /// The key just issued, shown this once.
    issued: Option<String>,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    issued: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let keys = match state.ctx.store.list_api_keys(staff.tenant.id).await {
        Ok(k) => k,
        Err(e) => return internal(staff.locale(), &e),
    };
    let tz = staff.tenant.timezone.time_zone();
    let s = &staff.texts().set;
    let keys = keys
        .into_iter()
        .map(|k| KeyRow {
            prefix: k.prefix,
            name: k.name,
            scopes: k.scopes.iter().map(|scope| scope_label(s, scope)).collect::<Vec<_>>().join(", "),
            created: day_time(k.created_at, &tz),
            revoked: k.revoked_at.map(|r| day_time(r, &tz)),
        })
        .collect();
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    render(
        &KeysPage {
            t,
            s: &t.set,
            chrome,
            nav: nav(staff),
            here: "/app/settings/api-keys",
            keys,
            scopes: ApiKeyScope::ALL
                .into_iter()
                .map(|scope| (scope.as_str(), scope_label(&t.set, scope)))
                .collect(),
            issued,
            errors,
        },
        status,
    )
}

fn scope_label(s: &SettingsTexts, scope: ApiKeyScope) -> &'static str {
    match scope {
        ApiKeyScope::Full => s.scope_full,
        ApiKeyScope::ReadOnly => s.scope_read_only,
        ApiKeyScope::Webhooks => s.scope_webhooks,
        ApiKeyScope::Assistant => s.scope_assistant,
        ApiKeyScope::AssistantWrite => s.scope_assistant_write,
    }
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    page(&state, &staff, None, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    /// One scope name; absent means full.
    #[serde(default)]
    scope: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<KeyForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let name = form.name.trim();
    let mut errors = FieldErrors::default();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", s.key_name_invalid);
        return page(&state, &staff, None, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let scope = match form.scope.as_deref().filter(|v| !v.is_empty()).map(ApiKeyScope::parse).transpose() {
        Ok(scope) => scope.unwrap_or(ApiKeyScope::Full),
        Err(_) => {
            errors.add("scope", s.scope_invalid);
            return page(&state, &staff, None, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state.ctx.store.list_api_keys(staff.tenant.id).await {
        Ok(keys) if keys.iter().any(|k| k.revoked_at.is_none() && k.name == name) => {
            errors.add("name", s.key_name_taken);
            return page(&state, &staff, None, errors, StatusCode::CONFLICT).await;
        }
        Ok(_) => {}
        Err(e) => return internal(staff.locale(), &e),
    }
    let scopes = ScopeSet::new([scope]).unwrap_or_default();
    let (record, secret) = match access::issue_scoped_api_key(&state.ctx, staff.tenant.id, name, scopes).await
    {
        Ok(issued) => issued,
        Err(e) => return internal(staff.locale(), &e),
    };
    let id = record.id.to_string();
    let access =
        Access { action: "create", resource_type: "api_key", resource_id: Some(&id), patient_id: None };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    page(&state, &staff, Some(secret.expose().to_owned()), FieldErrors::default(), StatusCode::CREATED).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(prefix): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let now = state.ctx.clock.now();
    match state.ctx.store.revoke_api_key(staff.tenant.id, &prefix, now).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e) => return internal(staff.locale(), &e),
    }
    let access =
        Access { action: "revoke", resource_type: "api_key", resource_id: Some(&prefix), patient_id: None };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to("/app/settings/api-keys").into_response()
}
