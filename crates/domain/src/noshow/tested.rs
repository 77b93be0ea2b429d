//! Training a clinic's model the way the product stores it: first fitted on all but the
//! most recent days and measured on those (figures no choice inside the training saw),
//! then fitted again on every day, which is the model kept.

use super::metrics::Metrics;
use super::model::{MIN_EXAMPLES, MIN_NO_SHOWS, TrainError, TrainedModel, train};
use super::{AppointmentFeatures, Example};

/// The most recent share of distinct days a stored model's figures are measured on.
pub const TEST_SHARE: f64 = 0.2;
/// Progress steps: five for each of the two trainings, one for the measuring between.
const STEPS: usize = 11;

/// A model trained on every example, and how the same training did on the most recent
/// days when it had not seen them.
#[derive(Debug)]
pub struct Tested {
    pub model: TrainedModel,
    /// The held-out days' figures of the scorer the first training chose.
    pub test: Metrics,
    pub examples: usize,
    pub no_shows: usize,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TestedTrainError {
    #[error(
        "not enough history: {examples} finished appointments with {no_shows} no-shows, of which {before} with {before_no_shows} no-shows before the most recent days (held out for testing); training needs at least {MIN_EXAMPLES} with {MIN_NO_SHOWS} no-shows there, on two days or more"
    )]
    NotEnoughHistory { examples: usize, no_shows: usize, before: usize, before_no_shows: usize },
    #[error("fitting failed: {0}")]
    Fit(String),
}

/// Holds out the most recent [`TEST_SHARE`] of days, trains on the rest and measures on
/// them, then trains on everything. `progress(done, of)` is told as steps finish.
pub fn train_and_test(
    examples: &[Example],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Tested, TestedTrainError> {
    let no_shows = examples.iter().filter(|e| e.no_show).count();
    let mut days: Vec<jiff::civil::Date> = examples.iter().map(|e| e.day).collect();
    days.sort_unstable();
    days.dedup();
    let held_out_days = ((days.len() as f64 * TEST_SHARE).round() as usize).max(1);
    let (before, test): (Vec<&Example>, Vec<&Example>) = match days.len().checked_sub(held_out_days) {
        Some(first) if first > 0 => examples.iter().partition(|e| e.day < days[first]),
        _ => (Vec::new(), examples.iter().collect()),
    };
    let before: Vec<Example> = before.into_iter().cloned().collect();
    let refused = || TestedTrainError::NotEnoughHistory {
        examples: examples.len(),
        no_shows,
        before: before.len(),
        before_no_shows: before.iter().filter(|e| e.no_show).count(),
    };
    let first = train(&before, &mut |done, _| progress(done, STEPS)).map_err(|e| match e {
        TrainError::NotEnoughHistory { .. } | TrainError::SingleDay => refused(),
        TrainError::Fit(why) => TestedTrainError::Fit(why),
    })?;
    let features: Vec<AppointmentFeatures> = test.iter().map(|e| e.features.clone()).collect();
    let labels: Vec<bool> = test.iter().map(|e| e.no_show).collect();
    let scores: Vec<f64> = first.score_all(&features).iter().map(|s| s.get(first.chosen())).collect();
    let measured = Metrics::of(&scores, &labels);
    progress(6, STEPS);
    let model = train(examples, &mut |done, _| progress(6 + done, STEPS)).map_err(|e| match e {
        TrainError::NotEnoughHistory { .. } | TrainError::SingleDay => refused(),
        TrainError::Fit(why) => TestedTrainError::Fit(why),
    })?;
    Ok(Tested { model, test: measured, examples: examples.len(), no_shows })
}
