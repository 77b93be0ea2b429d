//! Precision, recall and a confusion matrix over labelled messages.

use super::{Intent, understand};
use jiff::civil::Date;
use std::fmt;

const N: usize = Intent::ALL.len();

/// Scores of one intent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntentStats {
    pub intent: Intent,
    /// Of the messages predicted as this intent, the share that were.
    pub precision: f64,
    /// Of the messages labelled with this intent, the share found.
    pub recall: f64,
    pub f1: f64,
    /// Messages labelled with this intent.
    pub support: usize,
    /// Messages predicted as this intent.
    pub predicted: usize,
}

/// A message the rules got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misclassified {
    pub text: String,
    pub expected: Intent,
    pub predicted: Intent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub total: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// In the order of [`Intent::ALL`].
    pub per_intent: Vec<IntentStats>,
    /// `confusion[expected][predicted]`, indexed like [`Intent::ALL`].
    pub confusion: [[usize; N]; N],
    pub errors: Vec<Misclassified>,
}

impl Evaluation {
    pub fn stats(&self, intent: Intent) -> &IntentStats {
        &self.per_intent[intent.index()]
    }
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Classifies each `(text, expected)` with no offered slots (intent does not depend on the date).
pub fn evaluate(lines: impl Iterator<Item = (String, Intent)>) -> Evaluation {
    let today = Date::constant(2026, 6, 3);
    evaluate_on(lines, |text| understand(text, &[], today).intent)
}

/// The same with any classifier, for comparing rule sets.
pub fn evaluate_on(
    lines: impl Iterator<Item = (String, Intent)>,
    classify: impl Fn(&str) -> Intent,
) -> Evaluation {
    let mut confusion = [[0usize; N]; N];
    let mut errors = Vec::new();
    let mut total = 0;
    for (text, expected) in lines {
        let predicted = classify(&text);
        confusion[expected.index()][predicted.index()] += 1;
        total += 1;
        if predicted != expected {
            errors.push(Misclassified { text, expected, predicted });
        }
    }
    let correct: usize = (0..N).map(|k| confusion[k][k]).sum();
    let per_intent = Intent::ALL
        .iter()
        .enumerate()
        .map(|(k, &intent)| {
            let support: usize = confusion[k].iter().sum();
            let predicted: usize = (0..N).map(|e| confusion[e][k]).sum();
            let precision = ratio(confusion[k][k], predicted);
            let recall = ratio(confusion[k][k], support);
            let f1 =
                if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            IntentStats { intent, precision, recall, f1, support, predicted }
        })
        .collect();
    Evaluation { total, correct, accuracy: ratio(correct, total), per_intent, confusion, errors }
}

const SHORT: [&str; N] =
    ["book", "resch", "cancel", "conf", "decl", "quest", "optout", "human", "greet", "uncl"];

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>9} {:>7} {:>6} {:>8} {:>10}",
            "intent", "precision", "recall", "f1", "support", "predicted"
        )?;
        for s in &self.per_intent {
            writeln!(
                f,
                "{:<16} {:>9.3} {:>7.3} {:>6.3} {:>8} {:>10}",
                s.intent.as_str(),
                s.precision,
                s.recall,
                s.f1,
                s.support,
                s.predicted
            )?;
        }
        writeln!(f, "accuracy: {:.3} ({}/{})", self.accuracy, self.correct, self.total)?;
        writeln!(f)?;
        writeln!(f, "confusion (rows: expected, columns: predicted)")?;
        write!(f, "{:<16}", "")?;
        for s in SHORT {
            write!(f, " {s:>6}")?;
        }
        writeln!(f)?;
        for (k, intent) in Intent::ALL.iter().enumerate() {
            write!(f, "{:<16}", intent.as_str())?;
            for cell in self.confusion[k] {
                if cell == 0 {
                    write!(f, " {:>6}", ".")?;
                } else {
                    write!(f, " {cell:>6}")?;
                }
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Reads a labelled file: a `text<TAB>intent` header, then one message and its expected
/// intent per line (the last tab splits them; blank lines and `#` comments are skipped).
/// Errors name the line.
pub fn parse_labelled(content: &str) -> Result<Vec<(String, Intent)>, String> {
    let mut lines = content.lines();
    if lines.next().map(|h| h.trim_start_matches('\u{feff}').trim_end()) != Some("text\tintent") {
        return Err("line 1: the header must be `text<TAB>intent`".into());
    }
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, line)| {
            let (text, intent) = line
                .rsplit_once('\t')
                .ok_or_else(|| format!("line {}: no tab between text and intent", n + 2))?;
            let intent = intent.trim().parse::<Intent>().map_err(|e| format!("line {}: {e}", n + 2))?;
            Ok((text.to_owned(), intent))
        })
        .collect()
}
