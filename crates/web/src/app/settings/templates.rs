//! Settings, message templates: the clinic's own text for each message kind, in pt-BR and
//! English, with a live preview (htmx posts the text as it is typed; the page shows it
//! rendered with sample data and lists the placeholders). Saved in the settings document's
//! `messaging.templates` through `settings::apply_patch`, at the version the person saw.

use super::texts::SettingsTexts;
use super::{guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{internal, problem_page, render};
use crate::app::session::Staff;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::messaging::{TemplateKey, default_source, render as render_template};
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::settings::{self, SettingsError};
use frontdesk_store::{Conflict, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

pub struct Preview {
    pub locale: &'static str,
    pub text: Result<String, String>,
}

#[derive(Template)]
#[template(path = "settings_template_preview.html")]
struct PreviewFragment {
    previews: Vec<Preview>,
}

#[derive(Template)]
#[template(path = "settings_templates.html")]
struct TemplatesPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    keys: Vec<(&'static str, &'static str)>,
    key: &'static str,
    version: i64,
    pt: String,
    en: String,
    placeholders: Vec<(String, bool)>,
    previews: Vec<Preview>,
    stale: bool,
    saved: bool,
    invalid: bool,
}

fn preview_of(key: TemplateKey, locale: Locale, source: &str, s: &SettingsTexts) -> Preview {
    let text = render_template(key, locale, Some(source), &key.sample_variables(locale))
        .map_err(|e| format!("{} ({e})", s.template_invalid));
    Preview { locale: locale.as_str(), text }
}

fn previews(key: TemplateKey, pt: &str, en: &str, s: &SettingsTexts) -> Vec<Preview> {
    vec![preview_of(key, Locale::PtBr, pt, s), preview_of(key, Locale::En, en, s)]
}

#[derive(Deserialize)]
pub struct Which {
    key: Option<String>,
    saved: Option<String>,
}

fn parse_key(raw: Option<&str>) -> Option<TemplateKey> {
    match raw {
        None | Some("") => Some(TemplateKey::ALL[0]),
        Some(k) => k.parse().ok(),
    }
}

struct Draft {
    pt: String,
    en: String,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    staff: &Staff,
    key: TemplateKey,
    draft: Option<Draft>,
    stale: bool,
    saved: bool,
    status: StatusCode,
) -> Response {
    let doc = match state.ctx.store.tenant_settings_versioned(staff.tenant.id).await {
        Ok(d) => d,
        Err(e) => return internal(staff.locale(), &e),
    };
    let current = |l: Locale| {
        doc.value.messaging.template_override(key, l).unwrap_or_else(|| default_source(key, l)).to_owned()
    };
    let invalid = draft.is_some() && !stale;
    let Draft { pt, en } =
        draft.unwrap_or_else(|| Draft { pt: current(Locale::PtBr), en: current(Locale::En) });
    let t = staff.texts();
    let s = &t.set;
    let required = key.required_variables();
    let placeholders = match key.sample_variables(staff.locale()) {
        Value::Object(m) => {
            m.keys().map(|k| (format!("{{{{ {k} }}}}"), required.contains(&k.as_str()))).collect()
        }
        _ => Vec::new(),
    };
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = TemplatesPage {
        t,
        s,
        chrome,
        nav: nav(staff),
        here: "/app/settings/templates",
        keys: TemplateKey::ALL.iter().map(|k| (k.as_str(), s.template_name(*k))).collect(),
        key: key.as_str(),
        version: doc.version,
        previews: previews(key, &pt, &en, s),
        pt,
        en,
        placeholders,
        stale,
        saved,
        invalid,
    };
    render(&page, status)
}

pub async fn show(State(state): State<AppState>, staff: Staff, Query(which): Query<Which>) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    let Some(key) = parse_key(which.key.as_deref()) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    page(&state, &staff, key, None, false, which.saved.is_some(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    pt: String,
    #[serde(default)]
    en: String,
}

/// The live preview: the typed texts rendered with sample data (nothing saved).
pub async fn preview(staff: Staff, headers: HeaderMap, Form(form): Form<TemplateForm>) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let Some(key) = parse_key(Some(&form.key)) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    let s = &staff.texts().set;
    render(&PreviewFragment { previews: previews(key, &form.pt, &form.en, s) }, StatusCode::OK)
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<TemplateForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let Some(key) = parse_key(Some(&form.key)) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    let s = &staff.texts().set;
    let draft = Draft { pt: form.pt.replace("\r\n", "\n"), en: form.en.replace("\r\n", "\n") };
    if previews(key, &draft.pt, &draft.en, s).iter().any(|p| p.text.is_err()) {
        return page(&state, &staff, key, Some(draft), false, false, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // The built-in text needs no override: saving it back removes the clinic's own.
    let value = |l: Locale, src: &str| {
        if src.trim() == default_source(key, l).trim() { Value::Null } else { json!(src) }
    };
    let patch = json!({"messaging": {"templates": {key.as_str(): {
        "pt-BR": value(Locale::PtBr, &draft.pt),
        "en": value(Locale::En, &draft.en),
    }}}});
    match settings::apply_patch(&state.ctx, staff.tenant.id, &patch, Some(form.version)).await {
        Ok(_) => {}
        Err(SettingsError::Store(StoreError::Conflict(Conflict::Stale))) => {
            return page(&state, &staff, key, None, true, false, StatusCode::CONFLICT).await;
        }
        Err(SettingsError::Invalid(_)) => {
            return page(&state, &staff, key, Some(draft), false, false, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
        Err(SettingsError::Store(e)) => return internal(staff.locale(), &e),
    }
    let access = Access {
        action: "update",
        resource_type: "settings",
        resource_id: Some(key.as_str()),
        patient_id: None,
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/settings/templates?key={}&saved=1", key.as_str())).into_response()
}
