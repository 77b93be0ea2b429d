//! Creating tenants.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::tenant::{NewTenant, Tenant, TenantChanges, TenantError};
use frontdesk_store::{StoreError, StoreResult};
use thiserror::Error;

pub async fn create_tenant(ctx: &Ctx, new: &NewTenant) -> StoreResult<Tenant> {
    let tenant = ctx.store.create_tenant(new, ctx.clock.now()).await?;
    tracing::info!(tenant_id = %tenant.id, slug = %tenant.slug, "tenant created");
    Ok(tenant)
}

#[derive(Debug, Error)]
pub enum UpdateTenantError {
    #[error(transparent)]
    Invalid(#[from] TenantError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn update_tenant(
    ctx: &Ctx,
    id: TenantId,
    changes: TenantChanges,
) -> Result<Tenant, UpdateTenantError> {
    let current = ctx.store.tenant_by_id(id).await?.ok_or(StoreError::NotFound)?;
    let updated = current.apply(changes)?;
    ctx.store.update_tenant(&updated).await?;
    ctx.tenants.forget(id);
    Ok(updated)
}
