//! `frontdesk-bench analytics`: the metrics endpoints over a big clinic's history. Seeds a
//! year of facts for one clinic (by default 1M leads, 5M messages, 500k appointments and
//! 200k calls, with what each brings: contacts, bookings, deliveries, reads, shows and
//! no-shows), times the roll-up of the whole fact log from scratch, then every metrics
//! endpoint through HTTP (p50/p95), against a 200 ms p95 target.
//!
//! Only the fact log and the calendar are seeded: the metrics read nothing else (the leads,
//! messages and appointments tables are never scanned by a metrics request; the pages
//! benchmark measures those).

use super::{Backends, DEFAULT_POSTGRES_URL, fresh_store, ms, percentile, progress_bar};
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::scheduling::{Location, Practitioner, Service};
use frontdesk_domain::tenant::{NewTenant, TimeZoneName};
use frontdesk_domain::{LocationId, ManualClock, PractitionerId, ServiceId, TenantId};
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_engine::{access, scheduling, tenants};
use frontdesk_server::{App, Config, Role as ServerRole};
use jiff::ToSpan;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct AnalyticsBenchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub leads: u64,
    /// Messages in and out (an outbound one also brings its delivery and reading).
    #[arg(long, default_value_t = 5_000_000)]
    pub messages: u64,
    #[arg(long, default_value_t = 500_000)]
    pub appointments: u64,
    #[arg(long, default_value_t = 200_000)]
    pub calls: u64,
    /// Days of history, ending on the last day measured.
    #[arg(long, default_value_t = 365)]
    pub days: u64,
    /// Timed requests per endpoint (after 2 untimed ones).
    #[arg(long, default_value_t = 30)]
    pub requests: usize,
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
}

/// The last day of the seeded history (the clinic's day); the clock stands at its end.
const LAST_DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);
const SOURCES: [&str; 6] = ["website", "instagram", "google_ads", "whatsapp", "referral", "meta_ads"];
/// Campaigns the seeded steps and bookings are filed under.
const CAMPAIGNS: u64 = 24;

/// The id of seeded campaign `n` (a fixed UUID: runs compare).
fn campaign(n: u64) -> String {
    format!("01900000-0000-7000-8000-{n:012x}")
}

/// A patient message's tone: mostly neutral, some thanks, some complaints.
fn tone(rng: &mut impl rand::Rng) -> &'static str {
    match rng.random_range(0..100) {
        0..25 => "positive",
        25..85 => "neutral",
        _ => "negative",
    }
}

const OUTCOMES: [&str; 6] =
    ["booked", "no_answer", "voicemail", "callback_requested", "not_interested", "busy"];

struct Catalog {
    practitioners: Vec<String>,
    services: Vec<String>,
    units: Vec<String>,
}

pub async fn analytics(args: AnalyticsBenchArgs) -> anyhow::Result<()> {
    println!(
        "frontdesk-bench analytics: {} leads, {} messages, {} appointments, {} calls over {} days; {} requests per endpoint",
        args.leads, args.messages, args.appointments, args.calls, args.days, args.requests
    );
    for backend in args.backend.names() {
        // PostgreSQL's own schema, to analyze the bulk-loaded tables below.
        let (store, _scratch, schema) = if backend == "postgres" {
            let (pg, schema) =
                frontdesk_store_postgres::PgStore::connect_isolated(&args.postgres_url, 8).await?;
            pg.migrate().await?;
            (Arc::new(pg) as frontdesk_store::DynStore, super::Scratch::default(), Some(schema))
        } else {
            let (store, scratch) = fresh_store(backend, &args.postgres_url, 8).await?;
            (store, scratch, None)
        };
        let end = LAST_DAY.tomorrow()?.to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo")?)?.timestamp();
        let clock = Arc::new(ManualClock::new(end - 1.hour()));
        let app = App::new(
            Config { rate_limit_enabled: false, ..Config::default() },
            store.clone(),
            clock,
            JobRegistry::new(),
        );
        let ctx = &app.ctx.clone();
        let tenant = tenants::create_tenant(
            ctx,
            &NewTenant::parse("bench", "Clínica Bench", "America/Sao_Paulo", "pt-BR")?,
        )
        .await?;
        let catalog = calendar(ctx, tenant.id).await?;
        println!("\n{backend}");
        let started = Instant::now();
        let facts = seed(&store, tenant.id, &catalog, &args).await?;
        let seeded = started.elapsed();
        println!(
            "seeded {facts} facts in {:.1} s ({:.0} facts/s)",
            seeded.as_secs_f64(),
            facts as f64 / seeded.as_secs_f64()
        );
        let started = Instant::now();
        let counted = frontdesk_engine::analytics::catch_up(ctx, tenant.id).await?;
        let built = started.elapsed();
        println!(
            "rollups built from scratch: {counted} facts in {:.1} s ({:.0} facts/s)",
            built.as_secs_f64(),
            counted as f64 / built.as_secs_f64()
        );

        if let Some(schema) = &schema {
            // A running clinic's rollups grow a batch at a time and autovacuum keeps their
            // statistics current; a table filled in two minutes has none until it runs.
            let admin = sqlx::PgPool::connect(&args.postgres_url).await?;
            for table in ["metric_days", "facts"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM ANALYZE {schema}.{table}")))
                    .execute(&admin)
                    .await?;
            }
            admin.close().await;
            println!("VACUUM ANALYZE after the bulk load (autovacuum's work in a running clinic)");
        }
        let (_, key) = access::issue_api_key(ctx, tenant.id, "bench").await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(app.serve(listener, ServerRole::Web, shutdown.clone()));
        let http = reqwest::Client::new();
        println!("{:<62} {:>9} {:>9} {:>9}", "endpoint", "p50 ms", "p95 ms", "max ms");
        let month = "from=2026-11-01&to=2026-11-30";
        let year = "from=2025-12-01&to=2026-11-30";
        let mut endpoints =
            vec![format!("/api/v1/metrics/overview?{month}"), format!("/api/v1/metrics/overview?{year}")];
        for kind in ["funnel", "leads", "telephony", "messaging", "appointments", "no_shows", "sentiment"] {
            endpoints.push(format!("/api/v1/metrics/{kind}?{month}"));
            endpoints.push(format!("/api/v1/metrics/{kind}?{year}&granularity=week"));
        }
        for (kind, by) in [
            ("leads", "source"),
            ("appointments", "practitioner"),
            ("no_shows", "weekday"),
            ("no_shows", "lead_time"),
            ("messaging", "channel"),
            ("telephony", "outcome"),
            ("messaging", "campaign"),
            ("appointments", "campaign"),
        ] {
            endpoints.push(format!("/api/v1/metrics/{kind}?{year}&granularity=month&breakdown={by}"));
        }
        let mut worst = Duration::ZERO;
        for path in endpoints {
            let mut samples = Vec::with_capacity(args.requests);
            for n in 0..args.requests + 2 {
                let t = Instant::now();
                let r = http.get(format!("{base}{path}")).header("x-api-key", key.expose()).send().await?;
                let status = r.status();
                r.bytes().await?;
                anyhow::ensure!(status.is_success(), "{path} answered {status}");
                if n >= 2 {
                    samples.push(t.elapsed());
                }
            }
            samples.sort_unstable();
            let p95 = percentile(&samples, 95.0);
            worst = worst.max(p95);
            let label = path
                .trim_start_matches("/api/v1/metrics/")
                .replace("2025-12-01&to=2026-11-30", "year")
                .replace("2026-11-01&to=2026-11-30", "month");
            println!(
                "{label:<62} {:>9} {:>9} {:>9}",
                ms(percentile(&samples, 50.0)),
                ms(p95),
                ms(*samples.last().unwrap_or(&Duration::ZERO))
            );
        }
        println!("worst p95 {} ms (target < 200 ms)", ms(worst));
        shutdown.cancel();
        let _ = server.await;
        if let Some(schema) = &schema {
            // A few GB of facts: not left behind.
            let admin = sqlx::PgPool::connect(&args.postgres_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await?;
            admin.close().await;
        }
    }
    Ok(())
}

async fn calendar(ctx: &frontdesk_engine::Ctx, tenant: TenantId) -> anyhow::Result<Catalog> {
    let tz = TimeZoneName::parse("America/Sao_Paulo")?;
    let mut units = Vec::new();
    for name in ["Paulista", "Moema", "Pinheiros", "Tatuapé"] {
        let l = Location {
            id: LocationId::new(),
            tenant_id: tenant,
            name: format!("Unidade {name}"),
            address: None,
            timezone: tz.clone(),
        };
        units.push(scheduling::create_location(ctx, l).await?.id);
    }
    let mut services = Vec::new();
    for (n, name) in
        ["Consulta", "Retorno", "Limpeza", "Clareamento", "Exame", "Check-up", "Ultrassom", "Vacina"]
            .iter()
            .enumerate()
    {
        let s = Service {
            id: ServiceId::new(),
            tenant_id: tenant,
            name: (*name).into(),
            department: "Clínica".into(),
            duration_minutes: 30,
            price_cents: Some(10_000 + 2_500 * n as i64),
        };
        services.push(scheduling::create_service(ctx, s).await?.id.to_string());
    }
    let mut practitioners = Vec::new();
    for n in 0..20 {
        let p = Practitioner {
            id: PractitionerId::new(),
            tenant_id: tenant,
            name: format!("Dra. Profissional {n}"),
            department: "Clínica".into(),
            location_ids: vec![units[n % units.len()]],
            active: true,
        };
        practitioners.push(scheduling::create_practitioner(ctx, p).await?.id.to_string());
    }
    Ok(Catalog { practitioners, services, units: units.iter().map(|u| u.to_string()).collect() })
}

/// A year of facts, a day at a time, logged in batches; returns how many.
async fn seed(
    store: &frontdesk_store::DynStore,
    tenant: TenantId,
    c: &Catalog,
    args: &AnalyticsBenchArgs,
) -> anyhow::Result<u64> {
    let tz = jiff::tz::TimeZone::get("America/Sao_Paulo")?;
    let mut rng = StdRng::seed_from_u64(7);
    let days = args.days.max(1);
    let first = LAST_DAY.checked_sub(((days - 1) as i64).days())?;
    let bar = progress_bar(days, "seeding facts");
    let mut batch: Vec<Fact> = Vec::with_capacity(25_000);
    let mut total = 0u64;
    let mut serial = 0u64;
    let share = |n: u64, day: u64| n / days + u64::from(day < n % days);
    for d in 0..days {
        let date = first.checked_add((d as i64).days())?;
        let day_start = date.to_zoned(tz.clone())?.timestamp();
        let at = |rng: &mut StdRng| day_start + (rng.random_range(7 * 3600..21 * 3600) as i64).seconds();
        for _ in 0..share(args.leads, d) {
            serial += 1;
            let lead = format!("lead:{serial}");
            let created = at(&mut rng);
            let source = SOURCES[rng.random_range(0..SOURCES.len())];
            let base = json!({"source": source, "lead_created_at": created.to_string()});
            batch.push(Fact::new(tenant, FactKind::LeadCreated, &lead, base.clone(), created));
            if rng.random_bool(0.9) {
                let seconds = rng.random_range(5..3_600);
                let mut p = base.clone();
                p["seconds"] = json!(seconds);
                batch.push(Fact::new(tenant, FactKind::LeadContacted, &lead, p, created + seconds.seconds()));
            }
            if rng.random_bool(0.3) {
                let mut p = base.clone();
                p["first_booking"] = json!(true);
                batch.push(Fact::new(tenant, FactKind::LeadStageChanged, &lead, p, created + 2.hours()));
            }
        }
        for _ in 0..share(args.messages, d) {
            serial += 1;
            let message = format!("message:{serial}");
            let sent = at(&mut rng);
            let channel = if rng.random_bool(0.9) { "whatsapp" } else { "sms" };
            if rng.random_bool(0.6) {
                let by = ["ai", "automation", "staff"][rng.random_range(0..3)];
                let mut p = json!({"channel": channel, "by": by, "sent_at": sent.to_string()});
                // A third of the automated messages are campaign steps (of 24 campaigns).
                if by == "automation" && rng.random_bool(0.33) {
                    p["campaign_id"] = json!(campaign(rng.random_range(0..CAMPAIGNS)));
                }
                batch.push(Fact::new(tenant, FactKind::MessageSent, &message, p.clone(), sent));
                for (status, chance, after) in [("delivered", 0.95, 5), ("read", 0.7, 600)] {
                    if rng.random_bool(chance) {
                        let mut s = p.clone();
                        s["status"] = json!(status);
                        batch.push(Fact::new(
                            tenant,
                            FactKind::MessageStatusChanged,
                            format!("{message}:{status}"),
                            s,
                            sent + after.seconds(),
                        ));
                    }
                }
            } else {
                batch.push(Fact::new(
                    tenant,
                    FactKind::MessageReceived,
                    &message,
                    json!({"channel": channel, "sentiment": tone(&mut rng), "turned_negative": rng.random_bool(0.03)}),
                    sent,
                ));
            }
        }
        for _ in 0..share(args.appointments, d) {
            serial += 1;
            let appointment = format!("appointment:{serial}:v1");
            let booked = at(&mut rng);
            let start = booked + (rng.random_range(0..30) as i64 * 24 + rng.random_range(1..10)).hours();
            let p = json!({
                "practitioner_id": c.practitioners[rng.random_range(0..c.practitioners.len())],
                "service_id": c.services[rng.random_range(0..c.services.len())],
                "location_id": c.units[rng.random_range(0..c.units.len())],
                "start": start.to_string(), "booked_at": booked.to_string(),
                "by": if rng.random_bool(0.4) { "ai" } else { "staff" },
            });
            let mut booking = p.clone();
            if rng.random_bool(0.1) {
                booking["campaign_id"] = json!(campaign(rng.random_range(0..CAMPAIGNS)));
            }
            batch.push(Fact::new(tenant, FactKind::AppointmentBooked, &appointment, booking, booked));
            let mut ended = p.clone();
            ended["confirmed"] = json!(rng.random_bool(0.6));
            match rng.random_range(0..100) {
                0..70 => {
                    batch.push(Fact::new(tenant, FactKind::AppointmentShowed, &appointment, ended, start))
                }
                70..85 => batch.push(Fact::new(
                    tenant,
                    FactKind::AppointmentNoShow,
                    &appointment,
                    ended,
                    start + 30.minutes(),
                )),
                85..95 => batch.push(Fact::new(
                    tenant,
                    FactKind::AppointmentCancelled,
                    &appointment,
                    p,
                    booked + 24.hours(),
                )),
                _ => {}
            }
        }
        for _ in 0..share(args.calls, d) {
            serial += 1;
            let outcome = OUTCOMES[rng.random_range(0..OUTCOMES.len())];
            let p = json!({"outcome": outcome, "duration_seconds": rng.random_range(20..400), "cost": 0.12});
            batch.push(Fact::new(tenant, FactKind::CallEnded, format!("call:{serial}"), p, at(&mut rng)));
        }
        if batch.len() >= 20_000 {
            total += store.record_facts(&batch).await?;
            batch.clear();
        }
        bar.inc(1);
    }
    total += store.record_facts(&batch).await?;
    bar.finish_and_clear();
    Ok(total)
}
