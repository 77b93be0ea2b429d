//! The labelled corpus (`data/nlu/{train,dev,test}.tsv`): its shape, and how well [`understand`]
//! does on each split. The test split is never used for tuning: rules and model are adjusted on
//! dev only, so its figure estimates how the understanding does on messages it has not seen.
//!
//! `cargo test -p frontdesk-domain --test nlu_corpus -- --nocapture` prints the tables.
//!
//! [`understand`]: frontdesk_domain::nlu::understand

use frontdesk_domain::nlu::{Evaluation, Intent, evaluate, normalize, parse_labelled};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn load(name: &str) -> Vec<(String, Intent)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/nlu").join(name);
    let content = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_labelled(&content).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn report(title: &str, evaluation: &Evaluation, show_errors: bool) {
    println!("== {title} ==\n{evaluation}");
    if show_errors && !evaluation.errors.is_empty() {
        println!("misclassified:");
        for e in &evaluation.errors {
            println!("  {:<16} -> {:<16} {}", e.expected.as_str(), e.predicted.as_str(), e.text);
        }
    }
    println!();
}

/// Sizes the issue asks for, and no message in two splits (after normalisation, so "Oi!" in
/// train and "oi" in test count as the same message: a model would have seen it).
#[test]
fn splits_are_large_balanced_and_disjoint() {
    let splits = ["train.tsv", "dev.tsv", "test.tsv"].map(|name| (name, load(name)));
    let total: usize = splits.iter().map(|(_, lines)| lines.len()).sum();
    assert!(total >= 1500, "{total} labelled messages");
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    let mut per_intent: BTreeMap<Intent, usize> = BTreeMap::new();
    let mut repeated = Vec::new();
    for (name, lines) in &splits {
        for (text, intent) in lines {
            *per_intent.entry(*intent).or_default() += 1;
            let key = normalize(text);
            if let Some(other) = owner.insert(key.clone(), name) {
                repeated.push(format!("{text}\t{other}\t{name}"));
            }
        }
    }
    assert!(repeated.is_empty(), "messages seen twice (text, first, second):\n{}", repeated.join("\n"));
    for intent in Intent::ALL {
        let n = per_intent.get(&intent).copied().unwrap_or(0);
        assert!(n >= 60, "{intent}: only {n} examples in all splits");
    }
    let test = &splits[2].1;
    // The test split stays as written (its messages were never read for tuning); training
    // data grows around it, so its size is held in messages, not as a share of the corpus.
    assert!(test.len() >= 280, "the test split has {} messages", test.len());
    for intent in Intent::ALL {
        let n = test.iter().filter(|(_, i)| *i == intent).count();
        assert!(n >= 20, "{intent}: only {n} examples in the test split");
    }
}

#[test]
fn train_accuracy() {
    let evaluation = evaluate(load("train.tsv").into_iter());
    report("train", &evaluation, false);
    assert!(evaluation.accuracy >= 0.90, "train accuracy {:.3}", evaluation.accuracy);
}

#[test]
fn dev_accuracy() {
    let evaluation = evaluate(load("dev.tsv").into_iter());
    report("dev (tuned on, and trained on)", &evaluation, true);
    assert!(evaluation.accuracy >= 0.80, "dev accuracy {:.3}", evaluation.accuracy);
}

/// The committed model is what training on `train.tsv` and `dev.tsv` gives, byte for byte: it
/// cannot drift from the corpus. `FRONTDESK_NLU_WRITE_MODEL=1` rewrites it (as `frontdesk nlu
/// train` does).
#[test]
fn committed_model_is_a_retrain_of_train_and_dev() {
    let mut lines = load("train.tsv");
    lines.extend(load("dev.tsv"));
    let trained = frontdesk_domain::nlu::model::train(&lines);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/nlu/model.tsv");
    if std::env::var_os("FRONTDESK_NLU_WRITE_MODEL").is_some() {
        std::fs::write(&path, &trained).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(trained == committed, "data/nlu/model.tsv is stale: run `frontdesk nlu train`");
    assert!(committed.len() < 2_000_000, "the model is {} bytes", committed.len());
}

/// The issue's bar on the test split, which no rule or model setting was tuned on: 97 %
/// overall, 90 % recall for every intent. Half met at the last measure: every recall is
/// 0.90 or more, accuracy is 0.962. Run with `--ignored` to see where it stands.
#[test]
#[ignore = "the issue's bar is not met yet; see docs/nlu.md"]
fn test_split_meets_the_issue_bar() {
    let evaluation = evaluate(load("test.tsv").into_iter());
    report("test (never tuned on)", &evaluation, false);
    assert!(evaluation.accuracy >= 0.97, "test accuracy {:.3}", evaluation.accuracy);
    for s in &evaluation.per_intent {
        assert!(s.recall >= 0.90, "{}: recall {:.3} on the test split", s.intent, s.recall);
    }
}

/// What the test split shows today, as a floor: a change that loses ground on messages it
/// was not tuned on fails here. The errors are not printed on purpose (tune on dev).
#[test]
fn test_split_does_not_regress() {
    let evaluation = evaluate(load("test.tsv").into_iter());
    report("test (never tuned on)", &evaluation, false);
    assert!(evaluation.accuracy >= 0.95, "test accuracy {:.3}", evaluation.accuracy);
    for s in &evaluation.per_intent {
        assert!(s.recall >= 0.85, "{}: recall {:.3} on the test split", s.intent, s.recall);
    }
}

/// The model is quick enough to run on every message: under 50 µs on average in release
/// builds (debug builds are slower, hence the generous bound here).
#[test]
fn the_model_is_fast() {
    let lines = load("dev.tsv");
    let model = frontdesk_domain::nlu::intent_model();
    // The first call parses the committed file; that happens once per process.
    std::hint::black_box(model.predict("oi", None));
    let start = std::time::Instant::now();
    for (text, _) in &lines {
        std::hint::black_box(model.predict(text, None));
    }
    let per_message = start.elapsed() / u32::try_from(lines.len()).unwrap();
    println!("model: {per_message:?} per message");
    assert!(per_message < std::time::Duration::from_millis(2), "{per_message:?} per message");
}
