//! The intent rules against the labelled corpus (`data/nlu/corpus.tsv`) and against held-out
//! messages written after the rules were frozen (`data/nlu/holdout.tsv`).
//!
//! `cargo test -p frontdesk-domain --test nlu_corpus -- --nocapture` prints the tables.

use frontdesk_domain::nlu::{Evaluation, Intent, evaluate, parse_labelled};
use std::path::PathBuf;

fn load(name: &str) -> Vec<(String, Intent)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/nlu").join(name);
    let content = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_labelled(&content).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn report(title: &str, evaluation: &Evaluation) {
    println!("== {title} ==\n{evaluation}");
    if !evaluation.errors.is_empty() {
        println!("misclassified:");
        for e in &evaluation.errors {
            println!("  {:<16} -> {:<16} {}", e.expected.as_str(), e.predicted.as_str(), e.text);
        }
    }
    println!();
}

#[test]
fn corpus_accuracy() {
    let lines = load("corpus.tsv");
    assert!(lines.len() >= 320, "corpus has {} lines", lines.len());
    for intent in Intent::ALL {
        let n = lines.iter().filter(|(_, i)| *i == intent).count();
        assert!(n >= 15, "{intent}: only {n} examples");
    }
    let evaluation = evaluate(lines.into_iter());
    report("corpus", &evaluation);
    assert!(evaluation.accuracy >= 0.90, "accuracy {:.3}", evaluation.accuracy);
    for s in &evaluation.per_intent {
        assert!(s.recall >= 0.75, "{}: recall {:.3}", s.intent, s.recall);
    }
}

#[test]
fn holdout_accuracy() {
    let lines = load("holdout.tsv");
    assert!(lines.len() >= 40, "holdout has {} lines", lines.len());
    let evaluation = evaluate(lines.into_iter());
    report("holdout (written after the rules were frozen)", &evaluation);
    assert!(evaluation.accuracy >= 0.80, "holdout accuracy {:.3}", evaluation.accuracy);
}
