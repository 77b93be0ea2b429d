//! The no-show model on synthetic appointments whose true risk is known: it must rank
//! nearly as well as the truth, be calibrated, and name the features that drive the risk.

use frontdesk_domain::noshow::metrics::{Metrics, calibration_table};
use frontdesk_domain::noshow::{
    AppointmentFeatures, Example, PatientHistory, ScoresNoShow, TrainError, TrainedModel, train,
};
use jiff::civil::{Date, date};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The truth: risk rises with lead time and prior no-shows, falls with prior shows and a
/// confirmed reminder; the service and weekday carry no signal.
fn true_risk(f: &AppointmentFeatures) -> f64 {
    let confirmed = f.reminder == frontdesk_domain::noshow::ReminderState::Confirmed;
    let logit = -2.2 + 0.05 * f64::from(f.lead_time_days) + 1.1 * f64::from(f.history.prior_no_shows)
        - 0.25 * f64::from(f.history.prior_shows)
        - if confirmed { 0.8 } else { 0.0 };
    1.0 / (1.0 + (-logit).exp())
}

fn clinic(seed: u64, count: usize) -> Vec<(Example, f64)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = date(2026, 1, 5);
    (0..count)
        .map(|i| {
            let features = AppointmentFeatures {
                lead_time_days: rng.random_range(0..40),
                weekday: rng.random_range(0..5),
                hour: Some(rng.random_range(8..18)),
                service: Some(["cardio", "derma", "clinico"][rng.random_range(0..3)].to_owned()),
                age_years: Some(rng.random_range(1..90)),
                history: PatientHistory {
                    prior_shows: rng.random_range(0..5),
                    prior_no_shows: if rng.random_bool(0.3) { rng.random_range(1..4) } else { 0 },
                    ..Default::default()
                },
                reminder: if rng.random_bool(0.5) {
                    frontdesk_domain::noshow::ReminderState::Confirmed
                } else {
                    frontdesk_domain::noshow::ReminderState::Sent
                },
                ..Default::default()
            };
            let risk = true_risk(&features);
            let day: Date = start.checked_add(jiff::Span::new().days((i * 60 / count) as i64)).unwrap();
            (Example { features, day, no_show: rng.random_bool(risk) }, risk)
        })
        .collect()
}

fn trained() -> (TrainedModel, Vec<(Example, f64)>) {
    let data = clinic(17, 10_000);
    let (past, future): (Vec<_>, Vec<_>) = data.into_iter().partition(|(e, _)| e.day < date(2026, 2, 23));
    let past: Vec<Example> = past.into_iter().map(|(e, _)| e).collect();
    let mut steps = Vec::new();
    let model = train(&past, &mut |done, of| steps.push((done, of))).unwrap();
    assert_eq!(steps.last(), Some(&(5, 5)), "progress reaches the end: {steps:?}");
    (model, future)
}

#[test]
fn ranks_almost_as_well_as_the_truth_and_is_calibrated() {
    let (model, future) = trained();
    let labels: Vec<bool> = future.iter().map(|(e, _)| e.no_show).collect();
    let truth: Vec<f64> = future.iter().map(|(_, r)| *r).collect();
    let predicted: Vec<f64> = future.iter().map(|(e, _)| model.score(&e.features).probability).collect();
    let oracle = Metrics::of(&truth, &labels);
    let ours = Metrics::of(&predicted, &labels);
    assert!(oracle.auc > 0.75, "the synthetic signal is strong: {oracle:?}");
    assert!(ours.auc > oracle.auc - 0.03, "model {ours:?} vs oracle {oracle:?}");
    assert!(ours.brier < oracle.brier + 0.01, "model {ours:?} vs oracle {oracle:?}");
    // Calibrated: across fifths of predicted risk the mean prediction is about as close to
    // what happened as the truth's own (which misses only by sampling noise).
    let error = |p: &[f64]| {
        let table = calibration_table(p, &labels, 5);
        table.iter().map(|b| (b.predicted - b.observed).abs() * b.count as f64).sum::<f64>()
            / labels.len() as f64
    };
    let (ours_error, oracle_error) = (error(&predicted), error(&truth));
    assert!(
        ours_error < oracle_error + 0.03,
        "calibration error {ours_error:.3} vs the truth's {oracle_error:.3}"
    );
    for bin in calibration_table(&predicted, &labels, 5) {
        assert!((bin.predicted - bin.observed).abs() < 0.1, "{bin:?}");
    }
}

#[test]
fn reasons_name_what_drives_the_risk() {
    let (model, _) = trained();
    let habitual = AppointmentFeatures {
        lead_time_days: 2,
        history: PatientHistory { prior_no_shows: 3, ..Default::default() },
        ..Default::default()
    };
    let risk = model.score(&habitual);
    assert_eq!(risk.reasons.first().map(|r| r.code.as_str()), Some("prior_no_shows"), "{risk:?}");
    let booked_far_ahead = AppointmentFeatures {
        lead_time_days: 39,
        history: PatientHistory { prior_shows: 2, ..Default::default() },
        ..Default::default()
    };
    let far = model.score(&booked_far_ahead);
    assert!(far.reasons.iter().any(|r| r.code == "long_lead_time"), "{far:?}");
    let reliable = AppointmentFeatures {
        lead_time_days: 1,
        history: PatientHistory { prior_shows: 4, ..Default::default() },
        reminder: frontdesk_domain::noshow::ReminderState::Confirmed,
        ..Default::default()
    };
    assert!(model.score(&reliable).probability < risk.probability / 2.0);
}

#[test]
fn a_stored_model_scores_the_same_after_a_round_trip() {
    let (model, future) = trained();
    let json = serde_json::to_string(&model).unwrap();
    let back: TrainedModel = serde_json::from_str(&json).unwrap();
    for (example, _) in future.iter().take(50) {
        assert_eq!(model.score(&example.features), back.score(&example.features));
    }
    assert_eq!(back.chosen(), model.chosen());
}

#[test]
fn too_little_history_is_refused_with_the_counts() {
    let data: Vec<Example> = clinic(3, 150).into_iter().map(|(e, _)| e).collect();
    let err = train(&data, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, TrainError::NotEnoughHistory { examples: 150, .. }), "{err}");
    let one_day: Vec<Example> = clinic(4, 400)
        .into_iter()
        .map(|(mut e, _)| {
            e.day = date(2026, 3, 2);
            e
        })
        .collect();
    assert_eq!(train(&one_day, &mut |_, _| {}).unwrap_err(), TrainError::SingleDay);
}

#[test]
fn train_and_test_measures_on_the_most_recent_days_then_keeps_a_model_of_all() {
    use frontdesk_domain::noshow::{TestedTrainError, train_and_test};
    let data: Vec<Example> = clinic(23, 3_000).into_iter().map(|(e, _)| e).collect();
    let mut steps = Vec::new();
    let tested = train_and_test(&data, &mut |done, of| steps.push((done, of))).unwrap();
    assert_eq!(steps.first(), Some(&(1, 11)));
    assert_eq!(steps.last(), Some(&(11, 11)), "{steps:?}");
    assert!(steps.windows(2).all(|w| w[0].0 < w[1].0), "progress only moves forward: {steps:?}");
    // 60 days from 2026-01-05, the most recent 12 (from 2026-02-22) held out: 600 of 3,000.
    let held_out = data.iter().filter(|e| e.day >= date(2026, 2, 22)).count();
    assert_eq!(held_out, 600);
    assert_eq!(tested.test.count, held_out);
    assert_eq!(tested.examples, data.len());
    assert_eq!(tested.model.trained_on(), data.len(), "the model kept is fitted on every day");
    assert!(tested.test.auc > 0.7, "{:?}", tested.test);

    // Three days of 50: the earlier two hold 100, fewer than 200: refused, with the counts.
    let few: Vec<Example> = data.iter().take(150).cloned().collect();
    match train_and_test(&few, &mut |_, _| {}) {
        Err(TestedTrainError::NotEnoughHistory { examples: 150, before: 100, .. }) => {}
        other => panic!("{other:?}"),
    }
    let one_day: Vec<Example> = data.iter().map(|e| Example { day: date(2026, 3, 2), ..e.clone() }).collect();
    let refused = train_and_test(&one_day, &mut |_, _| {}).unwrap_err();
    assert!(refused.to_string().contains("two days or more"), "{refused}");
}
