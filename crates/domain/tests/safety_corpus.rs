//! The red-flag detector against the emergency set (`data/safety/emergencies.tsv`: recall must
//! be 100%) and against every message that is no emergency (`data/safety/near_misses.tsv` and
//! every `data/nlu/*.tsv`: false alarms under 1%).
//!
//! `cargo test -p frontdesk-domain --test safety_corpus -- --nocapture` prints the table.

use frontdesk_domain::safety::{RedFlagKind, evaluate, parse_emergencies, texts_of};
use std::path::PathBuf;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn recall_is_total_and_false_alarms_are_rare() {
    let emergencies =
        parse_emergencies(&read(&data().join("safety/emergencies.tsv"))).expect("emergencies.tsv");
    let near_misses =
        parse_emergencies(&read(&data().join("safety/near_misses.tsv"))).expect("near_misses.tsv");
    assert!(emergencies.iter().all(|(_, k)| k.is_some()), "emergencies.tsv has a line labelled none");
    assert!(near_misses.iter().all(|(_, k)| k.is_none()), "near_misses.tsv has an emergency");
    assert!(emergencies.len() >= 100, "only {} emergencies", emergencies.len());
    assert!(near_misses.len() >= 100, "only {} near misses", near_misses.len());
    for kind in RedFlagKind::ALL {
        let n = emergencies.iter().filter(|(_, k)| *k == Some(kind)).count();
        assert!(n >= 8, "{kind}: only {n} examples");
    }

    // Whatever intent corpus files exist (the corpus, the holdout, train/dev/test splits).
    let mut others = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data().join("nlu"))
        .expect("data/nlu")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        // The intent model's weights, not messages.
        .filter(|p| !p.ends_with("model.tsv"))
        .collect();
    files.sort();
    for f in &files {
        let texts = texts_of(&read(f));
        assert!(!texts.is_empty(), "{}: no messages read", f.display());
        others.extend(texts);
    }
    assert!(others.len() >= 300, "only {} intent messages", others.len());

    let mut labelled = emergencies;
    labelled.extend(near_misses);
    let evaluation = evaluate(&labelled, &others);
    println!("{evaluation}");
    assert_eq!(evaluation.found, evaluation.emergencies, "recall {:.3}", evaluation.recall);
    assert!(evaluation.false_alarm_rate < 0.01, "false alarms {:.4}", evaluation.false_alarm_rate);
}
