//! `frontdesk simulate`: a synthetic clinic run through the real engine in accelerated
//! time. Leads arrive through lead intake, patients answer through the inbound WhatsApp
//! path and come (or not) to their appointments; the sandbox providers stand in for
//! WhatsApp and the phone. Two arms run side by side on one clock, each its own tenant:
//! one with the risk-based confirmation requests, one without, with the same patients.
//!
//! `patients` is the behaviour model (pure), `run` the clock and event loop, `report` the
//! figures (pure arithmetic and printing), `clinic` the tenants' setup.

mod clinic;
pub mod patients;
pub mod report;
mod run;

pub use report::Report;

use anyhow::Context;
use frontdesk_domain::ManualClock;
use frontdesk_engine::Ctx;
use frontdesk_engine::jobs::{JobRunner, RunnerConfig};
use frontdesk_store::DynStore;
use jiff::civil::Date;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    pub days: u32,
    pub leads_per_day: u32,
    pub seed: u64,
    /// The first simulated day (the clinic's local date).
    pub start: Date,
    /// Draw a progress bar per simulated day on standard error.
    pub progress: bool,
}

/// Runs the simulation on `store` (fresh or shared: the arms are new tenants).
pub async fn simulate(store: DynStore, options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let zone = jiff::tz::TimeZone::get("America/Sao_Paulo")?;
    let start = options.start.to_zoned(zone.clone())?.timestamp();
    let clock = ManualClock::new(start);
    let ctx = Ctx::new(store.clone(), Arc::new(clock.clone()));
    // Tells this run's tenants (and their ids) apart from earlier runs' in a shared
    // database; it names things only, so the figures do not depend on it.
    let run_id: u64 = rand::random();
    let with = clinic::create(&ctx, run_id, 1, true).await?;
    let without = clinic::create(&ctx, run_id, 2, false).await?;
    let mut registry = crate::app::job_registry(&ctx);
    let risk_check = frontdesk_engine::scheduling::RISK_CHECK_JOB;
    let inner = registry.get(risk_check).cloned().context("the risk check job is not registered")?;
    registry.register(risk_check, run::OnlyFor { tenant: with.id, inner });
    // Big batches: one claim and one completion round trip per 256 jobs.
    let config = RunnerConfig { batch: 256, ..RunnerConfig::default() };
    let runner = JobRunner::new(ctx.clone(), registry, config);
    let arms = vec![run::ArmState::new(with, true), run::ArmState::new(without, false)];
    let mut sim = run::Sim::new(ctx, clock, runner, arms, options.seed);

    let bar = if options.progress {
        indicatif::ProgressBar::new(u64::from(options.days))
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} simulating [{bar:30}] day {pos}/{len} {msg} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut leads = StdRng::seed_from_u64(options.seed);
    for day in 0..options.days {
        let date = options.start + jiff::Span::new().days(i64::from(day));
        sim.plan_day(&mut leads, date, options.leads_per_day)?;
        let next_midnight = date.tomorrow()?.to_zoned(zone.clone())?.timestamp();
        sim.run_until(next_midnight).await?;
        bar.set_message(format!("{} jobs", sim.jobs));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let with_confirmations = sim.arm_report(0).await?;
    let without_confirmations = sim.arm_report(1).await?;
    let wall = started.elapsed().as_secs_f64();
    let events = sim.jobs + sim.ingested;
    Ok(Report {
        seed: options.seed,
        days: options.days,
        leads_per_day: options.leads_per_day,
        start: options.start.to_string(),
        backend: store.backend_name().to_owned(),
        with_confirmations,
        without_confirmations,
        throughput: report::Throughput {
            events,
            jobs: sim.jobs,
            wall_seconds: wall,
            events_per_second: if wall > 0.0 { events as f64 / wall } else { 0.0 },
        },
    })
}
