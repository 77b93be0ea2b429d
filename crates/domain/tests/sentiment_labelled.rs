//! The tone reader on the repo's labelled messages (`data/sentiment/`): the figures
//! `frontdesk sentiment eval` prints, kept from regressing. labelled.tsv was written with the
//! first word lists, holdout.tsv after them (then used to widen them), holdout2.tsv after
//! that and never used to change anything (docs/metrics.md).

use frontdesk_domain::nlu::sentiment_eval::{evaluate, parse_labelled};

/// Reads `path`, checks it has at least `size` messages and reads `floor` of them right.
fn holds(path: &str, size: usize, floor: f64) {
    let text = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let lines = parse_labelled(&text).unwrap();
    assert!(lines.len() >= size, "{path}: {} messages, {size} wanted", lines.len());
    let e = evaluate(&lines);
    println!("{path}\n{e}");
    for (text, want, got) in &e.errors {
        println!("  {want} -> {got}  {text}");
    }
    assert!(e.accuracy() >= floor, "{path}:\n{e}");
}

#[test]
fn the_labelled_set_has_300_messages_read_well() {
    holds("data/sentiment/labelled.tsv", 300, 0.95);
}

#[test]
fn the_first_holdout_is_read_well_since_it_widened_the_lists() {
    holds("data/sentiment/holdout.tsv", 60, 0.95);
}

#[test]
fn the_untouched_holdout_is_read_well_enough() {
    holds("data/sentiment/holdout2.tsv", 60, 0.9);
}
