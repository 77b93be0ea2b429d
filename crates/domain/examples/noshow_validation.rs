//! Trains the no-show model on the Vitória appointments before 2016-05-25 and prints the
//! validation AUC only (the most recent 20% of the training days). For choosing features
//! and settings without looking at the test split:
//! `NOSHOW_CSV=/path/to/KaggleV2-May-2016.csv cargo run --release -p frontdesk-domain --example noshow_validation`

use frontdesk_domain::noshow::{train, vitoria};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::var("NOSHOW_CSV").map_err(|_| "set NOSHOW_CSV to the unzipped CSV")?;
    let (examples, _) = vitoria::read(std::fs::File::open(path)?)?;
    let cutoff: jiff::civil::Date = "2016-05-25".parse()?;
    // The test split (on and after the cut-off) is dropped here, never scored.
    let training: Vec<_> = examples.into_iter().filter(|e| e.day < cutoff).collect();
    let model = train(&training, &mut |_, _| {})?;
    let v = model.validation();
    println!(
        "validation AUC: logistic {:.4}, boosted {:.4}, blend {:.4} (chosen {})",
        v.logistic.auc,
        v.boosted.auc,
        v.blend.auc,
        model.chosen().name()
    );
    Ok(())
}
