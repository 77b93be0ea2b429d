//! The labelled questions (`data/assistant/questions.tsv`): each question with the query it
//! must map to, read as of the file's `# today:` against the names its header lists.

use super::question::{Catalogue, read};
use crate::analytics::Dimension;
use crate::tenant::Locale;
use jiff::civil::Date;

#[derive(Debug, Clone)]
pub struct Labelled {
    pub locale: Locale,
    pub question: String,
    /// The canonical query (`Query`'s display), or `unanswerable`.
    pub expected: String,
}

#[derive(Debug, Clone)]
pub struct QuestionSet {
    pub today: Date,
    pub catalogue: Catalogue,
    pub questions: Vec<Labelled>,
}

/// Reads a labelled file; an error names the line.
pub fn parse(content: &str) -> Result<QuestionSet, String> {
    let mut today = None;
    let mut catalogue = Catalogue::new().with_channels();
    let mut questions = Vec::new();
    for (n, line) in content.lines().enumerate() {
        let at = n + 1;
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('#') {
            let Some((key, value)) = header.split_once(':') else { continue };
            let value = value.trim();
            match key.trim() {
                "today" => {
                    today = Some(
                        value.parse::<Date>().map_err(|_| format!("line {at}: `{value}` is not a date"))?,
                    )
                }
                k @ ("practitioner" | "service" | "unit" | "source") => {
                    let dimension = Dimension::parse(k).expect("listed above");
                    let mut names = value.split('|').map(str::trim);
                    let label = names.next().unwrap_or_default();
                    let aliases: Vec<&str> = names.collect();
                    catalogue.add(dimension, label, label, &aliases);
                }
                _ => {}
            }
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [locale, question, expected] = cols[..] else {
            return Err(format!("line {at}: expected locale, question and query separated by tabs"));
        };
        let locale = Locale::parse(locale).map_err(|_| format!("line {at}: unknown locale `{locale}`"))?;
        questions.push(Labelled { locale, question: question.to_owned(), expected: expected.to_owned() });
    }
    let today = today.ok_or("the file has no `# today: YYYY-MM-DD` line")?;
    Ok(QuestionSet { today, catalogue, questions })
}

/// One question's result.
#[derive(Debug, Clone)]
pub struct Graded {
    pub question: Labelled,
    pub got: String,
}

impl Graded {
    pub fn correct(&self) -> bool {
        self.got == self.question.expected
    }
}

/// Reads every question; `got` is the canonical query or `unanswerable`.
pub fn grade(set: &QuestionSet) -> Vec<Graded> {
    set.questions
        .iter()
        .map(|q| Graded {
            question: q.clone(),
            got: match read(&q.question, set.today, &set.catalogue) {
                Ok((query, _)) => query.to_string(),
                Err(_) => "unanswerable".to_owned(),
            },
        })
        .collect()
}

/// Share of questions mapped to their expected query.
pub fn accuracy(graded: &[Graded]) -> f64 {
    if graded.is_empty() {
        return 0.0;
    }
    graded.iter().filter(|g| g.correct()).count() as f64 / graded.len() as f64
}
