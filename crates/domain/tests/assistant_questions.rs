//! The labelled questions the assistant must map (data/assistant/questions.tsv): at least
//! 60, in both languages, at least 90% mapped to exactly their expected query.

use frontdesk_domain::assistant::eval::{accuracy, grade, parse};
use frontdesk_domain::tenant::Locale;

fn read(name: &str) -> frontdesk_domain::assistant::eval::QuestionSet {
    let path = format!("{}/../../data/assistant/{name}", env!("CARGO_MANIFEST_DIR"));
    parse(&std::fs::read_to_string(path).expect("questions file")).expect("well formed")
}

#[test]
fn labelled_questions_map_to_their_queries() {
    let set = read("questions.tsv");
    assert!(set.questions.len() >= 60, "{} questions", set.questions.len());
    for locale in [Locale::PtBr, Locale::En] {
        assert!(set.questions.iter().filter(|q| q.locale == locale).count() >= 25, "{locale:?}");
    }
    check(&set);
}

#[test]
fn held_out_questions_map_to_their_queries() {
    check(&read("holdout.tsv"));
}

fn check(set: &frontdesk_domain::assistant::eval::QuestionSet) {
    let graded = grade(set);
    for g in graded.iter().filter(|g| !g.correct()) {
        eprintln!("{}\n  expected {}\n  got      {}", g.question.question, g.question.expected, g.got);
    }
    let acc = accuracy(&graded);
    eprintln!("accuracy {acc:.3}");
    assert!(acc >= 0.9, "accuracy {acc:.3}");
}
