//! Settings, providers (Twilio, Helena, VAPI, Ninsaúde, n8n): the non-secret fields are
//! shown and editable; secrets are write-only: the page says only whether one is set
//! and offers a field to replace it (left empty, the stored one stays). Saved as a merge
//! patch of the provider's section through `settings::apply_patch`, at the version the
//! person saw, so the document's own validation applies as for `PATCH /api/v1/settings`.

use super::texts::SettingsTexts;
use super::{FieldErrors, guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{internal, problem_page, render};
use crate::app::session::Staff;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::settings::{self, SettingsError};
use frontdesk_store::{Conflict, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An http(s) address.
    Url,
    Number,
    /// Write-only.
    Secret,
}

pub struct FieldSpec {
    pub key: &'static str,
    pub required: bool,
    pub kind: Kind,
}

pub struct ProviderSpec {
    pub name: &'static str,
    pub label: &'static str,
    /// Where the section lives in the settings document.
    pub path: [&'static str; 2],
    pub fields: &'static [FieldSpec],
}

const fn f(key: &'static str, kind: Kind, required: bool) -> FieldSpec {
    FieldSpec { key, required, kind }
}

pub const PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        name: "twilio",
        label: "Twilio",
        path: ["messaging", "twilio"],
        fields: &[
            f("account_sid", Kind::Text, true),
            f("auth_token", Kind::Secret, true),
            f("base_url", Kind::Url, false),
            f("whatsapp_from", Kind::Text, false),
            f("sms_from", Kind::Text, false),
            f("messaging_service_sid", Kind::Text, false),
        ],
    },
    ProviderSpec {
        name: "helena",
        label: "Helena",
        path: ["messaging", "helena"],
        fields: &[
            f("base_url", Kind::Url, false),
            f("api_token", Kind::Secret, true),
            f("webhook_secret", Kind::Secret, true),
            f("from", Kind::Text, true),
            f("channel_id", Kind::Text, false),
        ],
    },
    ProviderSpec {
        name: "vapi",
        label: "VAPI",
        path: ["voice", "vapi"],
        fields: &[
            f("base_url", Kind::Url, false),
            f("api_key", Kind::Secret, true),
            f("assistant_id", Kind::Text, true),
            f("phone_number_id", Kind::Text, true),
            f("inbound_assistant_id", Kind::Text, false),
            f("server_secret", Kind::Secret, false),
        ],
    },
    ProviderSpec {
        name: "ninsaude",
        label: "Ninsaúde",
        path: ["scheduling", "ninsaude"],
        fields: &[
            f("base_url", Kind::Url, false),
            f("account", Kind::Text, true),
            f("username", Kind::Text, true),
            f("password", Kind::Secret, true),
            f("account_unit", Kind::Number, false),
        ],
    },
    ProviderSpec {
        name: "n8n",
        label: "n8n",
        path: ["dialogue", "n8n"],
        fields: &[
            f("webhook_url", Kind::Url, true),
            f("auth_header", Kind::Text, false),
            f("auth_value", Kind::Secret, false),
            f("callback_token", Kind::Secret, true),
        ],
    },
];

/// Which provider serves each channel: (form field, where in the document, choices).
pub const CHANNELS: &[(&str, [&str; 2], &[&str])] = &[
    ("whatsapp_provider", ["messaging", "whatsapp_provider"], &["sandbox", "twilio", "helena"]),
    ("sms_provider", ["messaging", "sms_provider"], &["sandbox", "twilio"]),
    ("voice_provider", ["voice", "provider"], &["sandbox", "vapi"]),
    ("calendar_backend", ["scheduling", "backend"], &["internal", "ninsaude"]),
];

pub struct ChannelView {
    pub key: &'static str,
    /// (value, label, selected)
    pub options: Vec<(&'static str, &'static str, bool)>,
}

/// One field as the page shows it: a secret's value is never among these.
pub struct FieldView {
    pub key: &'static str,
    pub id: String,
    pub required: bool,
    pub secret: bool,
    pub input_type: &'static str,
    /// For non-secret fields only.
    pub value: String,
    /// For secrets: whether one is stored.
    pub is_set: bool,
    pub error: Option<String>,
}

pub struct ProviderView {
    pub name: &'static str,
    pub label: &'static str,
    pub configured: bool,
    pub fields: Vec<FieldView>,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_providers.html")]
struct ProvidersPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    version: i64,
    providers: Vec<ProviderView>,
    channels: Vec<ChannelView>,
    channels_problem: Option<String>,
    stale: bool,
    saved: bool,
}

fn section<'a>(doc: &'a Value, spec: &ProviderSpec) -> Option<&'a Map<String, Value>> {
    doc.get(spec.path[0])?.get(spec.path[1])?.as_object()
}

fn shown(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Where the form failed: (provider, what was typed, errors, a problem with the whole).
type Failed<'a> = Option<(&'a str, &'a HashMap<String, String>, &'a FieldErrors, Option<&'a str>)>;

async fn page(
    state: &AppState,
    staff: &Staff,
    failed: Failed<'_>,
    stale: bool,
    saved: bool,
    status: StatusCode,
) -> Response {
    let current = match state.ctx.store.tenant_settings_versioned(staff.tenant.id).await {
        Ok(c) => c,
        Err(e) => return internal(staff.locale(), &e),
    };
    let doc = match serde_json::to_value(&current.value) {
        Ok(d) => d,
        Err(e) => return internal(staff.locale(), &e),
    };
    let providers = PROVIDERS
        .iter()
        .map(|spec| {
            let stored = section(&doc, spec);
            let mine = failed.filter(|(name, ..)| *name == spec.name);
            let fields = spec
                .fields
                .iter()
                .map(|field| {
                    let stored_value = stored.and_then(|s| s.get(field.key));
                    let secret = field.kind == Kind::Secret;
                    let value = match (secret, mine) {
                        (true, _) => String::new(),
                        (false, Some((_, typed, ..))) => typed.get(field.key).cloned().unwrap_or_default(),
                        (false, None) => shown(stored_value),
                    };
                    FieldView {
                        key: field.key,
                        id: format!("{}-{}", spec.name, field.key),
                        required: field.required,
                        secret,
                        input_type: match field.kind {
                            Kind::Secret => "password",
                            Kind::Url => "url",
                            Kind::Number => "number",
                            Kind::Text => "text",
                        },
                        value,
                        is_set: stored_value.is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty())),
                        error: mine.and_then(|(_, _, errors, _)| errors.get(field.key).map(str::to_owned)),
                    }
                })
                .collect();
            ProviderView {
                name: spec.name,
                label: spec.label,
                configured: stored.is_some(),
                fields,
                problem: mine.and_then(|(.., problem)| problem.map(str::to_owned)),
            }
        })
        .collect();
    let t = staff.texts();
    let channels = CHANNELS
        .iter()
        .map(|(key, path, choices)| {
            let current = doc.get(path[0]).and_then(|d| d.get(path[1])).and_then(Value::as_str).unwrap_or("");
            let options = choices.iter().map(|c| (*c, t.set.field_label(c), *c == current)).collect();
            ChannelView { key, options }
        })
        .collect();
    let channels_problem =
        failed.filter(|(name, ..)| *name == "channels").and_then(|(.., p)| p.map(str::to_owned));
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = ProvidersPage {
        t,
        s: &t.set,
        chrome,
        nav: nav(staff),
        here: "/app/settings/providers",
        version: current.version,
        providers,
        channels,
        channels_problem,
        stale,
        saved,
    };
    render(&page, status)
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(State(state): State<AppState>, staff: Staff, Query(q): Query<Saved>) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    page(&state, &staff, None, false, q.saved.is_some(), StatusCode::OK).await
}

/// An absolute http(s) address with a host.
pub fn valid_base_url(raw: &str) -> bool {
    raw.parse::<Uri>().is_ok_and(|u| {
        matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some_and(|h| !h.is_empty())
    })
}

/// The provider's new section: the stored one with the typed fields over it (an empty
/// secret keeps the stored secret; an empty optional field is removed).
pub fn merged_section(
    spec: &ProviderSpec,
    stored: Option<&Map<String, Value>>,
    typed: &HashMap<String, String>,
    s: &SettingsTexts,
) -> Result<Map<String, Value>, FieldErrors> {
    let mut next = stored.cloned().unwrap_or_default();
    let mut errors = FieldErrors::default();
    for field in spec.fields {
        let raw = typed.get(field.key).map(|v| v.trim()).unwrap_or("");
        let kept = stored.and_then(|s| s.get(field.key)).is_some_and(|v| !v.is_null());
        if raw.is_empty() {
            if field.kind == Kind::Secret && kept {
                continue;
            }
            if field.required {
                errors.add(field.key, s.required);
            }
            next.remove(field.key);
            continue;
        }
        let value = match field.kind {
            Kind::Url if !valid_base_url(raw) => {
                errors.add(field.key, s.url_invalid);
                continue;
            }
            Kind::Number => match raw.parse::<u32>() {
                Ok(n) => json!(n),
                Err(_) => {
                    errors.add(field.key, s.whole_number);
                    continue;
                }
            },
            _ => json!(raw),
        };
        next.insert(field.key.to_owned(), value);
    }
    if errors.is_empty() { Ok(next) } else { Err(errors) }
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(name): Path<String>,
    axum::Form(typed): axum::Form<HashMap<String, String>>,
) -> Response {
    let csrf = typed.get("csrf").map(String::as_str).unwrap_or("");
    if let Err(refused) = guard(&staff, Some(&headers), Some(csrf)) {
        return refused;
    }
    let spec = PROVIDERS.iter().find(|p| p.name == name);
    if spec.is_none() && name != "channels" {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    }
    let s = &staff.texts().set;
    let version = typed.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
    let current = match state.ctx.store.tenant_settings_versioned(staff.tenant.id).await {
        Ok(c) => c,
        Err(e) => return internal(staff.locale(), &e),
    };
    if current.version != version {
        return page(&state, &staff, None, true, false, StatusCode::CONFLICT).await;
    }
    let doc = match serde_json::to_value(&current.value) {
        Ok(d) => d,
        Err(e) => return internal(staff.locale(), &e),
    };
    let (patch, resource) = match spec {
        Some(spec) => match merged_section(spec, section(&doc, spec), &typed, s) {
            Ok(next) => (json!({ spec.path[0]: { spec.path[1]: Value::Object(next) } }), spec.name),
            Err(errors) => {
                let failed = Some((spec.name, &typed, &errors, None));
                return page(&state, &staff, failed, false, false, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        },
        None => (channels_patch(&typed), "channels"),
    };
    match settings::apply_patch(&state.ctx, staff.tenant.id, &patch, Some(version)).await {
        Ok(_) => {}
        Err(SettingsError::Store(StoreError::Conflict(Conflict::Stale))) => {
            return page(&state, &staff, None, true, false, StatusCode::CONFLICT).await;
        }
        // The document's own rules (a sender for the channel...): said above the form.
        Err(SettingsError::Invalid(m)) => {
            let errors = FieldErrors::default();
            let problem = format!("{} ({m})", s.settings_refused);
            let failed = Some((resource, &typed, &errors, Some(problem.as_str())));
            return page(&state, &staff, failed, false, false, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(SettingsError::Store(e)) => return internal(staff.locale(), &e),
    }
    let access =
        Access { action: "update", resource_type: "settings", resource_id: Some(resource), patient_id: None };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/settings/providers?saved=1#provider-{resource}")).into_response()
}

/// The channel choices as a merge patch; only the listed values are taken (anything else
/// is left out, so the document keeps what it has).
pub fn channels_patch(typed: &HashMap<String, String>) -> Value {
    let mut patch = json!({});
    for (key, path, choices) in CHANNELS {
        if let Some(choice) = typed.get(*key).filter(|c| choices.contains(&c.as_str())) {
            patch[path[0]][path[1]] = json!(choice);
        }
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn an_empty_secret_keeps_the_stored_one_and_urls_are_checked() {
        let s = &crate::app::i18n::texts(frontdesk_domain::tenant::Locale::En).set;
        let twilio = &PROVIDERS[0];
        let stored = json!({"account_sid": "AC1", "auth_token": "old-secret"});
        let next = merged_section(
            twilio,
            stored.as_object(),
            &typed(&[("account_sid", "AC2"), ("auth_token", "")]),
            s,
        )
        .unwrap();
        assert_eq!(next["auth_token"], "old-secret");
        assert_eq!(next["account_sid"], "AC2");
        let errors =
            merged_section(twilio, None, &typed(&[("account_sid", "AC2"), ("base_url", "ftp://x")]), s)
                .err()
                .unwrap();
        assert_eq!(errors.get("auth_token"), Some(s.required));
        assert_eq!(errors.get("base_url"), Some(s.url_invalid));
        assert!(valid_base_url("https://api.twilio.com"));
        assert!(!valid_base_url("api.twilio.com"));
    }

    #[test]
    fn channel_choices_outside_the_list_are_left_out() {
        let patch = channels_patch(&typed(&[
            ("whatsapp_provider", "twilio"),
            ("sms_provider", "helena"),
            ("voice_provider", "x"),
        ]));
        assert_eq!(patch, json!({"messaging": {"whatsapp_provider": "twilio"}}));
    }
}
