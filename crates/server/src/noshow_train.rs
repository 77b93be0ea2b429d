//! `frontdesk noshow train --tenant SLUG`: trains the clinic's no-show model now, with a
//! progress bar, stores it and prints how it did on the held-out days.

use anyhow::anyhow;
use frontdesk_domain::noshow::NoShowModelInfo;
use frontdesk_domain::tenant::Tenant;
use frontdesk_engine::Ctx;
use frontdesk_engine::scheduling::{TrainingError, train_noshow_model};
use std::io::Write;

pub async fn run(
    ctx: &Ctx,
    tenant: &Tenant,
    out: &mut impl Write,
    show_progress: bool,
) -> anyhow::Result<NoShowModelInfo> {
    let bar = if show_progress { indicatif::ProgressBar::new(11) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} training [{bar:30}] {pos}/{len} steps {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let fed = bar.clone();
    let trained = train_noshow_model(ctx, tenant.id, move |done, of| {
        fed.set_length(of as u64);
        fed.set_position(done as u64);
    })
    .await;
    bar.finish_and_clear();
    let model = trained.map_err(|e| match e {
        TrainingError::NotEnoughHistory(why) => {
            anyhow!("no model trained for {}: {why}; the fallback scorer stays in use", tenant.slug)
        }
        other => anyhow!("no model trained for {}: {other}", tenant.slug),
    })?;
    let m = &model.metrics;
    writeln!(
        out,
        "trained on {} finished appointments ({} no-shows) of {}; chosen: {}",
        model.examples, model.no_shows, tenant.slug, model.kind
    )?;
    writeln!(out, "held out for testing: the most recent days, {} appointments", m.count)?;
    writeln!(out, "{:>8} {:>7} {:>7} {:>9}", "AUC", "PR-AUC", "Brier", "base rate")?;
    writeln!(out, "{:>8.4} {:>7.4} {:>7.4} {:>9.4}", m.auc, m.average_precision, m.brier, m.base_rate)?;
    writeln!(out, "trained at {} (model {})", model.trained_at, model.id)?;
    Ok(model)
}
