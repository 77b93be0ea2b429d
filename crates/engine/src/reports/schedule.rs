//! Scheduled reports: a job per tenant and cadence, due at 07:00 local on the first day of
//! each week and month, files a `report_ready` fact for each report the clinic's settings
//! list (`reports.scheduled`). The fact goes where facts go: to the signed webhooks
//! subscribed to `report.ready` (Standard Webhooks, retried and replayable like every
//! delivery) and to the facts log. The file itself is built when it is downloaded, from the
//! figures as they are then, at the address the fact gives; [`ready`] lists the recent
//! ones (the download list of the API and the dashboard).

use crate::Ctx;
use crate::jobs::{JobError, JobHandler, JobRegistry};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::analytics::schedule::{
    Cadence, DUE_HOUR, FileFormat, ReportKind, ReportSettings, ScheduledReport,
};
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_store::StoreResult;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

pub const SCHEDULED_REPORTS_JOB: &str = "reports.scheduled";

/// How many past periods of each cadence the download list offers.
pub const READY_PER_CADENCE: usize = 12;

#[derive(Serialize, Deserialize)]
struct Payload {
    cadence: Cadence,
    /// The local moment it was due (its dedupe key): the period is the one before it.
    due: DateTime,
}

/// A report whose period has ended, and where to download it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadyReport {
    pub cadence: Cadence,
    pub report: ReportKind,
    pub format: FileFormat,
    pub from: Date,
    pub to: Date,
    /// `GET` it with an API key with the `reports` scope.
    pub download_path: String,
}

impl ReadyReport {
    fn new(r: &ScheduledReport, (from, to): (Date, Date)) -> Self {
        let (report, format) = (r.report.as_str(), r.format.as_str());
        Self {
            cadence: r.cadence,
            report: r.report,
            format: r.format,
            from,
            to,
            download_path: format!("/api/v1/reports/{report}?from={from}&to={to}&format={format}"),
        }
    }
}

/// The scheduled reports whose periods have ended by `now` (local), newest first: up to
/// [`READY_PER_CADENCE`] periods of each cadence. A period's report is ready from 07:00 on
/// the day after it ends, when the job files it.
pub fn ready(settings: &ReportSettings, now: DateTime) -> Vec<ReadyReport> {
    let today = now.date();
    let reference = if now.hour() < DUE_HOUR { today.yesterday().unwrap_or(today) } else { today };
    let mut out: Vec<ReadyReport> = Cadence::ALL
        .into_iter()
        .flat_map(|cadence| {
            let periods = cadence.recent(reference, READY_PER_CADENCE);
            settings
                .on(cadence)
                .flat_map(move |r| periods.clone().into_iter().map(move |p| ReadyReport::new(r, p)))
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_by(|a, b| b.to.cmp(&a.to).then(a.cadence.cmp(&b.cadence)));
    out
}

/// Files the tenant's next run of each cadence (the first 07:00 on a Monday, and on a 1st,
/// after `after`); one already filed for that moment makes it a no-op.
pub async fn schedule_reports(ctx: &Ctx, tenant: TenantId, after: Timestamp) -> StoreResult<()> {
    match ctx.store.tenant_by_id(tenant).await? {
        Some(t) => file_next_runs(ctx, &t, after).await,
        None => Ok(()),
    }
}

/// [`schedule_reports`] for a tenant already read.
async fn file_next_runs(
    ctx: &Ctx,
    t: &frontdesk_domain::tenant::Tenant,
    after: Timestamp,
) -> StoreResult<()> {
    let (tenant, zone) = (t.id, t.timezone.time_zone());
    let local = after.to_zoned(zone.clone()).datetime();
    for cadence in Cadence::ALL {
        let Some(due) = cadence.next_due(local) else { continue };
        let Ok(at) = due.to_zoned(zone.clone()) else { continue };
        let job = NewJob::new(
            tenant,
            SCHEDULED_REPORTS_JOB,
            serde_json::json!(Payload { cadence, due }),
            at.timestamp(),
        )
        .with_dedupe_key(format!("reports:{}:{due}", cadence.as_str()));
        ctx.store.enqueue(&job, ctx.clock.now()).await?;
    }
    Ok(())
}

/// Files every tenant's next runs (at start-up, so a chain broken by an outage is whole
/// again; a new tenant gets its own when the CLI creates it).
pub async fn schedule_all_reports(ctx: &Ctx) -> StoreResult<()> {
    let now = ctx.clock.now();
    for t in ctx.store.list_tenants().await? {
        file_next_runs(ctx, &t, now).await?;
    }
    Ok(())
}

/// The facts a run files: one per report of the cadence, for the period before `due`.
fn ready_facts(tenant: TenantId, settings: &ReportSettings, p: &Payload, at: Timestamp) -> Vec<Fact> {
    let Some(period) = p.cadence.last_complete(p.due.date()) else { return Vec::new() };
    settings
        .on(p.cadence)
        .map(|r| {
            let ready = ReadyReport::new(r, period);
            Fact::new(
                tenant,
                FactKind::ReportReady,
                format_args!(
                    "report:{}:{}:{}:{}",
                    ready.cadence.as_str(),
                    ready.report.as_str(),
                    ready.format.as_str(),
                    ready.from
                ),
                serde_json::json!(ready),
                at,
            )
        })
        .collect()
}

struct Run {
    ctx: Ctx,
}

#[async_trait]
impl JobHandler for Run {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad scheduled report payload: {e}")))?;
        let ctx = &self.ctx;
        let Some(tenant) = ctx.store.tenant_by_id(job.tenant_id).await? else { return Ok(()) };
        // The next run is filed first, so one that fails does not end the chain.
        file_next_runs(ctx, &tenant, ctx.clock.now().max(job.run_at)).await?;
        let settings = ctx.store.tenant_settings(job.tenant_id).await?;
        // The fact's id names the report and period, so a retried run files nothing new.
        for fact in ready_facts(job.tenant_id, &settings.reports, &p, ctx.clock.now()) {
            crate::facts::note(ctx, &fact).await?;
        }
        Ok(())
    }
}

pub(crate) fn register(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(SCHEDULED_REPORTS_JOB, Run { ctx });
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_download_list_holds_the_ended_periods_newest_first() {
        let settings = ReportSettings::default();
        // Monday 8 June 2026 at 06:00: the week of 1-7 June is not ready until 07:00.
        let early = ready(&settings, date(2026, 6, 8).at(6, 0, 0, 0));
        assert_eq!((early[0].from, early[0].to), (date(2026, 5, 25), date(2026, 5, 31)));
        let later = ready(&settings, date(2026, 6, 8).at(7, 0, 0, 0));
        assert_eq!(
            (later[0].from, later[0].to, later[0].cadence),
            (date(2026, 6, 1), date(2026, 6, 7), Cadence::Weekly)
        );
        assert_eq!(later.len(), 2 * READY_PER_CADENCE);
        let may = later.iter().find(|r| r.cadence == Cadence::Monthly).unwrap();
        assert_eq!(may.download_path, "/api/v1/reports/overview?from=2026-05-01&to=2026-05-31&format=xlsx");
        assert!(later.windows(2).all(|w| w[0].to >= w[1].to));
    }

    #[test]
    fn a_run_files_one_fact_per_report_of_its_cadence_keyed_by_period() {
        let mut settings = ReportSettings::default();
        settings.scheduled.push(ScheduledReport {
            cadence: Cadence::Weekly,
            report: ReportKind::NoShows,
            format: FileFormat::Csv,
        });
        let tenant = TenantId::new();
        let p = Payload { cadence: Cadence::Weekly, due: date(2026, 6, 8).at(7, 0, 0, 0) };
        let facts = ready_facts(tenant, &settings, &p, Timestamp::UNIX_EPOCH);
        let ids: Vec<&str> = facts.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "report:weekly:overview:pdf:2026-06-01:report_ready",
                "report:weekly:no_shows:csv:2026-06-01:report_ready"
            ]
        );
        assert_eq!(facts[1].payload["to"], "2026-06-07");
    }
}
