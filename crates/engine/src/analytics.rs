//! The clinic's figures (docs/metrics.md): the fact log is counted into daily rollups, a
//! batch at a time, and a period's figures are read from the rollups of its days. A read
//! first counts the facts logged since the last roll-up (usually a handful), so the figures
//! are current without a job per fact; the cursor makes concurrent readers safe.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::breakdown::natural_rank;
use frontdesk_domain::analytics::counters::{parse_stored_name, stored_name};
use frontdesk_domain::analytics::{
    Counter, Dimension, Granularity, MetricKind, Overview, Period, Prices, Split, Totals, increments,
};
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

/// Every counter summed over the period's days: the fixed ones by name and the histogram
/// buckets by their prefix, never the split rows (a year holds a few hundred thousand).
pub async fn totals(ctx: &Ctx, tenant: TenantId, period: &Period) -> StoreResult<Totals> {
    let names: Vec<String> = Counter::FIXED.iter().map(|c| c.name()).collect();
    let mut rows = ctx.store.rollup_totals_named(tenant, period.from, period.to, &names).await?;
    for prefix in frontdesk_domain::analytics::counters::HISTOGRAM_PREFIXES {
        rows.extend(ctx.store.rollup_totals_prefixed(tenant, period.from, period.to, prefix).await?);
    }
    // Counter::parse reads plain names only: split rows of a histogram are left out.
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

/// The overview of one practitioner, service, unit or lead source (`split`) beside the
/// previous period: the figures kept per that dimension, the others `None`.
pub async fn overview_for(
    ctx: &Ctx,
    tenant: TenantId,
    period: &Period,
    split: &Split,
) -> StoreResult<Overview> {
    catch_up(ctx, tenant).await?;
    let now = split_totals(ctx, tenant, period, split).await?;
    let before = match period.previous() {
        Ok(p) => split_totals(ctx, tenant, &p, split).await?,
        Err(_) => Totals::new(),
    };
    Ok(Overview::for_one(split.dimension, &now, &before))
}

/// Every counter's sum for one value of a dimension.
async fn split_totals(ctx: &Ctx, tenant: TenantId, period: &Period, split: &Split) -> StoreResult<Totals> {
    let names: Vec<String> = Counter::FIXED.iter().map(|c| stored_name(*c, Some(split))).collect();
    let rows = ctx.store.rollup_totals_named(tenant, period.from, period.to, &names).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, v)| match parse_stored_name(&name) {
            Some((c, Some(_))) => Some((c, v)),
            _ => None,
        })
        .collect())
}

/// The lead sources whose leads arrived on `from..=to` (keys as recorded: `paid_ads`...),
/// read from the split rollups: what a question or a filter may name.
pub async fn lead_sources(
    ctx: &Ctx,
    tenant: TenantId,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> StoreResult<Vec<String>> {
    let prefix = format!("{}@{}=", Counter::LeadsCreated.name(), Dimension::Source.as_str());
    let rows = ctx.store.rollup_totals_prefixed(tenant, from, to, &prefix).await?;
    Ok(rows.into_iter().filter_map(|(name, _)| name.strip_prefix(&prefix).map(str::to_owned)).collect())
}

/// One bucket of a series: its first day and each counter's sum over its days.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub start: jiff::civil::Date,
    pub values: Vec<(Counter, f64)>,
}

/// One value of a dimension (a practitioner, `whatsapp`, `monday`...) with its sums.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    pub key: String,
    /// What staff call it: the practitioner's, service's or unit's name; else the key.
    pub label: String,
    pub values: Vec<(Counter, f64)>,
}

/// The counters of `kind` over `period` bucket by bucket, every bucket present (zeros
/// included) so a chart's gaps are real.
pub async fn series(
    ctx: &Ctx,
    tenant: TenantId,
    kind: MetricKind,
    period: &Period,
    granularity: Granularity,
) -> StoreResult<Vec<SeriesPoint>> {
    catch_up(ctx, tenant).await?;
    let buckets = granularity.buckets(period);
    let mut points: Vec<SeriesPoint> = buckets
        .iter()
        .map(|start| SeriesPoint {
            start: *start,
            values: kind.counters().iter().map(|c| (*c, 0.0)).collect(),
        })
        .collect();
    for (i, counter) in kind.counters().iter().enumerate() {
        for (day, value) in ctx.store.rollup_days(tenant, period.from, period.to, &counter.name()).await? {
            let Ok(day) = day.parse::<jiff::civil::Date>() else { continue };
            let bucket = granularity.bucket(day);
            if let Ok(at) = buckets.binary_search(&bucket) {
                points[at].values[i].1 += value;
            }
        }
    }
    Ok(points)
}

/// The counters of `kind` over `period` split by `dimension`: one row per value seen,
/// weekdays, hours and lead times in their natural order, the rest largest first.
pub async fn breakdown(
    ctx: &Ctx,
    tenant: TenantId,
    kind: MetricKind,
    period: &Period,
    dimension: Dimension,
) -> StoreResult<Vec<BreakdownRow>> {
    catch_up(ctx, tenant).await?;
    let counters = kind.counters();
    let mut rows: Vec<BreakdownRow> = Vec::new();
    let mut sums = Vec::new();
    for counter in counters {
        let prefix = format!("{}@{}=", counter.name(), dimension.as_str());
        sums.extend(ctx.store.rollup_totals_prefixed(tenant, period.from, period.to, &prefix).await?);
    }
    for (name, value) in sums {
        let Some((counter, Some(split))) = parse_stored_name(&name) else { continue };
        let Some(i) = counters.iter().position(|c| *c == counter) else { continue };
        if split.dimension != dimension {
            continue;
        }
        let row = match rows.iter().position(|r| r.key == split.key) {
            Some(at) => &mut rows[at],
            None => {
                rows.push(BreakdownRow {
                    key: split.key.clone(),
                    label: split.key.clone(),
                    values: counters.iter().map(|c| (*c, 0.0)).collect(),
                });
                rows.last_mut().expect("pushed above")
            }
        };
        row.values[i].1 += value;
    }
    name_rows(ctx, tenant, dimension, &mut rows).await?;
    rows.sort_by(|a, b| match (natural_rank(dimension, &a.key), natural_rank(dimension, &b.key)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => b.values[0].1.total_cmp(&a.values[0].1).then_with(|| a.label.cmp(&b.label)),
    });
    Ok(rows)
}

/// Practitioners, services, units and campaigns by name (one that was deleted keeps its id).
async fn name_rows(
    ctx: &Ctx,
    tenant: TenantId,
    dimension: Dimension,
    rows: &mut [BreakdownRow],
) -> StoreResult<()> {
    let names: std::collections::HashMap<String, String> = match dimension {
        Dimension::Practitioner => ctx
            .store
            .list_practitioners(tenant)
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), p.name))
            .collect(),
        Dimension::Service => {
            ctx.store.list_services(tenant).await?.into_iter().map(|s| (s.id.to_string(), s.name)).collect()
        }
        Dimension::Unit => {
            ctx.store.list_locations(tenant).await?.into_iter().map(|l| (l.id.to_string(), l.name)).collect()
        }
        Dimension::Campaign => {
            let mut names = std::collections::HashMap::new();
            for row in rows.iter() {
                let Ok(id) = row.key.parse::<uuid::Uuid>() else { continue };
                if let Some(c) = ctx.store.get_campaign(tenant, id).await? {
                    names.insert(row.key.clone(), c.name);
                }
            }
            names
        }
        _ => return Ok(()),
    };
    for row in rows {
        if let Some(name) = names.get(&row.key) {
            row.label = name.clone();
        }
    }
    Ok(())
}
