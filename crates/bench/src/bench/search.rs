//! `frontdesk bench search`: ranked slot search over 50 practitioners x 14 days with
//! 10,000 booked appointments, in-process (whole engine call, and the pure computation
//! alone) and over HTTP, on SQLite and PostgreSQL.

use super::search_seed::{self, Clinic, DAYS, DEPARTMENT, PRACTITIONERS, ZONE, bench_now, bench_today};
use super::{Backends, DEFAULT_POSTGRES_URL, Latency, fresh_store, ms, search_http};
use anyhow::bail;
use frontdesk_domain::ManualClock;
use frontdesk_domain::scheduling::{
    DayPeriod, RankingContext, SearchPreferences, TimeRange, free_slots, plan_search, rank_slots,
};
use frontdesk_domain::{PractitionerId, TenantId};
use frontdesk_engine::Ctx;
use frontdesk_engine::scheduling::{self, Calendar};
use jiff::civil::{Date, Time, Weekday, time};
use jiff::{SignedDuration, ToSpan};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct SearchBenchArgs {
    /// Ranked searches timed in-process per backend (each after warm-up).
    #[arg(long, default_value_t = 500)]
    pub searches: usize,
    /// Seconds of HTTP load per backend.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Booked appointments seeded before measuring.
    #[arg(long, default_value_t = 10_000)]
    pub appointments: usize,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    /// PostgreSQL server to use (a throwaway schema is created in it).
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
}

/// Untimed runs first, so connection pools, prepared statements and caches are warm.
const WARM_UP: usize = 20;
/// The target for one in-process ranked search.
const TARGET_P99: Duration = Duration::from_millis(5);

pub async fn search(args: SearchBenchArgs) -> anyhow::Result<()> {
    if args.searches == 0 || args.concurrency == 0 {
        bail!("--searches and --concurrency must be at least 1");
    }
    println!(
        "frontdesk bench search: {PRACTITIONERS} practitioners x {DAYS} days, {} appointments, \
         {} in-process searches, HTTP {} s x {} clients; now = {} 08:00 {ZONE}",
        args.appointments,
        args.searches,
        args.seconds,
        args.concurrency,
        bench_today()
    );
    let mut http_errors = 0;
    for backend in args.backend.names() {
        // The HTTP clients share the server's pool with nothing else; a few spare
        // connections cover the API-key lookup running beside a search.
        let connections = args.concurrency as u32 + 4;
        let (store, _scratch) = fresh_store(backend, &args.postgres_url, connections).await?;
        let clock = ManualClock::new(bench_now()?);
        let ctx = Ctx::new(store.clone(), Arc::new(clock.clone()));
        let clinic = search_seed::seed(&ctx, args.appointments, backend).await?;
        let variants = variants(&clinic);
        let engine = time_engine(&ctx, clinic.tenant, &variants, args.searches).await?;
        let reads = time_reads(&ctx, clinic.tenant, &variants, args.searches).await?;
        let pure = time_pure(&ctx, clinic.tenant, &variants, args.searches).await?;
        let bodies = variants.iter().map(serde_json::to_vec).collect::<Result<Vec<_>, _>>()?;
        let load = search_http::Load { concurrency: args.concurrency, seconds: args.seconds };
        let http = search_http::run(store, clock, clinic.tenant, bodies, load, backend).await?;
        http_errors += http.errors;
        report(backend, &clinic, [&engine, &reads, &pure], &http);
    }
    if http_errors > 0 {
        bail!("{http_errors} HTTP searches did not answer 200 (see above)");
    }
    Ok(())
}

/// The preferences searches cycle through, one of each kind a patient or agent sends.
/// "Department only" books the department's shortest service (the 15-minute follow-up,
/// by the product's rule); the others name the 30-minute consultation.
fn variants(c: &Clinic) -> Vec<SearchPreferences> {
    let consultation = SearchPreferences { service_id: Some(c.consultation.id), ..Default::default() };
    let at = |h, m| Some(time(h, m, 0, 0));
    let on = |days: &[Weekday]| days.to_vec();
    let from = |days: i64| Some(bench_today() + days.days());
    let practitioner = |i: usize| Some(c.practitioners[i % c.practitioners.len()].id);
    vec![
        SearchPreferences { department: Some(DEPARTMENT.into()), ..Default::default() },
        SearchPreferences {
            weekdays: on(&[Weekday::Wednesday]),
            time_of_day: Some(DayPeriod::Afternoon),
            ..consultation.clone()
        },
        SearchPreferences {
            weekdays: on(&[Weekday::Tuesday, Weekday::Thursday]),
            time_of_day: Some(DayPeriod::Morning),
            ..consultation.clone()
        },
        SearchPreferences { exact_time: at(10, 0), ..consultation.clone() },
        SearchPreferences {
            weekdays: on(&[Weekday::Friday]),
            exact_time: at(16, 30),
            ..consultation.clone()
        },
        SearchPreferences { practitioner_id: practitioner(7), ..consultation.clone() },
        SearchPreferences {
            practitioner_id: practitioner(32),
            time_of_day: Some(DayPeriod::Morning),
            ..consultation.clone()
        },
        SearchPreferences { location_id: Some(c.locations[1].id), ..consultation.clone() },
        SearchPreferences {
            location_id: Some(c.locations[0].id),
            exact_time: at(14, 0),
            ..consultation.clone()
        },
        SearchPreferences { earliest_date: from(7), ..consultation.clone() },
        SearchPreferences { earliest_date: from(3), time_of_day: Some(DayPeriod::Afternoon), ..consultation },
    ]
}

/// The whole engine call a request makes: calendar and busy-time reads plus computation.
async fn time_engine(
    ctx: &Ctx,
    tenant: TenantId,
    variants: &[SearchPreferences],
    searches: usize,
) -> anyhow::Result<Latency> {
    let mut samples = Vec::with_capacity(searches);
    for i in 0..WARM_UP + searches {
        let prefs = &variants[i % variants.len()];
        let started = Instant::now();
        let outcome = scheduling::search(ctx, tenant, prefs).await?;
        let took = started.elapsed();
        black_box(outcome);
        if i >= WARM_UP {
            samples.push(took);
        }
    }
    Ok(Latency::of(samples))
}

/// What one search reads from the database: the calendar, and everyone's busy time over
/// the same window `scheduling::free_slots` queries.
struct Loaded {
    cal: Calendar,
    prefs: SearchPreferences,
    dates: (Date, Date),
    busy: HashMap<PractitionerId, Vec<TimeRange>>,
}

/// The engine search's reads without its computation. Busy time is asked for all
/// practitioners, as a department search over all 50 does.
async fn read(ctx: &Ctx, tenant: TenantId, prefs: &SearchPreferences) -> anyhow::Result<Loaded> {
    let cal = Calendar::load(ctx, tenant).await?;
    let tz = cal.tenant_zone();
    let today = tz.to_datetime(ctx.clock.now()).date();
    let from = prefs.earliest_date.map_or(today, |d| d.max(today));
    let to = from + DAYS.days();
    // Mirrors the engine's window: a day wider on each side for time zones.
    let start = tz.to_zoned(from.to_datetime(Time::midnight()))?.timestamp();
    let window = TimeRange {
        start: start - SignedDuration::from_hours(24),
        end: start + SignedDuration::from_hours(24 * (DAYS + 2)),
    };
    let all: Vec<PractitionerId> = cal.practitioners.iter().map(|p| p.id).collect();
    let mut busy: HashMap<PractitionerId, Vec<TimeRange>> = HashMap::new();
    for (p, r) in ctx.store.busy_ranges(tenant, &all, window).await? {
        busy.entry(p).or_default().push(r);
    }
    Ok(Loaded { cal, prefs: prefs.clone(), dates: (from, to), busy })
}

async fn time_reads(
    ctx: &Ctx,
    tenant: TenantId,
    variants: &[SearchPreferences],
    searches: usize,
) -> anyhow::Result<Latency> {
    let mut samples = Vec::with_capacity(searches);
    for i in 0..WARM_UP + searches {
        let started = Instant::now();
        let loaded = read(ctx, tenant, &variants[i % variants.len()]).await?;
        let took = started.elapsed();
        black_box(loaded);
        if i >= WARM_UP {
            samples.push(took);
        }
    }
    Ok(Latency::of(samples))
}

/// Domain `free_slots` for every practitioner of the plan, then `rank_slots`, on data
/// read once ahead: the engine search without its reads.
async fn time_pure(
    ctx: &Ctx,
    tenant: TenantId,
    variants: &[SearchPreferences],
    searches: usize,
) -> anyhow::Result<Latency> {
    let mut loaded = Vec::new();
    for prefs in variants {
        loaded.push(read(ctx, tenant, prefs).await?);
    }
    let now = ctx.clock.now();
    let cal = &loaded[0].cal;
    let tz = cal.tenant_zone();
    let ranking = RankingContext { now, zones: &cal.zones, default_zone: &tz };
    let mut samples = Vec::with_capacity(searches);
    for i in 0..WARM_UP + searches {
        let input = &loaded[i % loaded.len()];
        let started = Instant::now();
        let plan = plan_search(&input.prefs, &cal.services, &cal.practitioners)?;
        let mut slots = Vec::new();
        for (practitioner, location) in &plan.targets {
            let Ok(hours) = cal.working_hours(*practitioner, *location) else { continue };
            let zone = cal.zone(*location);
            let blocked = input.busy.get(practitioner).map(Vec::as_slice).unwrap_or(&[]);
            slots.extend(free_slots(&cal.request(hours, &zone, plan.service, blocked, now, input.dates)));
        }
        slots.sort_by_key(|s| (s.start, s.practitioner_id, s.location_id));
        let result = rank_slots(&slots, &input.prefs, &ranking);
        let took = started.elapsed();
        black_box(result);
        if i >= WARM_UP {
            samples.push(took);
        }
    }
    Ok(Latency::of(samples))
}

fn report(backend: &str, clinic: &Clinic, [engine, reads, pure]: [&Latency; 3], http: &search_http::Figures) {
    let b = &clinic.booked;
    println!();
    println!(
        "{backend}: {} appointments inserted ({} relocated, {} skipped) in {:.1} s; {:.0}% of working time booked",
        b.inserted,
        b.relocated,
        b.skipped,
        b.took.as_secs_f64(),
        b.fill * 100.0
    );
    println!(
        "  {:<36} {:>7} {:>8} {:>8} {:>8} {:>9}",
        "measure", "count", "p50 ms", "p99 ms", "max ms", "req/s"
    );
    let row = |name: &str, l: &Latency, rate: String| {
        println!(
            "  {:<36} {:>7} {:>8} {:>8} {:>8} {:>9}",
            name,
            l.count,
            ms(l.p50),
            ms(l.p99),
            ms(l.max),
            rate
        );
    };
    row("search, in-process (reads + compute)", engine, "-".into());
    row("  database reads only", reads, "-".into());
    row("  free_slots + rank_slots only", pure, "-".into());
    row("POST /api/v1/slots/search", &http.latency, format!("{:.0}", http.per_sec));
    let verdict = if engine.p99 < TARGET_P99 { "met" } else { "MISSED" };
    println!(
        "  in-process p99 target < {} ms: {verdict}; HTTP: {} requests, {} errors{}",
        TARGET_P99.as_millis(),
        http.latency.count,
        http.errors,
        http.first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default()
    );
}
