//! `serve --demo`: a demo clinic and a fresh API key, so a first run has something to call.

use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{Ctx, access, tenants};

pub const DEMO_SLUG: &str = "demo";

/// Ensures the demo tenant exists and issues a new API key for it; returns the key.
pub async fn prepare(ctx: &Ctx) -> anyhow::Result<String> {
    let tenant = match ctx.store.tenant_by_slug(DEMO_SLUG).await? {
        Some(t) => t,
        None => {
            let new = NewTenant::parse(DEMO_SLUG, "Clínica Demo", "America/Sao_Paulo", "pt-BR")?;
            tenants::create_tenant(ctx, &new).await?
        }
    };
    let (_, secret) = access::issue_api_key(ctx, tenant.id, "demo").await?;
    Ok(secret.expose().to_owned())
}
