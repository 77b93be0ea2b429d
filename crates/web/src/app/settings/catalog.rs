//! Settings, calendar: units (locations), practitioners and services; listed, created
//! and (practitioners) edited through the engine's catalog functions, as
//! `/api/v1/locations|practitioners|services`. Each create form carries the new record's
//! id, minted when the page was drawn, so a form submitted twice creates one record.

use super::texts::SettingsTexts;
use super::{FieldErrors, filled, guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{internal, problem_page, render};
use crate::app::session::Staff;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::scheduling::{Location, Practitioner, Service};
use frontdesk_domain::tenant::TimeZoneName;
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::scheduling::{self as engine, CatalogError};
use serde::Deserialize;
use uuid::Uuid;

pub struct UnitRow {
    pub id: String,
    pub name: String,
    pub address: String,
    pub timezone: String,
}

pub struct PractitionerRow {
    pub id: String,
    pub name: String,
    pub department: String,
    pub units: String,
    pub active: bool,
}

pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub department: String,
    pub duration: u32,
    pub price: String,
}

#[derive(Template)]
#[template(path = "settings_catalog.html")]
struct CatalogPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    units: Vec<UnitRow>,
    unit_choices: Vec<(String, String)>,
    practitioners: Vec<PractitionerRow>,
    services: Vec<ServiceRow>,
    /// Ids for the next records (see the module comment).
    next_unit: Uuid,
    next_practitioner: Uuid,
    next_service: Uuid,
    clinic_timezone: String,
    errors: FieldErrors,
}

/// One form type for the three create forms (each uses its fields).
#[derive(Deserialize, Default)]
pub struct CreateForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub location_id: String,
    #[serde(default)]
    pub duration_minutes: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub active: String,
}

/// `150`, `150,00` or `150.50` in the clinic's currency, to minor units.
pub fn parse_price(raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim().replace(' ', "");
    if raw.is_empty() {
        return Ok(None);
    }
    let (units, cents) = match raw.rsplit_once([',', '.']) {
        Some((u, c)) if c.len() <= 2 => (u.replace(['.', ','], ""), format!("{c:0<2}")),
        Some(_) => return Err(()),
        None => (raw.clone(), "00".into()),
    };
    let units: i64 = units.parse().map_err(|_| ())?;
    let cents: i64 = cents.parse().map_err(|_| ())?;
    if !(0..=10_000_000).contains(&units) {
        return Err(());
    }
    Ok(Some(units * 100 + cents))
}

fn price_text(cents: Option<i64>) -> String {
    cents.map(|c| format!("{},{:02}", c / 100, c % 100)).unwrap_or_default()
}

async fn page(state: &AppState, staff: &Staff, errors: FieldErrors, status: StatusCode) -> Response {
    let id = staff.tenant.id;
    let store = &state.ctx.store;
    let loaded = async {
        Ok::<_, frontdesk_store::StoreError>((
            store.list_locations(id).await?,
            store.list_practitioners(id).await?,
            store.list_services(id).await?,
        ))
    };
    let (locations, practitioners, services) = match loaded.await {
        Ok(l) => l,
        Err(e) => return internal(staff.locale(), &e),
    };
    let unit_name = |l: &LocationId| locations.iter().find(|x| x.id == *l).map(|x| x.name.clone());
    let practitioners = practitioners
        .iter()
        .map(|p| PractitionerRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            department: p.department.clone(),
            units: p.location_ids.iter().filter_map(unit_name).collect::<Vec<_>>().join(", "),
            active: p.active,
        })
        .collect();
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let page = CatalogPage {
        t,
        s: &t.set,
        chrome,
        nav: nav(staff),
        here: "/app/settings/calendar",
        unit_choices: locations.iter().map(|l| (l.id.to_string(), l.name.clone())).collect(),
        units: locations
            .into_iter()
            .map(|l| UnitRow {
                id: l.id.to_string(),
                name: l.name,
                address: l.address.unwrap_or_default(),
                timezone: l.timezone.as_str().to_owned(),
            })
            .collect(),
        practitioners,
        services: services
            .into_iter()
            .map(|s| ServiceRow {
                id: s.id.to_string(),
                name: s.name,
                department: s.department,
                duration: s.duration_minutes,
                price: price_text(s.price_cents),
            })
            .collect(),
        next_unit: Uuid::now_v7(),
        next_practitioner: Uuid::now_v7(),
        next_service: Uuid::now_v7(),
        clinic_timezone: staff.tenant.timezone.as_str().to_owned(),
        errors,
    };
    render(&page, status)
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    page(&state, &staff, FieldErrors::default(), StatusCode::OK).await
}

async fn audited(
    state: &AppState,
    staff: &Staff,
    action: &'static str,
    kind: &'static str,
    id: &str,
) -> Response {
    let access = Access { action, resource_type: kind, resource_id: Some(id), patient_id: None };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/settings/calendar#{kind}-{id}")).into_response()
}

/// What a refused create shows, next to the field it concerns.
fn refusal(s: &SettingsTexts, field: &'static str, e: &CatalogError) -> Option<FieldErrors> {
    let mut errors = FieldErrors::default();
    match e {
        CatalogError::Invalid(_) => errors.add(field, s.invalid_value),
        CatalogError::UnknownReference(_) | CatalogError::NotFound(_) => errors.add(field, s.unknown_unit),
        CatalogError::Store(_) => return None,
    }
    Some(errors)
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(what): Path<String>,
    Form(form): Form<CreateForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let tenant = staff.tenant.id;
    let Ok(id) = form.id.parse::<Uuid>() else {
        return problem_page(staff.locale(), StatusCode::BAD_REQUEST);
    };
    let mut errors = FieldErrors::default();
    let prefix: &'static str = match what.as_str() {
        "units" => "unit",
        "practitioners" => "practitioner",
        "services" => "service",
        _ => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
    };
    // Submitted twice: the record with this id already exists, nothing more to do.
    let exists = match prefix {
        "unit" => state.ctx.store.list_locations(tenant).await.map(|l| l.iter().any(|x| x.id.0 == id)),
        "practitioner" => {
            state.ctx.store.list_practitioners(tenant).await.map(|l| l.iter().any(|x| x.id.0 == id))
        }
        _ => state.ctx.store.list_services(tenant).await.map(|l| l.iter().any(|x| x.id.0 == id)),
    };
    match exists {
        Ok(true) => return Redirect::to(&format!("/app/settings/calendar#{prefix}-{id}")).into_response(),
        Ok(false) => {}
        Err(e) => return internal(staff.locale(), &e),
    }
    let Some(name) = filled(&form.name) else {
        errors.add(name_field(prefix), s.required);
        return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let created = match prefix {
        "unit" => {
            let tz = filled(&form.timezone).unwrap_or_else(|| staff.tenant.timezone.as_str().to_owned());
            let Ok(timezone) = TimeZoneName::parse(&tz) else {
                errors.add("unit_timezone", s.timezone_invalid);
                return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            };
            let unit = Location {
                id: LocationId(id),
                tenant_id: tenant,
                name,
                address: filled(&form.address),
                timezone,
            };
            engine::create_location(&state.ctx, unit).await.map(|_| ()).map_err(|e| ("unit_name", e))
        }
        "practitioner" => {
            let Some(department) = filled(&form.department) else {
                errors.add("practitioner_department", s.required);
                return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            };
            let Ok(unit) = form.location_id.parse::<Uuid>() else {
                errors.add("practitioner_location", s.unknown_unit);
                return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            };
            let p = Practitioner {
                id: PractitionerId(id),
                tenant_id: tenant,
                name,
                department,
                location_ids: vec![LocationId(unit)],
                active: true,
            };
            engine::create_practitioner(&state.ctx, p)
                .await
                .map(|_| ())
                .map_err(|e| ("practitioner_location", e))
        }
        _ => {
            let department = filled(&form.department).unwrap_or_default();
            let Ok(duration_minutes) = form.duration_minutes.trim().parse::<u32>() else {
                errors.add("service_duration", s.whole_number);
                return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            };
            let Ok(price_cents) = parse_price(&form.price) else {
                errors.add("service_price", s.price_invalid);
                return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            };
            let service = Service {
                id: ServiceId(id),
                tenant_id: tenant,
                name,
                department,
                duration_minutes,
                price_cents,
            };
            engine::create_service(&state.ctx, service).await.map(|_| ()).map_err(|e| ("service_duration", e))
        }
    };
    match created {
        Ok(()) => audited(&state, &staff, "create", prefix, &id.to_string()).await,
        Err((field, e)) => match refusal(s, field, &e) {
            Some(errors) => page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => internal(staff.locale(), &e),
        },
    }
}

fn name_field(prefix: &str) -> &'static str {
    match prefix {
        "unit" => "unit_name",
        "practitioner" => "practitioner_name",
        _ => "service_name",
    }
}

/// Renames a practitioner, changes the department or takes them off (or back on) the
/// calendar: `engine::update_practitioner`, as `PATCH /api/v1/practitioners/{id}`.
pub async fn edit_practitioner(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CreateForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let Ok(id) = id.parse::<Uuid>() else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    let changes = engine::PractitionerChanges {
        name: filled(&form.name),
        department: filled(&form.department),
        location_ids: None,
        active: Some(form.active == "on"),
    };
    match engine::update_practitioner(&state.ctx, staff.tenant.id, PractitionerId(id), changes).await {
        Ok(_) => audited(&state, &staff, "update", "practitioner", &id.to_string()).await,
        Err(CatalogError::NotFound(_)) => problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e @ CatalogError::Store(_)) => internal(staff.locale(), &e),
        Err(e) => {
            let errors = refusal(&staff.texts().set, "edit", &e).unwrap_or_default();
            page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// Renames a unit or changes its address or time zone: `engine::update_location`.
pub async fn edit_unit(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CreateForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let Ok(id) = id.parse::<Uuid>().map(LocationId) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    let current = match state.ctx.store.list_locations(staff.tenant.id).await {
        Ok(all) => all.into_iter().find(|l| l.id == id),
        Err(e) => return internal(staff.locale(), &e),
    };
    let Some(mut unit) = current else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    let mut errors = FieldErrors::default();
    match (filled(&form.name), TimeZoneName::parse(form.timezone.trim())) {
        (Some(name), Ok(timezone)) => {
            unit.name = name;
            unit.timezone = timezone;
            unit.address = filled(&form.address);
        }
        (None, _) => errors.add("edit", s.required),
        (_, Err(_)) => errors.add("edit", s.timezone_invalid),
    }
    if !errors.is_empty() {
        return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    finish_edit(
        &state,
        &staff,
        "unit",
        &id.to_string(),
        engine::update_location(&state.ctx, unit).await.map(drop),
    )
    .await
}

/// Changes a service's name, department, duration or price: `engine::update_service`.
/// Appointments already booked keep their times.
pub async fn edit_service(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CreateForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let s = &staff.texts().set;
    let Ok(id) = id.parse::<Uuid>().map(ServiceId) else {
        return problem_page(staff.locale(), StatusCode::NOT_FOUND);
    };
    let current = match state.ctx.store.list_services(staff.tenant.id).await {
        Ok(all) => all.into_iter().find(|x| x.id == id),
        Err(e) => return internal(staff.locale(), &e),
    };
    let Some(mut service) = current else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    let mut errors = FieldErrors::default();
    let name = filled(&form.name);
    let duration = form.duration_minutes.trim().parse::<u32>();
    let price = parse_price(&form.price);
    match (name, duration, price) {
        (Some(name), Ok(duration_minutes), Ok(price_cents)) => {
            service.name = name;
            service.department = filled(&form.department).unwrap_or_default();
            service.duration_minutes = duration_minutes;
            service.price_cents = price_cents;
        }
        (None, ..) => errors.add("edit", s.required),
        (_, Err(_), _) => errors.add("edit", s.whole_number),
        (.., Err(())) => errors.add("edit", s.price_invalid),
    }
    if !errors.is_empty() {
        return page(&state, &staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let saved = engine::update_service(&state.ctx, service).await.map(drop);
    finish_edit(&state, &staff, "service", &id.to_string(), saved).await
}

/// Audits a saved edit and returns to the record, or says why it was refused.
async fn finish_edit(
    state: &AppState,
    staff: &Staff,
    kind: &'static str,
    id: &str,
    saved: Result<(), CatalogError>,
) -> Response {
    match saved {
        Ok(()) => audited(state, staff, "update", kind, id).await,
        Err(CatalogError::NotFound(_)) => problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e @ CatalogError::Store(_)) => internal(staff.locale(), &e),
        Err(e) => {
            let errors = refusal(&staff.texts().set, "edit", &e).unwrap_or_default();
            page(state, staff, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_price;

    #[test]
    fn prices_in_reais_become_cents() {
        assert_eq!(parse_price(""), Ok(None));
        assert_eq!(parse_price("150"), Ok(Some(15000)));
        assert_eq!(parse_price("150,5"), Ok(Some(15050)));
        assert_eq!(parse_price("1.250,00"), Ok(Some(125000)));
        assert_eq!(parse_price("99.90"), Ok(Some(9990)));
        assert!(parse_price("abc").is_err());
        assert!(parse_price("-5").is_err());
        assert!(parse_price("1,999").is_err());
    }
}
