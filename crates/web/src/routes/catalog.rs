//! Setting up the clinic's calendar: locations, practitioners, services, weekly hours
//! and exceptions (holidays, time off, extra hours).

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::scheduling::{Exception, Location, Practitioner, Service, WeeklyHours, WeeklyInterval};
use frontdesk_domain::tenant::TimeZoneName;
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling as engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct LocationView {
    pub id: Uuid,
    pub name: String,
    pub address: Option<String>,
    /// IANA time zone of the location.
    pub timezone: String,
}

impl From<Location> for LocationView {
    fn from(l: Location) -> Self {
        Self { id: l.id.0, name: l.name, address: l.address, timezone: l.timezone.as_str().to_owned() }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLocation {
    pub name: String,
    pub address: Option<String>,
    #[schema(value_type = String, example = "America/Sao_Paulo")]
    pub timezone: TimeZoneName,
}

#[derive(Serialize, ToSchema)]
pub struct PractitionerView {
    pub id: Uuid,
    pub name: String,
    /// Department (specialty).
    pub department: String,
    pub location_ids: Vec<Uuid>,
    pub active: bool,
}

impl From<Practitioner> for PractitionerView {
    fn from(p: Practitioner) -> Self {
        Self {
            id: p.id.0,
            name: p.name,
            department: p.department,
            location_ids: p.location_ids.into_iter().map(|l| l.0).collect(),
            active: p.active,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPractitioner {
    pub name: String,
    #[serde(alias = "specialty")]
    pub department: String,
    pub location_ids: Vec<Uuid>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PractitionerPatch {
    pub name: Option<String>,
    pub department: Option<String>,
    pub location_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceView {
    pub id: Uuid,
    pub name: String,
    pub department: String,
    pub duration_minutes: u32,
    /// Minor units of the clinic's currency.
    pub price_cents: Option<i64>,
}

impl From<Service> for ServiceView {
    fn from(s: Service) -> Self {
        Self {
            id: s.id.0,
            name: s.name,
            department: s.department,
            duration_minutes: s.duration_minutes,
            price_cents: s.price_cents,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub name: String,
    pub department: String,
    pub duration_minutes: u32,
    pub price_cents: Option<i64>,
}

/// A practitioner's weekly timetable at one location; replaces the previous one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    pub location_id: Uuid,
    /// `[{"weekday": "monday", "start": "08:00", "end": "12:00"}, ...]`; a break is a gap.
    #[schema(value_type = Vec<Object>)]
    pub intervals: Vec<WeeklyInterval>,
}

#[derive(Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: Uuid,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub exception: Exception,
}

#[derive(Serialize, ToSchema)]
pub struct ListOf<T> {
    pub items: Vec<T>,
}

fn list<T, U: From<T>>(items: Vec<T>) -> Json<ListOf<U>> {
    Json(ListOf { items: items.into_iter().map(U::from).collect() })
}

#[utoipa::path(post, path = "/api/v1/locations", tag = "calendar", security(("api_key" = [])), request_body = NewLocation,
    responses((status = 201, body = LocationView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_location(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<NewLocation>,
) -> Result<(StatusCode, Json<LocationView>), ApiError> {
    let location = Location {
        id: LocationId::new(),
        tenant_id: who.tenant_id,
        name: body.name.trim().to_owned(),
        address: body.address,
        timezone: body.timezone,
    };
    let created = engine::create_location(&state.ctx, location).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/locations", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, body = ListOf<LocationView>)))]
pub async fn list_locations(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ListOf<LocationView>>, ApiError> {
    Ok(list(state.ctx.store.list_locations(who.tenant_id).await?))
}

#[utoipa::path(post, path = "/api/v1/practitioners", tag = "calendar", security(("api_key" = [])), request_body = NewPractitioner,
    responses((status = 201, body = PractitionerView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_practitioner(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<NewPractitioner>,
) -> Result<(StatusCode, Json<PractitionerView>), ApiError> {
    let p = Practitioner {
        id: PractitionerId::new(),
        tenant_id: who.tenant_id,
        name: body.name.trim().to_owned(),
        department: body.department.trim().to_owned(),
        location_ids: body.location_ids.into_iter().map(LocationId).collect(),
        active: body.active,
    };
    let created = engine::create_practitioner(&state.ctx, p).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/practitioners", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, body = ListOf<PractitionerView>)))]
pub async fn list_practitioners(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ListOf<PractitionerView>>, ApiError> {
    Ok(list(state.ctx.store.list_practitioners(who.tenant_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/practitioners/{id}", tag = "calendar", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = PractitionerPatch,
    responses((status = 200, body = PractitionerView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_practitioner(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<PractitionerPatch>,
) -> Result<Json<PractitionerView>, ApiError> {
    let changes = engine::PractitionerChanges {
        name: patch.name,
        department: patch.department,
        location_ids: patch.location_ids.map(|ids| ids.into_iter().map(LocationId).collect()),
        active: patch.active,
    };
    let p = engine::update_practitioner(&state.ctx, who.tenant_id, PractitionerId(id), changes).await?;
    Ok(Json(p.into()))
}

#[utoipa::path(post, path = "/api/v1/services", tag = "calendar", security(("api_key" = [])), request_body = NewService,
    responses((status = 201, body = ServiceView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_service(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(body): ApiJson<NewService>,
) -> Result<(StatusCode, Json<ServiceView>), ApiError> {
    let s = Service {
        id: ServiceId::new(),
        tenant_id: who.tenant_id,
        name: body.name.trim().to_owned(),
        department: body.department.trim().to_owned(),
        duration_minutes: body.duration_minutes,
        price_cents: body.price_cents,
    };
    let created = engine::create_service(&state.ctx, s).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/services", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, body = ListOf<ServiceView>)))]
pub async fn list_services(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ListOf<ServiceView>>, ApiError> {
    Ok(list(state.ctx.store.list_services(who.tenant_id).await?))
}

#[utoipa::path(put, path = "/api/v1/practitioners/{id}/hours", tag = "calendar", security(("api_key" = [])),
    params(("id" = Uuid, Path)), request_body = HoursBody,
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_hours(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<HoursBody>,
) -> Result<Json<WeeklyHours>, ApiError> {
    let hours = WeeklyHours {
        practitioner_id: PractitionerId(id),
        location_id: LocationId(body.location_id),
        intervals: body.intervals,
    };
    match engine::set_weekly_hours(&state.ctx, who.tenant_id, hours).await {
        Ok(hours) => Ok(Json(hours)),
        // The practitioner is the resource the path names: unknown here means 404, as for
        // every other path id (another tenant's included).
        Err(engine::CatalogError::UnknownReference("practitioner")) => {
            Err(ApiError::not_found("practitioner"))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/api/v1/hours", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, body = Object)))]
pub async fn list_hours(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ListOf<WeeklyHours>>, ApiError> {
    Ok(Json(ListOf { items: state.ctx.store.list_weekly_hours(who.tenant_id).await? }))
}

/// Adds a holiday (`{"type": "time_off_dates", "first": "2026-12-25", "last": "2026-12-25"}`),
/// time off (`time_off_range` with `start`/`end` instants) or extra hours (`extra_hours`).
/// Omit `practitioner_id` for everyone and `location_id` for every location.
#[utoipa::path(post, path = "/api/v1/exceptions", tag = "calendar", security(("api_key" = [])),
    request_body = Object, responses((status = 201, body = ExceptionView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_exception(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(exception): ApiJson<Exception>,
) -> Result<(StatusCode, Json<ExceptionView>), ApiError> {
    let record = engine::add_exception(&state.ctx, who.tenant_id, exception).await?;
    Ok((StatusCode::CREATED, Json(ExceptionView { id: record.id, exception: record.exception })))
}

#[utoipa::path(get, path = "/api/v1/exceptions", tag = "calendar", security(("api_key" = [])),
    responses((status = 200, body = ListOf<ExceptionView>)))]
pub async fn list_exceptions(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<ListOf<ExceptionView>>, ApiError> {
    let items = state.ctx.store.list_exceptions(who.tenant_id).await?;
    Ok(Json(ListOf {
        items: items.into_iter().map(|r| ExceptionView { id: r.id, exception: r.exception }).collect(),
    }))
}

#[utoipa::path(delete, path = "/api/v1/exceptions/{id}", tag = "calendar", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_exception(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.ctx.store.delete_exception(who.tenant_id, id).await.map_err(|e| match e {
        frontdesk_store::StoreError::NotFound => ApiError::not_found("exception"),
        other => other.into(),
    })?;
    Ok(StatusCode::NO_CONTENT)
}
