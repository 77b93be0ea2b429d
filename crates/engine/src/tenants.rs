//! Creating tenants.

use crate::Ctx;
use frontdesk_domain::tenant::{NewTenant, Tenant};
use frontdesk_store::StoreResult;

pub async fn create_tenant(ctx: &Ctx, new: &NewTenant) -> StoreResult<Tenant> {
    let tenant = ctx.store.create_tenant(new, ctx.clock.now()).await?;
    tracing::info!(tenant_id = %tenant.id, slug = %tenant.slug, "tenant created");
    Ok(tenant)
}
