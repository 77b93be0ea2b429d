//! `frontdesk noshow eval`: trains the no-show model on the appointments before a cut-off
//! day and reports how it ranks and how well it is calibrated on the days after.

use anyhow::{Context, bail};
use frontdesk_domain::noshow::metrics::{Metrics, calibration_table};
use frontdesk_domain::noshow::{Choice, vitoria};
use jiff::civil::Date;
use std::io::{Read, Write};
use std::path::Path;

/// Opens `--csv` (`-` is standard input).
pub fn open(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
        bail!(
            "{} is a zip archive: unzip it first, e.g. `unzip -p {} | frontdesk noshow eval --csv - --split temporal`",
            path.display(),
            path.display()
        );
    }
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Box::new(std::io::BufReader::new(file)))
}

/// Reads the data, trains before `cutoff`, tests from `cutoff` on, and writes the report.
pub fn run(
    input: impl Read,
    cutoff: Date,
    out: &mut impl Write,
    show_progress: bool,
) -> anyhow::Result<Metrics> {
    let (examples, cleaning) = vitoria::read(input)?;
    writeln!(
        out,
        "rows {}: kept {}, dropped {} (patient id not a whole number {}, day before booking {}, negative age {}, unreadable {})",
        cleaning.rows,
        cleaning.kept,
        cleaning.rows - cleaning.kept,
        cleaning.patient_id_not_whole,
        cleaning.day_before_booking,
        cleaning.negative_age,
        cleaning.unreadable
    )?;
    let (train, test): (Vec<_>, Vec<_>) = examples.into_iter().partition(|e| e.day < cutoff);
    if test.is_empty() {
        bail!("no appointment on or after {cutoff}: choose an earlier --cutoff");
    }
    writeln!(out, "temporal split at {cutoff}: train {} appointments, test {}", train.len(), test.len())?;
    let bar = if show_progress { indicatif::ProgressBar::new(5) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} training [{bar:30}] {pos}/{len} steps {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let model = frontdesk_domain::noshow::train(&train, &mut |done, of| {
        bar.set_length(of as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    writeln!(
        out,
        "fitted on {}, validated on {} (the most recent days before the cut-off); chosen: {}",
        model.trained_on(),
        model.validated_on(),
        model.chosen().name()
    )?;

    let v = model.validation();
    writeln!(
        out,
        "validation AUC (what the choice was made on): logistic {:.4}, boosted trees {:.4}, blend {:.4}",
        v.logistic.auc, v.boosted.auc, v.blend.auc
    )?;
    let features: Vec<_> = test.iter().map(|e| e.features.clone()).collect();
    let labels: Vec<bool> = test.iter().map(|e| e.no_show).collect();
    let scores = model.score_all(&features);
    writeln!(out, "\n{:<16} {:>7} {:>7} {:>7} {:>9}", "test split", "AUC", "PR-AUC", "Brier", "base rate")?;
    let mut chosen = None;
    for choice in Choice::ALL {
        let p: Vec<f64> = scores.iter().map(|s| s.get(choice)).collect();
        let m = Metrics::of(&p, &labels);
        let mark = if choice == model.chosen() { " <- chosen" } else { "" };
        writeln!(
            out,
            "{:<16} {:>7.4} {:>7.4} {:>7.4} {:>9.4}{mark}",
            choice.name(),
            m.auc,
            m.average_precision,
            m.brier,
            m.base_rate
        )?;
        if choice == model.chosen() {
            chosen = Some((m, p));
        }
    }
    let (metrics, p) = chosen.context("the chosen scorer was not scored")?;
    writeln!(out, "\ncalibration of the chosen scorer (deciles of predicted risk)")?;
    writeln!(out, "{:>6} {:>10} {:>9}", "count", "predicted", "observed")?;
    for bin in calibration_table(&p, &labels, 10) {
        writeln!(out, "{:>6} {:>10.3} {:>9.3}", bin.count, bin.predicted, bin.observed)?;
    }
    Ok(metrics)
}
