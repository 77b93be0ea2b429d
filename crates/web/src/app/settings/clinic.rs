//! Settings, clinic: name, language, time zone, region for phone numbers and booking
//! rules. The tenant is saved through `tenants::update_tenant` (as `PATCH /api/v1/tenant`)
//! and the rest through `settings::apply_patch` (as `PATCH /api/v1/settings`), both only
//! when nothing changed since the person opened the form: a stale form shows the current
//! values and saves nothing.

use super::texts::SettingsTexts;
use super::{FieldErrors, guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{internal, render};
use crate::app::session::Staff;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::scheduling::{BookingRules, SchedulingError};
use frontdesk_domain::tenant::{Locale, Tenant, TenantChanges, TimeZoneName};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::settings::{self, SettingsError};
use frontdesk_engine::tenants;
use frontdesk_store::{Conflict, StoreError};
use serde::Deserialize;
use serde_json::json;

/// What the form shows (and sends back).
#[derive(Deserialize, Default, Clone)]
pub struct ClinicForm {
    #[serde(default)]
    pub csrf: String,
    /// The settings version the form was filled from.
    #[serde(default)]
    pub version: i64,
    /// The tenant's fields as the person saw them: the tenant has no version of its own,
    /// so a change by someone else shows as a difference from these.
    #[serde(default)]
    pub seen: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub default_region: String,
    #[serde(default)]
    pub slot_granularity_minutes: String,
    #[serde(default)]
    pub buffer_minutes: String,
    #[serde(default)]
    pub min_notice_minutes: String,
    #[serde(default)]
    pub horizon_days: String,
    /// `no_show.high_risk_threshold` as a percentage.
    #[serde(default)]
    pub high_risk_percent: String,
}

#[derive(Template)]
#[template(path = "settings_clinic.html")]
struct ClinicPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    form: ClinicForm,
    /// The booking rules' fields: (name, label, value).
    rules: Vec<(&'static str, &'static str, String)>,
    /// The clinic's trained no-show model in a line, or that it has none yet.
    model: String,
    errors: FieldErrors,
    stale: bool,
    saved: bool,
}

/// A threshold as the form shows it: a percentage with at most one decimal.
fn percent(threshold: f64) -> String {
    ((threshold * 1000.0).round() / 10.0).to_string()
}

fn seen_of(t: &Tenant) -> String {
    format!("{}\u{1f}{}\u{1f}{}", t.name, t.timezone.as_str(), t.locale.as_str())
}

async fn current(state: &AppState, staff: &Staff) -> Result<ClinicForm, Response> {
    let tenant = match state.ctx.store.tenant_by_id(staff.tenant.id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Err(crate::app::page::problem_page(staff.locale(), StatusCode::NOT_FOUND)),
        Err(e) => return Err(internal(staff.locale(), &e)),
    };
    let doc = state.ctx.store.tenant_settings_versioned(staff.tenant.id).await;
    let doc = doc.map_err(|e| internal(staff.locale(), &e))?;
    let b = doc.value.booking;
    Ok(ClinicForm {
        csrf: String::new(),
        version: doc.version,
        seen: seen_of(&tenant),
        name: tenant.name.clone(),
        locale: tenant.locale.as_str().to_owned(),
        timezone: tenant.timezone.as_str().to_owned(),
        default_region: doc.value.default_region,
        slot_granularity_minutes: b.slot_granularity_minutes.to_string(),
        buffer_minutes: b.buffer_minutes.to_string(),
        min_notice_minutes: b.min_notice_minutes.to_string(),
        horizon_days: b.horizon_days.to_string(),
        high_risk_percent: percent(doc.value.no_show.high_risk_threshold),
    })
}

/// "The clinic's own model, trained on 2026-06-01 · 720 appointments · AUC 0.77", in the
/// person's language, or that there is none.
async fn model_line(state: &AppState, staff: &Staff) -> Result<String, Response> {
    let s = &staff.texts().set;
    let latest = state.ctx.store.latest_noshow_model(staff.tenant.id).await;
    let Some(m) = latest.map_err(|e| internal(staff.locale(), &e))? else {
        return Ok(s.model_none.to_owned());
    };
    let day = m.trained_at.to_zoned(staff.tenant.timezone.time_zone()).date();
    let auc = format!("{:.2}", m.metrics.auc);
    let auc = if staff.locale() == Locale::PtBr { auc.replace('.', ",") } else { auc };
    Ok(format!("{} {day} · {} {} · AUC {auc}", s.model_trained, m.examples, s.model_appointments))
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    staff: &Staff,
    form: ClinicForm,
    errors: FieldErrors,
    stale: bool,
    saved: bool,
    status: StatusCode,
) -> Response {
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let s = &t.set;
    let model = match model_line(state, staff).await {
        Ok(line) => line,
        Err(r) => return r,
    };
    let rules = vec![
        ("slot_granularity_minutes", s.grid, form.slot_granularity_minutes.clone()),
        ("buffer_minutes", s.buffer, form.buffer_minutes.clone()),
        ("min_notice_minutes", s.notice, form.min_notice_minutes.clone()),
        ("horizon_days", s.horizon, form.horizon_days.clone()),
    ];
    let page = ClinicPage {
        t,
        s,
        chrome,
        nav: nav(staff),
        here: "/app/settings/clinic",
        form,
        rules,
        model,
        errors,
        stale,
        saved,
    };
    render(&page, status)
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    let form = match current(&state, &staff).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    page(&state, &staff, form, FieldErrors::default(), false, q.contains_key("saved"), StatusCode::OK).await
}

/// The form checked field by field, in the person's language.
pub struct Checked {
    pub name: String,
    pub locale: Locale,
    pub timezone: TimeZoneName,
    pub region: String,
    pub booking: BookingRules,
    pub high_risk_threshold: f64,
}

pub fn check(form: &ClinicForm, s: &SettingsTexts) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", s.required);
    }
    let locale = Locale::parse(form.locale.trim()).map_err(|_| errors.add("locale", s.locale_invalid)).ok();
    let timezone = TimeZoneName::parse(form.timezone.trim())
        .map_err(|_| errors.add("timezone", s.timezone_invalid))
        .ok();
    let region = form.default_region.trim().to_ascii_uppercase();
    if region.len() != 2 || !region.chars().all(|c| c.is_ascii_alphabetic()) {
        errors.add("default_region", s.region_invalid);
    }
    let mut number = |field: &'static str, raw: &str| match raw.trim().parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            errors.add(field, s.whole_number);
            0
        }
    };
    let booking = BookingRules {
        slot_granularity_minutes: number("slot_granularity_minutes", &form.slot_granularity_minutes),
        buffer_minutes: number("buffer_minutes", &form.buffer_minutes),
        min_notice_minutes: number("min_notice_minutes", &form.min_notice_minutes),
        horizon_days: number("horizon_days", &form.horizon_days),
    };
    if let Err(SchedulingError::RuleOutOfRange { field, min, max }) = booking.validate()
        && errors.get(field).is_none()
    {
        let field = match field {
            "slot_granularity_minutes" => "slot_granularity_minutes",
            "buffer_minutes" => "buffer_minutes",
            "min_notice_minutes" => "min_notice_minutes",
            _ => "horizon_days",
        };
        errors.add(field, format!("{} {min}–{max}", s.between));
    }
    let high_risk_threshold = match form.high_risk_percent.trim().replace(',', ".").parse::<f64>() {
        Ok(p) if p > 0.0 && p < 100.0 => p / 100.0,
        _ => {
            errors.add("high_risk_percent", s.percent_invalid);
            0.0
        }
    };
    match (errors.is_empty(), locale, timezone) {
        (true, Some(locale), Some(timezone)) => {
            Ok(Checked { name, locale, timezone, region, booking, high_risk_threshold })
        }
        _ => Err(errors),
    }
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<ClinicForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let checked = match check(&form, s) {
        Ok(c) => c,
        Err(errors) => {
            return page(&state, &staff, form, errors, false, false, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let now = match current(&state, &staff).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    // Someone else saved since this form was filled: show theirs, save nothing.
    if now.version != form.version || now.seen != form.seen {
        return page(&state, &staff, now, FieldErrors::default(), true, false, StatusCode::CONFLICT).await;
    }
    let mut patch = json!({"default_region": checked.region, "booking": checked.booking});
    // Unchanged as shown, the threshold is left alone: a value set through the API with
    // more decimals than the form shows is not rounded by saving the page.
    if form.high_risk_percent.trim() != now.high_risk_percent {
        patch["no_show"] = json!({"high_risk_threshold": checked.high_risk_threshold});
    }
    match settings::apply_patch(&state.ctx, staff.tenant.id, &patch, Some(form.version)).await {
        Ok(_) => {}
        Err(SettingsError::Store(StoreError::Conflict(Conflict::Stale))) => {
            let now = match current(&state, &staff).await {
                Ok(f) => f,
                Err(r) => return r,
            };
            return page(&state, &staff, now, FieldErrors::default(), true, false, StatusCode::CONFLICT)
                .await;
        }
        Err(SettingsError::Invalid(m)) => {
            let mut errors = FieldErrors::default();
            errors.add("default_region", m);
            return page(&state, &staff, form, errors, false, false, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(SettingsError::Store(e)) => return internal(staff.locale(), &e),
    }
    let changes = TenantChanges {
        name: Some(checked.name),
        timezone: Some(checked.timezone),
        locale: Some(checked.locale),
    };
    if let Err(e) = tenants::update_tenant(&state.ctx, staff.tenant.id, changes).await {
        return internal(staff.locale(), &e);
    }
    let id = staff.tenant.id.to_string();
    for resource_type in ["tenant", "settings"] {
        let access = Access { action: "update", resource_type, resource_id: Some(&id), patient_id: None };
        if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
            return internal(staff.locale(), &e);
        }
    }
    Redirect::to("/app/settings/clinic?saved=1").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ClinicForm {
        ClinicForm {
            name: "Clínica Sorriso".into(),
            locale: "pt-BR".into(),
            timezone: "America/Sao_Paulo".into(),
            default_region: "br".into(),
            slot_granularity_minutes: "15".into(),
            buffer_minutes: "0".into(),
            min_notice_minutes: "120".into(),
            horizon_days: "60".into(),
            high_risk_percent: "30".into(),
            ..ClinicForm::default()
        }
    }

    #[test]
    fn a_good_form_passes_and_each_bad_field_is_named_in_the_persons_language() {
        let s = &crate::app::i18n::texts(Locale::PtBr).set;
        let ok = check(&form(), s).ok().unwrap();
        assert_eq!(ok.region, "BR");
        let bad = ClinicForm {
            name: " ".into(),
            timezone: "Mars/Olympus".into(),
            slot_granularity_minutes: "quinze".into(),
            horizon_days: "99999".into(),
            ..form()
        };
        let errors = check(&bad, s).err().unwrap();
        assert_eq!(errors.get("name"), Some(s.required));
        assert_eq!(errors.get("timezone"), Some(s.timezone_invalid));
        assert_eq!(errors.get("slot_granularity_minutes"), Some(s.whole_number));
        assert!(errors.get("locale").is_none());
        // The range check runs on what parsed; "quinze" is reported first, then the horizon.
        let far = ClinicForm { horizon_days: "99999".into(), ..form() };
        assert!(check(&far, s).err().unwrap().get("horizon_days").unwrap().starts_with(s.between));
        // The threshold: a percentage strictly between 0 and 100, with either separator.
        assert_eq!(ok.high_risk_threshold, 0.3);
        let comma = ClinicForm { high_risk_percent: "42,5".into(), ..form() };
        assert!((check(&comma, s).ok().unwrap().high_risk_threshold - 0.425).abs() < 1e-12);
        for bad in ["0", "100", "-5", "muito", ""] {
            let form = ClinicForm { high_risk_percent: bad.into(), ..form() };
            assert_eq!(
                check(&form, s).err().unwrap().get("high_risk_percent"),
                Some(s.percent_invalid),
                "{bad}"
            );
        }
        assert_eq!(percent(0.3), "30");
        assert_eq!(percent(0.4254), "42.5");
    }
}
