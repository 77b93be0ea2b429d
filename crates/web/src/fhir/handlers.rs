//! Reads by id, and what the searches share: the catalog, links, audit.

use super::outcome::FhirError;
use super::resources::{self, AppointmentRefs, Links};
use super::schedule::{self, ScheduleId};
use super::{Fhir, bundle};
use crate::AppState;
use crate::auth::Principal;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::scheduling::{
    Appointment, Location, Practitioner, Service, WeeklyHours, same_department,
};
use frontdesk_domain::{AppointmentId, PatientId, TenantId};
use frontdesk_engine::audit::{self, Access};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use uuid::Uuid;

pub fn links(state: &AppState) -> Links {
    Links::new(&state.config.public_url)
}

/// An id that is not a UUID cannot name anything here: unknown, like any other.
fn id_of(resource_type: &str, raw: &str) -> Result<Uuid, FhirError> {
    Uuid::try_parse(raw).map_err(|_| FhirError::not_found(resource_type, raw))
}

/// Records that patient data left the server (FHIR reads and searches alike).
pub async fn audit_patient_data(
    state: &AppState,
    who: &Principal,
    action: &str,
    resource_type: &str,
    resource_id: Option<&str>,
    patient_id: PatientId,
) -> Result<(), FhirError> {
    let access = Access { action, resource_type, resource_id, patient_id: Some(patient_id) };
    Ok(audit::record(&state.ctx, &who.actor(), access).await?)
}

/// The tenant's catalog, small enough to load whole (tens of rows), for names and references.
pub struct Catalog {
    pub practitioners: Vec<Practitioner>,
    pub locations: Vec<Location>,
    pub services: Vec<Service>,
}

impl Catalog {
    pub async fn load(state: &AppState, tenant: TenantId) -> Result<Self, FhirError> {
        let store = &state.ctx.store;
        Ok(Self {
            practitioners: store.list_practitioners(tenant).await?,
            locations: store.list_locations(tenant).await?,
            services: store.list_services(tenant).await?,
        })
    }

    pub fn refs(&self, a: &Appointment) -> AppointmentRefs<'_> {
        AppointmentRefs {
            practitioner: self.practitioners.iter().find(|p| p.id == a.practitioner_id),
            location: self.locations.iter().find(|l| l.id == a.location_id),
            service: self.services.iter().find(|s| s.id == a.service_id),
        }
    }
}

/// Every Schedule of the tenant (one per practitioner and location with weekly hours),
/// with the id each was built for.
pub async fn schedules(state: &AppState, tenant: TenantId) -> Result<Vec<(ScheduleId, Value)>, FhirError> {
    let store = &state.ctx.store;
    let catalog = Catalog::load(state, tenant).await?;
    let hours: Vec<WeeklyHours> = store.list_weekly_hours(tenant).await?;
    let horizon_days = store.tenant_settings(tenant).await?.booking.horizon_days;
    let now = state.ctx.clock.now();
    let until = later(now, i64::from(horizon_days));
    let links = links(state);
    let mut out = Vec::new();
    for h in &hours {
        let practitioner = catalog.practitioners.iter().find(|p| p.id == h.practitioner_id);
        let location = catalog.locations.iter().find(|l| l.id == h.location_id);
        let (Some(p), Some(l)) = (practitioner, location) else { continue };
        let services: Vec<&Service> =
            catalog.services.iter().filter(|s| same_department(&s.department, &p.department)).collect();
        let id = ScheduleId { practitioner: p.id, location: l.id };
        out.push((id, schedule::schedule(&links, p, l, h, &services, (now, until))));
    }
    Ok(out)
}

pub async fn metadata(State(state): State<AppState>, _who: Principal) -> Fhir {
    Fhir(bundle::capability_statement(&links(&state), state.ctx.clock.now()))
}

pub async fn appointment(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let uuid = id_of("Appointment", &id)?;
    let a = state
        .ctx
        .store
        .get_appointment(who.tenant_id, AppointmentId(uuid))
        .await?
        .ok_or_else(|| FhirError::not_found("Appointment", &id))?;
    let catalog = Catalog::load(&state, who.tenant_id).await?;
    audit_patient_data(&state, &who, "read", "appointment", Some(&id), a.patient_id).await?;
    let links = links(&state);
    let resource = resources::appointment(&links, &a, catalog.refs(&a));
    let risks =
        frontdesk_engine::scheduling::no_show_risks(&state.ctx, who.tenant_id, std::slice::from_ref(&a))
            .await?;
    Ok(Fhir(match risks.get(&a.id) {
        Some(risk) => resources::with_no_show_risk(&links, resource, risk),
        None => resource,
    }))
}

pub async fn patient(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let uuid = id_of("Patient", &id)?;
    let p = state
        .ctx
        .store
        .get_patient(who.tenant_id, PatientId(uuid))
        .await?
        .ok_or_else(|| FhirError::not_found("Patient", &id))?;
    audit_patient_data(&state, &who, "read", "patient", Some(&id), p.id).await?;
    Ok(Fhir(resources::patient(&links(&state), &p)))
}

pub async fn practitioner(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let uuid = id_of("Practitioner", &id)?;
    let all = state.ctx.store.list_practitioners(who.tenant_id).await?;
    let p = all.iter().find(|p| p.id.0 == uuid).ok_or_else(|| FhirError::not_found("Practitioner", &id))?;
    Ok(Fhir(resources::practitioner(p)))
}

pub async fn location(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let uuid = id_of("Location", &id)?;
    let all = state.ctx.store.list_locations(who.tenant_id).await?;
    let l = all.iter().find(|l| l.id.0 == uuid).ok_or_else(|| FhirError::not_found("Location", &id))?;
    Ok(Fhir(resources::location(l)))
}

pub async fn schedule(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Fhir, FhirError> {
    let wanted: ScheduleId = id.parse().map_err(|()| FhirError::not_found("Schedule", &id))?;
    let found = schedules(&state, who.tenant_id).await?.into_iter().find(|(sid, _)| *sid == wanted);
    let (_, resource) = found.ok_or_else(|| FhirError::not_found("Schedule", &id))?;
    Ok(Fhir(resource))
}

/// Any other path under `/fhir`: another resource type, or an interaction a type does
/// not offer (`GET /Slot/{id}`: slots are computed and only searchable).
pub async fn unsupported(Path(rest): Path<String>) -> FhirError {
    let mut parts = rest.split('/');
    let message = match (parts.next(), parts.next()) {
        // Echo only a plausible resource type name, never arbitrary input.
        (Some("R4"), Some(kind))
            if !kind.is_empty() && kind.len() <= 64 && kind.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            format!("{kind}: this interaction is not served here; see /fhir/R4/metadata")
        }
        (Some("R4"), _) => "not served here; see /fhir/R4/metadata".to_owned(),
        _ => "only FHIR R4 is served, under /fhir/R4".to_owned(),
    };
    FhirError::new(StatusCode::NOT_FOUND, "not-supported", message)
}

/// POST, PUT, DELETE...: this server only reads.
pub async fn read_only() -> Response {
    let mut response = FhirError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "not-supported",
        "this FHIR API is read-only: use GET",
    )
    .into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// Today plus `days`, saturating: for defaults of search windows.
pub fn later(t: Timestamp, days: i64) -> Timestamp {
    t.saturating_add(SignedDuration::from_hours(24 * days)).unwrap_or(t)
}
