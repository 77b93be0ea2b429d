//! Measuring [`super::sentiment`] on labelled messages: accuracy, precision and recall per
//! tone, the confusion table and the misses (`frontdesk sentiment eval`).

use super::sentiment::{Sentiment, sentiment};
use std::fmt;

const N: usize = Sentiment::ALL.len();

fn index(s: Sentiment) -> usize {
    Sentiment::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// Reads `text<TAB>sentiment` lines; `#` lines, blank lines and a `text` header are skipped.
pub fn parse_labelled(content: &str) -> Result<Vec<(String, Sentiment)>, String> {
    let mut out = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("text\t") {
            continue;
        }
        let (text, label) =
            line.rsplit_once('\t').ok_or_else(|| format!("line {}: expected text<TAB>sentiment", n + 1))?;
        let label = Sentiment::parse(label.trim()).ok_or_else(|| {
            format!("line {}: `{}` is not positive, neutral or negative", n + 1, label.trim())
        })?;
        out.push((text.to_owned(), label));
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq)]
pub struct SentimentEvaluation {
    pub total: usize,
    pub correct: usize,
    /// `confusion[expected][predicted]`, indexed like [`Sentiment::ALL`].
    pub confusion: [[usize; N]; N],
    /// (text, expected, predicted).
    pub errors: Vec<(String, Sentiment, Sentiment)>,
}

impl SentimentEvaluation {
    #[allow(clippy::cast_precision_loss)]
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 { 0.0 } else { self.correct as f64 / self.total as f64 }
    }

    /// (precision, recall) of one tone.
    #[allow(clippy::cast_precision_loss)]
    pub fn precision_recall(&self, s: Sentiment) -> (f64, f64) {
        let k = index(s);
        let hit = self.confusion[k][k] as f64;
        let predicted: usize = (0..N).map(|e| self.confusion[e][k]).sum();
        let labelled: usize = self.confusion[k].iter().sum();
        let ratio = |a: f64, b: usize| if b == 0 { 0.0 } else { a / b as f64 };
        (ratio(hit, predicted), ratio(hit, labelled))
    }
}

/// Reads the tone of every labelled message and compares.
pub fn evaluate(lines: &[(String, Sentiment)]) -> SentimentEvaluation {
    let mut e = SentimentEvaluation { total: 0, correct: 0, confusion: [[0; N]; N], errors: Vec::new() };
    for (text, expected) in lines {
        let got = sentiment(text);
        e.total += 1;
        e.confusion[index(*expected)][index(got)] += 1;
        if got == *expected {
            e.correct += 1;
        } else {
            e.errors.push((text.clone(), *expected, got));
        }
    }
    e
}

impl fmt::Display for SentimentEvaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tone       precision  recall  support")?;
        for s in Sentiment::ALL {
            let (p, r) = self.precision_recall(s);
            let support: usize = self.confusion[index(s)].iter().sum();
            writeln!(f, "{:<10} {p:>9.3} {r:>7.3} {support:>8}", s.as_str())?;
        }
        writeln!(f, "accuracy: {:.3} ({}/{})", self.accuracy(), self.correct, self.total)?;
        writeln!(f, "\nconfusion (rows: labelled, columns: read as)")?;
        write!(f, "{:<10}", "")?;
        for s in Sentiment::ALL {
            write!(f, " {:>9}", s.as_str())?;
        }
        writeln!(f)?;
        for s in Sentiment::ALL {
            write!(f, "{:<10}", s.as_str())?;
            for n in self.confusion[index(s)] {
                write!(f, " {n:>9}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_lines_parse_and_bad_labels_are_named() {
        let lines =
            parse_labelled("# a comment\ntext\tsentiment\nadorei\tpositive\n\nque demora\tnegative\n")
                .unwrap();
        assert_eq!(lines.len(), 2);
        assert!(parse_labelled("ok\tangry\n").unwrap_err().contains("`angry`"));
        assert!(parse_labelled("no tab here\n").unwrap_err().contains("line 1"));
        let e = evaluate(&lines);
        assert_eq!((e.correct, e.total), (2, 2));
        assert!(e.to_string().contains("accuracy: 1.000 (2/2)"));
    }
}
