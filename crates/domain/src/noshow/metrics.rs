//! How good a set of predictions is: ranking (ROC AUC, average precision), accuracy of the
//! probabilities (Brier score) and calibration by decile.

use serde::{Deserialize, Serialize};

/// The figures `frontdesk noshow eval` prints and a stored model keeps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub count: usize,
    pub base_rate: f64,
    pub auc: f64,
    pub average_precision: f64,
    pub brier: f64,
}

impl Metrics {
    /// Metrics of `scores` (probabilities) against `labels` (true = no-show).
    pub fn of(scores: &[f64], labels: &[bool]) -> Self {
        let positives = labels.iter().filter(|l| **l).count();
        Self {
            count: labels.len(),
            base_rate: if labels.is_empty() { 0.0 } else { positives as f64 / labels.len() as f64 },
            auc: roc_auc(scores, labels),
            average_precision: average_precision(scores, labels),
            brier: brier(scores, labels),
        }
    }
}

/// The probability that a random no-show scores above a random show; ties count half.
/// 0.5 when either class is missing.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> f64 {
    let order = ascending(scores);
    let positives = labels.iter().filter(|l| **l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    // Mann–Whitney U from average ranks, so that tied scores share their rank.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += order[i..=j].iter().filter(|k| labels[**k]).count() as f64 * average_rank;
        i = j + 1;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Average precision (the area under the precision–recall curve, step-wise): the mean of
/// the precision at each no-show, ranking from the highest score. Tied scores are taken
/// as one step.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> f64 {
    let mut order = ascending(scores);
    order.reverse();
    let positives = labels.iter().filter(|l| **l).count();
    if positives == 0 {
        return 0.0;
    }
    let (mut seen, mut hits, mut sum) = (0usize, 0usize, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let step_hits = order[i..=j].iter().filter(|k| labels[**k]).count();
        seen += j - i + 1;
        hits += step_hits;
        sum += step_hits as f64 * hits as f64 / seen as f64;
        i = j + 1;
    }
    sum / positives as f64
}

/// Mean squared difference between the probability and what happened (lower is better).
pub fn brier(scores: &[f64], labels: &[bool]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let total: f64 = scores.iter().zip(labels).map(|(p, y)| (p - if *y { 1.0 } else { 0.0 }).powi(2)).sum();
    total / scores.len() as f64
}

/// One row of a calibration table: appointments grouped by predicted risk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    pub count: usize,
    pub predicted: f64,
    pub observed: f64,
}

/// `bins` groups of (nearly) equal size by predicted risk, lowest first: the mean
/// prediction beside the observed no-show rate. A calibrated model has them close.
pub fn calibration_table(scores: &[f64], labels: &[bool], bins: usize) -> Vec<CalibrationBin> {
    let order = ascending(scores);
    let bins = bins.max(1).min(order.len().max(1));
    (0..bins)
        .filter_map(|b| {
            let slice = &order[b * order.len() / bins..(b + 1) * order.len() / bins];
            (!slice.is_empty()).then(|| CalibrationBin {
                count: slice.len(),
                predicted: slice.iter().map(|k| scores[*k]).sum::<f64>() / slice.len() as f64,
                observed: slice.iter().filter(|k| labels[**k]).count() as f64 / slice.len() as f64,
            })
        })
        .collect()
}

fn ascending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_pairs_and_half_ties() {
        // Pairs (no-show, show): (0.9,0.1) win, (0.9,0.4) win, (0.4,0.1) win, (0.4,0.4) tie.
        let scores = [0.9, 0.4, 0.4, 0.1];
        let labels = [true, true, false, false];
        assert!((roc_auc(&scores, &labels) - 3.5 / 4.0).abs() < 1e-12);
        assert_eq!(roc_auc(&[0.1, 0.9], &[true, false]), 0.0);
        assert_eq!(roc_auc(&[0.3, 0.4], &[true, true]), 0.5);
    }

    #[test]
    fn average_precision_by_hand() {
        // Ranked: 0.9 yes (1/1), 0.8 no, 0.7 yes (2/3) -> (1 + 2/3) / 2.
        let ap = average_precision(&[0.9, 0.8, 0.7], &[true, false, true]);
        assert!((ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn brier_and_calibration_by_hand() {
        assert!((brier(&[1.0, 0.0, 0.5], &[true, true, false]) - (0.0 + 1.0 + 0.25) / 3.0).abs() < 1e-12);
        let table = calibration_table(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, false], 2);
        assert_eq!(table.len(), 2);
        assert!((table[0].predicted - 0.15).abs() < 1e-12 && table[0].observed == 0.0);
        assert!((table[1].predicted - 0.85).abs() < 1e-12 && table[1].observed == 0.5);
    }
}
