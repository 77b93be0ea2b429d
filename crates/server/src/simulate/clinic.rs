//! The simulated clinic: the demo clinic's calendar, once per arm, each arm its own tenant.

use anyhow::Context;
use frontdesk_domain::tenant::{NewTenant, Tenant};
use frontdesk_engine::{Ctx, settings, tenants};

/// Creates an arm's tenant with the demo calendar and the settings the simulation needs.
/// `run` tells this simulation's tenants from earlier ones in a shared database; ids are
/// ordered within the tenant (ranking breaks ties by id, and a rerun must tie the same way).
pub async fn create(ctx: &Ctx, run: u64, arm: u8, with_confirmations: bool) -> anyhow::Result<Tenant> {
    let label = if with_confirmations { "confirm" } else { "plain" };
    let slug = format!("sim-{run:x}-{label}");
    let name = format!("Clínica Simulada ({})", if with_confirmations { "com confirmações" } else { "sem" });
    let new = NewTenant::parse(&slug, &name, "America/Sao_Paulo", "pt-BR")?;
    let tenant =
        tenants::create_tenant(ctx, &new).await.with_context(|| format!("creating tenant {slug}"))?;
    let mut n: u128 = 0;
    let prefix = (u128::from(run) << 64) | (u128::from(arm) << 56);
    let mut next_id = move || {
        n += 1;
        uuid::Uuid::from_u128(prefix | n)
    };
    crate::demo::seed_calendar(ctx, &tenant, &mut next_id, false).await.context("seeding the calendar")?;
    // The sandbox voice would book every hot lead on the first call: in the simulation the
    // calls go unanswered, so bookings come from the patients' own answers in WhatsApp.
    // The arm without the risk confirmations goes without the waitlist too: the two arms
    // compare the clinic with and without what acts before and after a chair empties.
    let patch = serde_json::json!({
        "voice": {"sandbox_outcome": "no_answer"},
        "waitlist": {"enabled": with_confirmations},
    });
    settings::apply_patch(ctx, tenant.id, &patch, None)
        .await
        .map_err(|e| anyhow::anyhow!("settings: {e}"))?;
    Ok(tenant)
}
