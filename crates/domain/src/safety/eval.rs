//! Recall on labelled emergencies and the false-alarm rate on everything else.

use super::{RedFlagKind, detect};
use std::fmt;

/// Recall of one kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindStats {
    pub kind: RedFlagKind,
    /// Messages labelled with this kind.
    pub support: usize,
    /// Of those, flagged with this kind among the kinds found.
    pub found: usize,
    pub recall: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SafetyEvaluation {
    /// In the order of [`RedFlagKind::ALL`].
    pub per_kind: Vec<KindStats>,
    pub emergencies: usize,
    pub found: usize,
    pub recall: f64,
    /// Messages that are no emergency.
    pub negatives: usize,
    /// Those flagged anyway, with the kind.
    pub false_alarms: Vec<(String, RedFlagKind)>,
    pub false_alarm_rate: f64,
    /// Emergencies not found with their kind: (text, expected, what was found).
    pub missed: Vec<(String, RedFlagKind, Option<RedFlagKind>)>,
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores [`detect`]: `labelled` are messages with their kind (`None`: no emergency), `others`
/// more messages that are no emergency (the intent corpus).
pub fn evaluate(labelled: &[(String, Option<RedFlagKind>)], others: &[String]) -> SafetyEvaluation {
    let mut per_kind: Vec<KindStats> =
        RedFlagKind::ALL.iter().map(|&kind| KindStats { kind, support: 0, found: 0, recall: 0.0 }).collect();
    let mut missed = Vec::new();
    let mut false_alarms = Vec::new();
    let mut negatives = 0;
    let negative_texts = labelled.iter().filter(|(_, k)| k.is_none()).map(|(t, _)| t).chain(others.iter());
    for (text, kind) in labelled {
        let Some(kind) = kind else { continue };
        let got = detect(text);
        let stats = &mut per_kind[RedFlagKind::ALL.iter().position(|k| k == kind).unwrap_or(0)];
        stats.support += 1;
        if got.as_ref().is_some_and(|f| f.kinds.contains(kind)) {
            stats.found += 1;
        } else {
            missed.push((text.clone(), *kind, got.map(|f| f.kind)));
        }
    }
    for text in negative_texts {
        negatives += 1;
        if let Some(flag) = detect(text) {
            false_alarms.push((text.clone(), flag.kind));
        }
    }
    for s in &mut per_kind {
        s.recall = ratio(s.found, s.support);
    }
    let emergencies: usize = per_kind.iter().map(|s| s.support).sum();
    let found: usize = per_kind.iter().map(|s| s.found).sum();
    SafetyEvaluation {
        per_kind,
        emergencies,
        found,
        recall: ratio(found, emergencies),
        negatives,
        false_alarm_rate: ratio(false_alarms.len(), negatives),
        false_alarms,
        missed,
    }
}

impl fmt::Display for SafetyEvaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<22} {:>8} {:>6} {:>7}", "kind", "messages", "found", "recall")?;
        for s in &self.per_kind {
            writeln!(f, "{:<22} {:>8} {:>6} {:>7.3}", s.kind.as_str(), s.support, s.found, s.recall)?;
        }
        writeln!(f, "recall: {:.3} ({}/{})", self.recall, self.found, self.emergencies)?;
        writeln!(
            f,
            "false alarms: {:.4} ({}/{} non-emergency messages)",
            self.false_alarm_rate,
            self.false_alarms.len(),
            self.negatives
        )?;
        for (text, expected, got) in &self.missed {
            let got = got.map_or("none", RedFlagKind::as_str);
            writeln!(f, "  missed {:<20} (found {got}): {text}", expected.as_str())?;
        }
        for (text, kind) in &self.false_alarms {
            writeln!(f, "  false alarm {:<20}: {text}", kind.as_str())?;
        }
        Ok(())
    }
}

/// Reads `text<TAB>kind` lines after that header; kind is a [`RedFlagKind`] or `none`. Blank
/// lines and `#` comments are skipped; errors name the line.
pub fn parse_emergencies(content: &str) -> Result<Vec<(String, Option<RedFlagKind>)>, String> {
    let mut lines = content.lines();
    if lines.next().map(|h| h.trim_start_matches('\u{feff}').trim_end()) != Some("text\tkind") {
        return Err("line 1: the header must be `text<TAB>kind`".into());
    }
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, line)| {
            let (text, kind) = line
                .rsplit_once('\t')
                .ok_or_else(|| format!("line {}: no tab between text and kind", n + 2))?;
            let kind = match kind.trim() {
                "none" => None,
                k => Some(k.parse::<RedFlagKind>().map_err(|e| format!("line {}: {e}", n + 2))?),
            };
            Ok((text.to_owned(), kind))
        })
        .collect()
}

/// The message texts of any labelled file whose header starts with `text<TAB>` (the intent
/// corpus and its splits): the part before the last tab of each line.
pub fn texts_of(content: &str) -> Vec<String> {
    let mut lines = content.lines();
    if !lines.next().is_some_and(|h| h.trim_start_matches('\u{feff}').starts_with("text\t")) {
        return Vec::new();
    }
    lines
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once('\t').map(|(t, _)| t.to_owned()))
        .collect()
}
