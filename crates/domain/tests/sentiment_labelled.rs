//! The tone reader on the repo's labelled messages (`data/sentiment/`): the figure
//! `frontdesk sentiment eval` prints, kept from regressing.

use frontdesk_domain::nlu::sentiment_eval::{evaluate, parse_labelled};

fn read(path: &str) -> Vec<(String, frontdesk_domain::nlu::sentiment::Sentiment)> {
    let text = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    parse_labelled(&text).unwrap()
}

#[test]
fn the_labelled_set_is_large_and_read_well() {
    let lines = read("data/sentiment/labelled.tsv");
    assert!(lines.len() >= 300, "the issue asks for at least 300 labelled messages: {}", lines.len());
    let e = evaluate(&lines);
    println!("{e}");
    assert!(e.accuracy() >= 0.95, "{e}");
}

#[test]
fn the_holdout_set_is_read_well_enough() {
    let lines = read("data/sentiment/holdout.tsv");
    assert!(lines.len() >= 60, "{}", lines.len());
    let e = evaluate(&lines);
    println!("{e}");
    for (text, want, got) in &e.errors {
        println!("  {want} -> {got}  {text}");
    }
    assert!(e.accuracy() >= 0.95, "{e}");
}

#[test]
fn the_second_holdout_set_is_read_well_enough() {
    let lines = read("data/sentiment/holdout2.tsv");
    assert!(lines.len() >= 60, "{}", lines.len());
    let e = evaluate(&lines);
    println!("{e}");
    for (text, want, got) in &e.errors {
        println!("  {want} -> {got}  {text}");
    }
    assert!(e.accuracy() >= 0.9, "{e}");
}
