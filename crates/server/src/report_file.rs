//! `frontdesk report KIND --tenant SLUG --from --to --out FILE`: the API's report, written
//! to a file with a progress bar. The file is written beside its final name and renamed
//! when complete, so a stopped export never leaves a file that looks whole.

use crate::cli::ReportArgs;
use anyhow::{Context, anyhow};
use frontdesk_domain::tenant::Tenant;
use frontdesk_engine::Ctx;
use frontdesk_engine::reports::{self, Format, ReportKind, ReportLocale, ReportPeriod, ReportRequest};
use std::sync::Arc;

pub async fn run(ctx: &Ctx, tenant: &Tenant, args: &ReportArgs, show_progress: bool) -> anyhow::Result<u64> {
    let req = request(tenant, args)?;
    let partial = args.out.with_extension(format!("{}.partial", req.format.as_str()));
    let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let bar =
        if show_progress { indicatif::ProgressBar::new_spinner() } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} rows written {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let fed = bar.clone();
    let written = reports::export(
        ctx,
        &req,
        Box::new(std::io::BufWriter::new(file)),
        Arc::new(move |n| fed.set_position(n)),
    )
    .await;
    bar.finish_and_clear();
    match written {
        Ok(n) => {
            std::fs::rename(&partial, &args.out)
                .with_context(|| format!("writing {}", args.out.display()))?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(anyhow!("the report was not written: {e}"))
        }
    }
}

fn request(tenant: &Tenant, args: &ReportArgs) -> anyhow::Result<ReportRequest> {
    let kind = ReportKind::parse(&args.kind).ok_or_else(|| {
        let known: Vec<&str> = ReportKind::ALL.iter().map(|k| k.as_str()).collect();
        anyhow!("no report {:?}; there are: {}", args.kind, known.join(", "))
    })?;
    let format_name = match &args.format {
        Some(f) => f.clone(),
        None => args.out.extension().and_then(|e| e.to_str()).unwrap_or("csv").to_ascii_lowercase(),
    };
    let format = Format::parse(&format_name)
        .ok_or_else(|| anyhow!("format {format_name:?} is not one of csv, xlsx, pdf"))?;
    let tz = match &args.tz {
        Some(name) => ReportPeriod::zone(name)?,
        None => tenant.timezone.time_zone(),
    };
    let period = ReportPeriod::parse(&args.from, &args.to, &tz)?;
    let locale = args.locale.as_deref().map(ReportLocale::parse);
    Ok(ReportRequest { tenant: tenant.id, kind, period, format, locale })
}
