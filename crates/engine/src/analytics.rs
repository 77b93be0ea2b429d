//! The clinic's figures (docs/metrics.md): the fact log is counted into daily rollups, a
//! batch at a time, and a period's figures are read from the rollups of its days. A read
//! first counts the facts logged since the last roll-up (usually a handful), so the figures
//! are current without a job per fact; the cursor makes concurrent readers safe.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::{Counter, Overview, Period, Prices, Totals, increments};
use frontdesk_store::StoreResult;

/// Facts counted per transaction.
const BATCH: u32 = 1_000;

/// Counts every fact logged since the last roll-up into the daily rollups.
pub async fn catch_up(ctx: &Ctx, tenant: TenantId) -> StoreResult<u64> {
    let mut counted = 0u64;
    let mut context: Option<(jiff::tz::TimeZone, Prices)> = None;
    loop {
        let cursor = ctx.store.rollup_cursor(tenant).await?;
        let batch = ctx.store.facts_after(tenant, cursor, BATCH).await?;
        let Some((last, _)) = batch.last() else { return Ok(counted) };
        let last = *last;
        if context.is_none() {
            context = Some(load_context(ctx, tenant).await?);
        }
        let (tz, prices) = context.as_ref().expect("loaded above");
        let moves: Vec<_> = batch.iter().flat_map(|(_, f)| increments(f, tz, prices)).collect();
        if ctx.store.apply_rollup(tenant, cursor, last, &moves).await? {
            counted += batch.len() as u64;
            if batch.len() < BATCH as usize {
                return Ok(counted);
            }
        }
        // A full batch, or another reader counted these first: read the cursor again.
    }
}

/// The clinic's zone (days are its local days) and service prices.
async fn load_context(ctx: &Ctx, tenant: TenantId) -> StoreResult<(jiff::tz::TimeZone, Prices)> {
    let t = ctx.store.tenant_by_id(tenant).await?.ok_or(frontdesk_store::StoreError::NotFound)?;
    let prices = ctx
        .store
        .list_services(tenant)
        .await?
        .into_iter()
        .filter_map(|s| s.price_cents.map(|p| (s.id.0, p)))
        .collect();
    Ok((t.timezone.time_zone(), prices))
}

/// Every counter summed over the period's days.
pub async fn totals(ctx: &Ctx, tenant: TenantId, period: &Period) -> StoreResult<Totals> {
    let rows = ctx.store.rollup_totals(tenant, period.from, period.to).await?;
    Ok(rows.into_iter().filter_map(|(name, v)| Counter::parse(&name).map(|c| (c, v))).collect())
}

/// The overview of `period` beside the previous period of the same length.
pub async fn overview(ctx: &Ctx, tenant: TenantId, period: &Period) -> StoreResult<Overview> {
    catch_up(ctx, tenant).await?;
    let now = totals(ctx, tenant, period).await?;
    let before = match period.previous() {
        Ok(p) => totals(ctx, tenant, &p).await?,
        Err(_) => Totals::new(),
    };
    Ok(Overview::new(&now, &before))
}
