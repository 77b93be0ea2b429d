//! Cross-validation of the intent model over the training and dev splits (never the test
//! split): `cargo run --release -p frontdesk-domain --example nlu_cv [FOLDS]`. Each fold trains
//! on the rest and evaluates rules + model on the held-out part; prints each fold's accuracy,
//! the mean, and the dev accuracy of a model trained on train.tsv alone.

use frontdesk_domain::nlu::{self, Intent, model};
use jiff::civil::Date;

fn read(path: &str) -> Vec<(String, Intent)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    nlu::parse_labelled(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn accuracy(model: &model::Model, lines: &[(String, Intent)], show: bool) -> (usize, usize) {
    let today = Date::constant(2026, 6, 3);
    let eval = nlu::evaluate_on(lines.iter().cloned(), |t| nlu::understand_with(model, t, &[], today).intent);
    if show {
        for e in &eval.errors {
            println!("  {} -> {}  {}", e.expected, e.predicted, e.text);
        }
    }
    (eval.correct, eval.total)
}

fn main() {
    if let Ok(texts) = std::env::var("SAY") {
        let today = Date::constant(2026, 6, 3);
        for t in texts.split('|') {
            let r = nlu::understand_rules(t, &[], today);
            let f = nlu::understand(t, &[], today);
            println!(
                "{t:?}: rules {} {:.2}, final {} (normalised {:?})",
                r.intent,
                r.confidence,
                f.intent,
                nlu::normalize(t)
            );
        }
        return;
    }
    let folds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let train = read("data/nlu/train.tsv");
    let dev = read("data/nlu/dev.tsv");
    let m = model::Model::parse(&model::train(&train)).expect("model");
    let (c, t) = accuracy(&m, &dev, std::env::var_os("SHOW").is_some());
    println!("dev (trained on train): {:.4} ({c}/{t})", c as f64 / t as f64);
    let today = Date::constant(2026, 6, 3);
    let rules =
        nlu::evaluate_on(train.iter().chain(&dev).cloned(), |t| nlu::understand_rules(t, &[], today).intent);
    println!("rules alone on train+dev: {:.4} ({}/{})", rules.accuracy, rules.correct, rules.total);
    if std::env::var_os("TEST").is_some() {
        // Only the figure: the test split's errors are never printed here.
        let test = read("data/nlu/test.tsv");
        let (c, t) = accuracy(&m, &test, false);
        println!("test (trained on train): {:.4} ({c}/{t})", c as f64 / t as f64);
        let both: Vec<_> = train.iter().chain(&dev).cloned().collect();
        let m2 = model::Model::parse(&model::train(&both)).expect("model");
        let today = Date::constant(2026, 6, 3);
        let eval =
            nlu::evaluate_on(test.iter().cloned(), |t| nlu::understand_with(&m2, t, &[], today).intent);
        println!("test (trained on train+dev):\n{eval}");
    }
    let all: Vec<_> = train.into_iter().chain(dev).collect();
    // EXTRA=file: lines added to every fold's training part and never held out, so that
    // the folds' figures compare with a run without them.
    let extra = std::env::var("EXTRA").map(|f| read(&f)).unwrap_or_default();
    let (mut correct, mut total) = (0, 0);
    for k in 0..folds {
        let (held, rest): (Vec<_>, Vec<_>) =
            all.iter().cloned().enumerate().partition(|(i, _)| i % folds == k);
        let rest: Vec<_> = rest.into_iter().map(|(_, l)| l).chain(extra.iter().cloned()).collect();
        let held: Vec<_> = held.into_iter().map(|(_, l)| l).collect();
        let m = model::Model::parse(&model::train(&rest)).expect("model");
        let (c, t) = accuracy(&m, &held, std::env::var_os("SHOW").is_some());
        println!("fold {k}: {:.4} ({c}/{t})", c as f64 / t as f64);
        correct += c;
        total += t;
    }
    println!("cv mean: {:.4} ({correct}/{total})", correct as f64 / total as f64);
}
