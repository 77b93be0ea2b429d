//! Setting up the calendar: locations, practitioners, services, hours, exceptions.
//! Every reference is checked against the tenant's own catalog, so one tenant can never
//! point at another's rows.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::scheduling::{Exception, Location, Practitioner, Service, WeeklyHours};
use frontdesk_store::{ExceptionRecord, StoreError};
use thiserror::Error;
use uuid::Uuid;

#[derive(Debug, Error)]
pub enum CatalogError {
    #[error("{0}")]
    Invalid(String),
    #[error("unknown {0} for this clinic")]
    UnknownReference(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(e: impl std::fmt::Display) -> CatalogError {
    CatalogError::Invalid(e.to_string())
}

pub async fn create_location(ctx: &Ctx, location: Location) -> Result<Location, CatalogError> {
    if location.name.trim().is_empty() {
        return Err(CatalogError::Invalid("name must not be empty".into()));
    }
    ctx.store.create_location(&location).await?;
    Ok(location)
}

async fn check_locations(
    ctx: &Ctx,
    tenant: TenantId,
    ids: &[frontdesk_domain::LocationId],
) -> Result<(), CatalogError> {
    let known = ctx.store.list_locations(tenant).await?;
    if ids.iter().all(|id| known.iter().any(|l| l.id == *id)) {
        Ok(())
    } else {
        Err(CatalogError::UnknownReference("location"))
    }
}

pub async fn create_practitioner(ctx: &Ctx, p: Practitioner) -> Result<Practitioner, CatalogError> {
    if p.name.trim().is_empty() || p.department.trim().is_empty() {
        return Err(CatalogError::Invalid("name and department must not be empty".into()));
    }
    check_locations(ctx, p.tenant_id, &p.location_ids).await?;
    ctx.store.create_practitioner(&p).await?;
    Ok(p)
}

/// Fields of a practitioner to change; absent ones stay.
#[derive(Debug, Clone, Default)]
pub struct PractitionerChanges {
    pub name: Option<String>,
    pub department: Option<String>,
    pub location_ids: Option<Vec<frontdesk_domain::LocationId>>,
    pub active: Option<bool>,
}

pub async fn update_practitioner(
    ctx: &Ctx,
    tenant: TenantId,
    id: frontdesk_domain::PractitionerId,
    changes: PractitionerChanges,
) -> Result<Practitioner, CatalogError> {
    let all = ctx.store.list_practitioners(tenant).await?;
    let mut p = all.into_iter().find(|p| p.id == id).ok_or(CatalogError::NotFound("practitioner"))?;
    if let Some(name) = changes.name {
        p.name = name.trim().to_owned();
    }
    if let Some(d) = changes.department {
        p.department = d.trim().to_owned();
    }
    if let Some(ids) = changes.location_ids {
        check_locations(ctx, tenant, &ids).await?;
        p.location_ids = ids;
    }
    if let Some(active) = changes.active {
        p.active = active;
    }
    if p.name.is_empty() || p.department.is_empty() {
        return Err(CatalogError::Invalid("name and department must not be empty".into()));
    }
    ctx.store.update_practitioner(&p).await?;
    Ok(p)
}

/// Renames a location or changes its address or time zone; the calendar follows (its
/// version moves with the row).
pub async fn update_location(ctx: &Ctx, location: Location) -> Result<Location, CatalogError> {
    if location.name.trim().is_empty() {
        return Err(CatalogError::Invalid("name must not be empty".into()));
    }
    match ctx.store.update_location(&location).await {
        Err(StoreError::NotFound) => Err(CatalogError::NotFound("location")),
        other => other.map(|()| location).map_err(Into::into),
    }
}

/// Changes a service: booked appointments keep their times; new slots use the new duration.
pub async fn update_service(ctx: &Ctx, s: Service) -> Result<Service, CatalogError> {
    s.validate().map_err(invalid)?;
    match ctx.store.update_service(&s).await {
        Err(StoreError::NotFound) => Err(CatalogError::NotFound("service")),
        other => other.map(|()| s).map_err(Into::into),
    }
}

pub async fn create_service(ctx: &Ctx, s: Service) -> Result<Service, CatalogError> {
    s.validate().map_err(invalid)?;
    ctx.store.create_service(&s).await?;
    Ok(s)
}

pub async fn set_weekly_hours(
    ctx: &Ctx,
    tenant: TenantId,
    hours: WeeklyHours,
) -> Result<WeeklyHours, CatalogError> {
    let practitioners = ctx.store.list_practitioners(tenant).await?;
    let Some(p) = practitioners.iter().find(|p| p.id == hours.practitioner_id) else {
        return Err(CatalogError::UnknownReference("practitioner"));
    };
    if !p.works_at(hours.location_id) {
        return Err(CatalogError::Invalid("the practitioner does not work at that location".into()));
    }
    ctx.store.set_weekly_hours(tenant, &hours).await?;
    Ok(hours)
}

pub async fn add_exception(
    ctx: &Ctx,
    tenant: TenantId,
    exception: Exception,
) -> Result<ExceptionRecord, CatalogError> {
    exception.validate().map_err(invalid)?;
    if let Some(p) = exception.practitioner_id
        && !ctx.store.list_practitioners(tenant).await?.iter().any(|x| x.id == p)
    {
        return Err(CatalogError::UnknownReference("practitioner"));
    }
    if let Some(l) = exception.location_id {
        check_locations(ctx, tenant, &[l]).await?;
    }
    let record = ExceptionRecord { id: Uuid::now_v7(), exception };
    ctx.store.add_exception(tenant, &record).await?;
    Ok(record)
}
