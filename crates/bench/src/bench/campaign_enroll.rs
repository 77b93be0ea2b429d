//! `frontdesk-bench campaign-enroll`: how long a campaign over a large patient list takes
//! to enroll everyone and plan their first step (issue 15 asks under 10 s for 100k).
//!
//! The patients are filed first (not timed). Then a custom campaign over all of them is
//! started, as `POST /api/v1/campaigns/{id}/start` does, and its enroll jobs are run by the
//! engine's own job runner until none is left: each page of 2,000 is one transaction that
//! files the page's enrollments, their first-step jobs (spread at 60 a minute) and the next
//! page's job. The clock stands still, so only the first minute's steps are sent; the rest
//! stay planned. The run ends when every patient is enrolled with a first step planned.

use super::{Backends, DEFAULT_POSTGRES_URL, fresh_store, progress_bar};
use anyhow::{Context, ensure};
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::{Locale, NewTenant};
use frontdesk_domain::{Clock as _, ManualClock};
use frontdesk_engine::jobs::{JobRunner, RunnerConfig};
use frontdesk_engine::{Ctx, campaigns, tenants};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct CampaignEnrollArgs {
    /// Patients in the campaign's audience.
    #[arg(long, default_value_t = 100_000)]
    pub patients: u32,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    pub backend: Backends,
    /// PostgreSQL server to use (a throwaway schema is created in it).
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
}

/// What the issue asks for 100k patients.
const TARGET: Duration = Duration::from_secs(10);
/// Patients filed at once while seeding.
const SEED_TASKS: u32 = 8;

pub async fn campaign_enroll(args: CampaignEnrollArgs) -> anyhow::Result<()> {
    ensure!(args.patients > 0, "--patients must be at least 1");
    println!("frontdesk-bench campaign-enroll: {} patients, one SMS step", args.patients);
    println!(
        "{:<10} {:>12} {:>14} {:>12} {:>14}",
        "backend", "seeded in", "enrolled in", "enrolled", "patients/s"
    );
    for backend in args.backend.names() {
        let (store, _scratch) = fresh_store(backend, &args.postgres_url, 8).await?;
        // A Monday at 10:00 in São Paulo, inside the campaign's window.
        let clock = ManualClock::new("2026-06-01T13:00:00Z".parse()?);
        let ctx = Ctx::new(store.clone(), Arc::new(clock.clone()));
        let new = NewTenant::parse("rede", "Rede", "America/Sao_Paulo", "pt-BR")?;
        let tenant = tenants::create_tenant(&ctx, &new).await.map_err(|e| anyhow::anyhow!("{e}"))?;

        let seeding = Instant::now();
        let bar = progress_bar(u64::from(args.patients), format!("{backend}: patients"));
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..SEED_TASKS {
            let (ctx, bar, now) = (ctx.clone(), bar.clone(), clock.now());
            let n = args.patients;
            tasks.spawn(async move {
                for i in (t..n).step_by(SEED_TASKS as usize) {
                    let phone = PhoneE164::parse(&format!("+55119{:08}", 10_000_000 + i), "BR")?;
                    let name = PersonName::parse("Paciente Rede")?;
                    ctx.store
                        .create_patient(&Patient::new(tenant.id, name, phone, Locale::PtBr, now))
                        .await?;
                    bar.inc(1);
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        bar.finish_and_clear();
        let seeded = seeding.elapsed();

        let campaign: campaigns::NewCampaign = serde_json::from_value(serde_json::json!({
            "name": "Todos", "kind": "custom", "segment": {},
            "steps": [{"channel": "sms", "template": "booking_link"}],
            "window": {"weekdays": [], "from": "00:00", "to": "23:59"},
        }))?;
        let campaign =
            campaigns::create(&ctx, tenant.id, campaign).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let registry = frontdesk_server::app::job_registry(&ctx);
        let runner =
            JobRunner::new(ctx.clone(), registry, RunnerConfig { batch: 256, ..RunnerConfig::default() });

        let started = Instant::now();
        campaigns::act(&ctx, tenant.id, campaign.id, frontdesk_domain::campaigns::CampaignAction::Start)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        runner.run_pending().await.context("running the enroll jobs")?;
        let took = started.elapsed();

        let counts =
            campaigns::counts(&ctx, tenant.id, campaign.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        ensure!(
            counts.total() == u64::from(args.patients),
            "{backend}: {} of {} enrolled",
            counts.total(),
            args.patients
        );
        println!(
            "{backend:<10} {:>10.1} s {:>12.2} s {:>12} {:>14.0}",
            seeded.as_secs_f64(),
            took.as_secs_f64(),
            counts.total(),
            f64::from(args.patients) / took.as_secs_f64()
        );
        if args.patients >= 100_000 {
            let verdict = if took < TARGET { "met" } else { "NOT met" };
            println!("{backend}: target < {} s for 100k: {verdict}", TARGET.as_secs());
        }
    }
    Ok(())
}
