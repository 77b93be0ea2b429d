//! The no-show model trained on a clinic's own history: L2 logistic regression and
//! gradient-boosted trees, each calibrated (Platt), the better of them (or their blend)
//! chosen on a validation slice of the most recent days. Nothing here looks at data the
//! caller keeps for testing: every choice is made inside the examples given to [`train`].

use super::encode::Encoder;
use super::metrics::Metrics;
use super::odds::{logit, sigmoid};
use super::{AppointmentFeatures, Example, Risk, RiskReason, ScoresNoShow};
use forust_ml::Matrix;
use forust_ml::gradientbooster::{ContributionsMethod, GradientBooster};
use forust_ml::metric::Metric;
use forust_ml::objective::ObjectiveType;
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// Fewer examples than this, or fewer no-shows, and a clinic keeps the fallback scorer.
pub const MIN_EXAMPLES: usize = 200;
pub const MIN_NO_SHOWS: usize = 20;
/// The most recent share of distinct days held out to choose and calibrate.
const VALIDATION_SHARE: f64 = 0.2;
/// Reasons shown with a risk.
const TOP_REASONS: usize = 3;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error(
        "{examples} past appointments with {no_shows} no-shows: at least {MIN_EXAMPLES} and {MIN_NO_SHOWS} are needed"
    )]
    NotEnoughHistory { examples: usize, no_shows: usize },
    #[error("the history covers a single day: a model needs days to validate on")]
    SingleDay,
    #[error("fitting failed: {0}")]
    Fit(String),
}

/// Which of the calibrated scorers the model answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Logistic,
    Boosted,
    Blend,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Logistic, Choice::Boosted, Choice::Blend];

    pub fn name(self) -> &'static str {
        match self {
            Self::Logistic => "logistic",
            Self::Boosted => "boosted trees",
            Self::Blend => "blend",
        }
    }
}

/// The validation slice's figures for each scorer (calibrated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    pub logistic: Metrics,
    pub boosted: Metrics,
    pub blend: Metrics,
}

/// One probability per scorer for one appointment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub logistic: f64,
    pub boosted: f64,
    pub blend: f64,
}

impl Scores {
    pub fn get(&self, choice: Choice) -> f64 {
        match choice {
            Choice::Logistic => self.logistic,
            Choice::Boosted => self.boosted,
            Choice::Blend => self.blend,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct TrainedModel {
    encoder: Encoder,
    logistic: Logistic,
    boosted: GradientBooster,
    /// Platt scaling per scorer: `sigmoid(a * logit(p) + b)`.
    calibration: [(f64, f64); 3],
    chosen: Choice,
    validation: Validation,
    trained_on: usize,
    validated_on: usize,
}

impl std::fmt::Debug for TrainedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainedModel")
            .field("chosen", &self.chosen)
            .field("trained_on", &self.trained_on)
            .field("validation", &self.validation)
            .finish_non_exhaustive()
    }
}

impl TrainedModel {
    pub fn chosen(&self) -> Choice {
        self.chosen
    }
    pub fn validation(&self) -> &Validation {
        &self.validation
    }
    /// The chosen scorer's figures on the validation slice.
    pub fn metrics(&self) -> Metrics {
        match self.chosen {
            Choice::Logistic => self.validation.logistic,
            Choice::Boosted => self.validation.boosted,
            Choice::Blend => self.validation.blend,
        }
    }
    pub fn trained_on(&self) -> usize {
        self.trained_on
    }
    pub fn validated_on(&self) -> usize {
        self.validated_on
    }
    pub fn base_rate(&self) -> f64 {
        self.encoder.base_rate()
    }

    /// Every scorer's calibrated probability for many appointments at once.
    pub fn score_all(&self, features: &[AppointmentFeatures]) -> Vec<Scores> {
        let rows: Vec<Vec<f64>> = features.iter().map(|f| self.encoder.row(f)).collect();
        let logistic = self.logistic.probabilities(&rows);
        let boosted = boosted_probabilities(&self.boosted, &rows);
        combine(&logistic, &boosted, &self.calibration)
    }
}

impl ScoresNoShow for TrainedModel {
    fn score(&self, features: &AppointmentFeatures) -> Risk {
        let row = self.encoder.row(features);
        let scores = self.score_all(std::slice::from_ref(features))[0];
        // Reasons come from the logistic terms when it takes part (each is a plain
        // weight × value), else from the trees' per-feature contributions.
        let contributions = match self.chosen {
            Choice::Boosted => {
                let column_major = column_major(std::slice::from_ref(&row));
                let matrix = Matrix::new(&column_major, 1, row.len());
                let mut all =
                    self.boosted.predict_contributions(&matrix, ContributionsMethod::Average, false);
                all.truncate(row.len());
                all
            }
            _ => self.logistic.contributions(&row),
        };
        Risk {
            probability: scores.get(self.chosen),
            reasons: reasons(&self.encoder.columns(), &contributions),
        }
    }
}

/// Sums the contributions of the columns behind each reason and keeps the strongest that
/// raise the risk.
fn reasons(columns: &[(String, String)], contributions: &[f64]) -> Vec<RiskReason> {
    let mut by_reason: Vec<RiskReason> = Vec::new();
    for ((_, reason), weight) in columns.iter().zip(contributions) {
        match by_reason.iter_mut().find(|r| &r.code == reason) {
            Some(existing) => existing.weight += weight,
            None => by_reason.push(RiskReason { code: reason.clone(), weight: *weight }),
        }
    }
    by_reason.retain(|r| r.weight > 0.01);
    by_reason.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    by_reason.truncate(TOP_REASONS);
    by_reason
}

/// Trains on `examples` (a clinic's past appointments, any order). `progress(done, of)` is
/// told as the steps finish.
pub fn train(
    examples: &[Example],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<TrainedModel, TrainError> {
    const STEPS: usize = 5;
    let no_shows = examples.iter().filter(|e| e.no_show).count();
    if examples.len() < MIN_EXAMPLES || no_shows < MIN_NO_SHOWS {
        return Err(TrainError::NotEnoughHistory { examples: examples.len(), no_shows });
    }
    let mut days: Vec<jiff::civil::Date> = examples.iter().map(|e| e.day).collect();
    days.sort_unstable();
    days.dedup();
    if days.len() < 2 {
        return Err(TrainError::SingleDay);
    }
    let held_out_days = ((days.len() as f64 * VALIDATION_SHARE).round() as usize).clamp(1, days.len() - 1);
    let cut = days[days.len() - held_out_days];
    let (fit, validation): (Vec<&Example>, Vec<&Example>) = examples.iter().partition(|e| e.day < cut);
    let fit: Vec<Example> = fit.into_iter().cloned().collect();
    progress(1, STEPS);

    let encoder = Encoder::fit(&fit);
    let fit_rows: Vec<Vec<f64>> = fit.iter().map(|e| encoder.row(&e.features)).collect();
    let fit_labels: Vec<bool> = fit.iter().map(|e| e.no_show).collect();
    let validation_rows: Vec<Vec<f64>> = validation.iter().map(|e| encoder.row(&e.features)).collect();
    let validation_labels: Vec<bool> = validation.iter().map(|e| e.no_show).collect();

    let logistic = Logistic::fit(&fit_rows, &fit_labels, encoder.logged())?;
    progress(2, STEPS);
    let boosted =
        fit_boosted(&fit_rows, &fit_labels, Rounds::EarlyStop(&validation_rows, &validation_labels))?;
    progress(3, STEPS);

    let raw_logistic = logistic.probabilities(&validation_rows);
    let raw_boosted = boosted_probabilities(&boosted, &validation_rows);
    let raw_blend: Vec<f64> = raw_logistic.iter().zip(&raw_boosted).map(|(a, b)| (a + b) / 2.0).collect();
    let calibration = [
        platt(&raw_logistic, &validation_labels)?,
        platt(&raw_boosted, &validation_labels)?,
        platt(&raw_blend, &validation_labels)?,
    ];
    progress(4, STEPS);
    let scores = combine(&raw_logistic, &raw_boosted, &calibration);
    let metrics = |choice: Choice| {
        let p: Vec<f64> = scores.iter().map(|s| s.get(choice)).collect();
        Metrics::of(&p, &validation_labels)
    };
    let validation_report = Validation {
        logistic: metrics(Choice::Logistic),
        boosted: metrics(Choice::Boosted),
        blend: metrics(Choice::Blend),
    };
    let chosen = Choice::ALL
        .into_iter()
        .max_by(|a, b| metrics(*a).auc.total_cmp(&metrics(*b).auc))
        .unwrap_or(Choice::Logistic);

    // Every choice is made; refit on all the examples so that the most recent days, which
    // resemble the days to predict most, are learnt from too. The trees keep the number
    // of rounds the validation slice chose, and the calibration stays as fitted there.
    let encoder = Encoder::fit(examples);
    let rows: Vec<Vec<f64>> = examples.iter().map(|e| encoder.row(&e.features)).collect();
    let labels: Vec<bool> = examples.iter().map(|e| e.no_show).collect();
    let logistic = Logistic::fit(&rows, &labels, encoder.logged())?;
    let rounds = boosted.best_iteration.map_or(boosted.trees.len(), |best| best + 1);
    let boosted = fit_boosted(&rows, &labels, Rounds::Fixed(rounds))?;
    progress(5, STEPS);
    Ok(TrainedModel {
        encoder,
        logistic,
        boosted,
        calibration,
        chosen,
        validation: validation_report,
        trained_on: examples.len(),
        validated_on: validation.len(),
    })
}

fn combine(logistic: &[f64], boosted: &[f64], calibration: &[(f64, f64); 3]) -> Vec<Scores> {
    logistic
        .iter()
        .zip(boosted)
        .map(|(l, b)| Scores {
            logistic: apply_platt(calibration[0], *l),
            boosted: apply_platt(calibration[1], *b),
            blend: apply_platt(calibration[2], (l + b) / 2.0),
        })
        .collect()
}

/// L2-regularised logistic regression (linfa-logistic, L-BFGS) on standardised columns;
/// unknown values take the training mean, counts and days are log-scaled.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Logistic {
    logged: Vec<bool>,
    means: Vec<f64>,
    scales: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
}

impl Logistic {
    fn fit(rows: &[Vec<f64>], labels: &[bool], logged: Vec<bool>) -> Result<Self, TrainError> {
        let width = rows.first().map_or(0, Vec::len);
        let shaped: Vec<Vec<f64>> = rows.iter().map(|r| shape(r, &logged)).collect();
        let mut means = vec![0.0; width];
        let mut scales = vec![1.0; width];
        for column in 0..width {
            let known: Vec<f64> = shaped.iter().map(|r| r[column]).filter(|v| v.is_finite()).collect();
            if known.is_empty() {
                continue;
            }
            let mean = known.iter().sum::<f64>() / known.len() as f64;
            let var = known.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / known.len() as f64;
            means[column] = mean;
            scales[column] = if var > 1e-12 { var.sqrt() } else { 1.0 };
        }
        let mut model = Self { logged, means, scales, weights: vec![0.0; width], intercept: 0.0 };
        let x = model.matrix(rows);
        let y = Array1::from_iter(labels.iter().copied());
        let fitted = LogisticRegression::default()
            .alpha(1.0)
            .max_iterations(200)
            .fit(&Dataset::new(x, y))
            .map_err(|e| TrainError::Fit(format!("logistic regression: {e}")))?;
        let (weights, intercept) = toward_no_show(&fitted);
        model.weights = weights;
        model.intercept = intercept;
        Ok(model)
    }

    fn standardised(&self, row: &[f64]) -> Vec<f64> {
        shape(row, &self.logged)
            .iter()
            .enumerate()
            .map(|(c, v)| if v.is_finite() { (v - self.means[c]) / self.scales[c] } else { 0.0 })
            .collect()
    }

    fn matrix(&self, rows: &[Vec<f64>]) -> Array2<f64> {
        let width = self.means.len();
        let flat: Vec<f64> = rows.iter().flat_map(|r| self.standardised(r)).collect();
        Array2::from_shape_vec((rows.len(), width), flat).unwrap_or_else(|_| Array2::zeros((0, width)))
    }

    fn probabilities(&self, rows: &[Vec<f64>]) -> Vec<f64> {
        rows.iter().map(|r| sigmoid(self.intercept + self.contributions(r).iter().sum::<f64>())).collect()
    }

    /// Each column's term of the log-odds (weight × standardised value).
    fn contributions(&self, row: &[f64]) -> Vec<f64> {
        self.standardised(row).iter().zip(&self.weights).map(|(x, w)| x * w).collect()
    }
}

/// The logistic model reads counts and day spans on a log scale; the trees split on raw
/// values.
fn shape(row: &[f64], logged: &[bool]) -> Vec<f64> {
    row.iter().zip(logged).map(|(v, log)| if *log && *v >= 0.0 { v.ln_1p() } else { *v }).collect()
}

/// How many boosting rounds: stop when the validation slice stops improving, or a number
/// chosen that way before.
enum Rounds<'a> {
    EarlyStop(&'a [Vec<f64>], &'a [bool]),
    Fixed(usize),
}

fn fit_boosted(
    rows: &[Vec<f64>],
    labels: &[bool],
    rounds: Rounds<'_>,
) -> Result<GradientBooster, TrainError> {
    let to_f64 = |labels: &[bool]| labels.iter().map(|l| f64::from(u8::from(*l))).collect::<Vec<f64>>();
    let width = rows.first().map_or(0, Vec::len);
    let data = column_major(rows);
    let matrix = Matrix::new(&data, rows.len(), width);
    let y = to_f64(labels);
    let weights = vec![1.0; rows.len()];
    let booster = GradientBooster::default()
        .set_objective_type(ObjectiveType::LogLoss)
        .set_learning_rate(0.05)
        .set_max_depth(3)
        .set_min_leaf_weight(10.0)
        .set_l2(1.0)
        .set_seed(7)
        .set_initialize_base_score(true);
    let result = match rounds {
        Rounds::EarlyStop(validation_rows, validation_labels) => {
            let validation_data = column_major(validation_rows);
            let validation_y = to_f64(validation_labels);
            let validation_weights = vec![1.0; validation_rows.len()];
            let mut booster = booster
                .set_iterations(1000)
                .set_evaluation_metric(Some(Metric::LogLoss))
                .set_early_stopping_rounds(Some(50));
            let evaluation = Matrix::new(&validation_data, validation_rows.len(), width);
            booster
                .fit(&matrix, &y, &weights, Some(vec![(evaluation, &validation_y, &validation_weights)]))
                .map(|()| booster)
        }
        Rounds::Fixed(rounds) => {
            let mut booster = booster.set_iterations(rounds.max(1));
            booster.fit(&matrix, &y, &weights, None).map(|()| booster)
        }
    };
    result.map_err(|e| TrainError::Fit(format!("boosted trees: {e}")))
}

fn boosted_probabilities(booster: &GradientBooster, rows: &[Vec<f64>]) -> Vec<f64> {
    let width = rows.first().map_or(0, Vec::len);
    let data = column_major(rows);
    booster
        .predict(&Matrix::new(&data, rows.len(), width), rows.len() > 1000)
        .into_iter()
        .map(sigmoid)
        .collect()
}

fn column_major(rows: &[Vec<f64>]) -> Vec<f64> {
    let width = rows.first().map_or(0, Vec::len);
    (0..width).flat_map(|c| rows.iter().map(move |r| r[c])).collect()
}

/// Platt scaling: a one-feature logistic regression from the raw log-odds to the outcome,
/// fitted on the validation slice.
fn platt(raw: &[f64], labels: &[bool]) -> Result<(f64, f64), TrainError> {
    if labels.iter().all(|l| *l) || labels.iter().all(|l| !*l) {
        return Ok((1.0, 0.0));
    }
    let x = Array2::from_shape_vec((raw.len(), 1), raw.iter().map(|p| logit(*p)).collect())
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    let fitted = LogisticRegression::default()
        .alpha(1e-6)
        .max_iterations(200)
        .fit(&Dataset::new(x, Array1::from_iter(labels.iter().copied())))
        .map_err(|e| TrainError::Fit(format!("calibration: {e}")))?;
    let (weights, intercept) = toward_no_show(&fitted);
    Ok((weights[0], intercept))
}

/// linfa models the more frequent of the two labels (usually `false`, a show); the
/// weights of the no-show side are the same with their signs flipped.
fn toward_no_show(fitted: &linfa_logistic::FittedLogisticRegression<f64, bool>) -> (Vec<f64>, f64) {
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    (fitted.params().iter().map(|w| w * sign).collect(), fitted.intercept() * sign)
}

fn apply_platt((a, b): (f64, f64), p: f64) -> f64 {
    sigmoid(a * logit(p) + b)
}

#[cfg(test)]
mod refit_experiment {
    //! How many rounds the refit on all days should run, chosen without the test split:
    //! inside the training days, the last fifth (V) plays the days to predict, and the
    //! protocol of `train` is repeated on the rest (F). Run with NOSHOW_CSV set:
    //! `cargo test --release -p frontdesk-domain --lib refit_rounds -- --ignored --nocapture`
    use super::*;

    fn split(examples: &[Example]) -> (Vec<Example>, Vec<Example>) {
        let mut days: Vec<jiff::civil::Date> = examples.iter().map(|e| e.day).collect();
        days.sort_unstable();
        days.dedup();
        let held = ((days.len() as f64 * VALIDATION_SHARE).round() as usize).clamp(1, days.len() - 1);
        let cut = days[days.len() - held];
        examples.iter().cloned().partition(|e| e.day < cut)
    }

    #[test]
    #[ignore = "needs the Vitória CSV in NOSHOW_CSV"]
    fn refit_rounds() {
        let path = std::env::var("NOSHOW_CSV").unwrap();
        let (examples, _) = crate::noshow::vitoria::read(std::fs::File::open(path).unwrap()).unwrap();
        let cutoff: jiff::civil::Date = "2016-05-25".parse().unwrap();
        let d: Vec<Example> = examples.into_iter().filter(|e| e.day < cutoff).collect();
        let (f, v) = split(&d);
        let (f1, f2) = split(&f);
        let auc = |model: &GradientBooster, enc: &Encoder| {
            let rows: Vec<Vec<f64>> = v.iter().map(|e| enc.row(&e.features)).collect();
            let labels: Vec<bool> = v.iter().map(|e| e.no_show).collect();
            Metrics::of(&boosted_probabilities(model, &rows), &labels).auc
        };
        let enc1 = Encoder::fit(&f1);
        let rows =
            |ex: &[Example], enc: &Encoder| ex.iter().map(|e| enc.row(&e.features)).collect::<Vec<_>>();
        let labels = |ex: &[Example]| ex.iter().map(|e| e.no_show).collect::<Vec<_>>();
        let (r2, l2) = (rows(&f2, &enc1), labels(&f2));
        let early = fit_boosted(&rows(&f1, &enc1), &labels(&f1), Rounds::EarlyStop(&r2, &l2)).unwrap();
        let r1 = early.best_iteration.map_or(early.trees.len(), |b| b + 1);
        println!("F1 {} F2 {} V {}; early stopping chose {r1} rounds", f1.len(), f2.len(), v.len());
        println!("no refit (F1 only): V AUC {:.4}", auc(&early, &enc1));
        let enc = Encoder::fit(&f);
        let fr = rows(&f, &enc);
        let fl = labels(&f);
        for k in [0.75, 1.0, 1.25, 1.5, 2.0] {
            let n = (r1 as f64 * k).round() as usize;
            let model = fit_boosted(&fr, &fl, Rounds::Fixed(n)).unwrap();
            println!("refit on F, {n} rounds (x{k}): V AUC {:.4}", auc(&model, &enc));
        }
    }
}
