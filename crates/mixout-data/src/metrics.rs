//! Dev-set metrics: [`Metric`], the names tasks, configs and result files use, and the
//! metrics themselves as pure functions on plain vectors.
//!
//! The raw functions return natural scale (accuracy as a fraction, correlations in
//! [-1, 1]); [`Metric::on_classes`] and [`Metric::on_scores`] multiply by 100, the scale of
//! the paper's tables. Degenerate inputs (a constant prediction, no positive class) give 0
//! instead of NaN: a run that collapsed to one answer has no skill, and a NaN would poison
//! the means and failure counts of a whole sweep.
//!
//! Nothing here knows about tasks: [`crate::tasks`] chooses a task's metrics and scores its
//! predictions with them ([`crate::TaskSpec::evaluate`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// The metrics a task can report. Written (in task specs, configs and result files) as
/// [`Metric::name`]; read back from that name in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Fraction of exact class matches.
    Accuracy,
    /// F1 of the positive class (class index 1) of a binary task.
    F1,
    /// Matthews correlation coefficient (multi-class generalisation).
    Mcc,
    /// Pearson correlation of scores.
    Pearson,
    /// Spearman rank correlation of scores.
    Spearman,
}

impl Metric {
    /// Every metric, in a fixed order.
    pub const ALL: [Metric; 5] = [Metric::Accuracy, Metric::F1, Metric::Mcc, Metric::Pearson, Metric::Spearman];

    /// The name used in task specs, configs and result files.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::F1 => "f1",
            Metric::Mcc => "mcc",
            Metric::Pearson => "pearson",
            Metric::Spearman => "spearman",
        }
    }

    /// Looks a metric up by name, ignoring case.
    pub fn from_name(name: &str) -> Option<Metric> {
        Self::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// Whether the metric scores class predictions (rather than real-valued scores).
    pub fn is_classification(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::F1 | Metric::Mcc)
    }

    /// Value in report scale (×100) for class predictions; 0 for the correlation metrics,
    /// which class indices do not have (task validation never pairs them).
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn on_classes(self, pred: &[usize], gold: &[usize]) -> f64 {
        100.0
            * match self {
                Metric::Accuracy => accuracy(pred, gold),
                Metric::F1 => f1(pred, gold),
                Metric::Mcc => matthews_corrcoef(pred, gold),
                Metric::Pearson | Metric::Spearman => 0.0,
            }
    }

    /// Value in report scale (×100) for real-valued scores; 0 for the class metrics.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn on_scores(self, pred: &[f64], gold: &[f64]) -> f64 {
        100.0
            * match self {
                Metric::Pearson => pearson(pred, gold),
                Metric::Spearman => spearman(pred, gold),
                Metric::Accuracy | Metric::F1 | Metric::Mcc => 0.0,
            }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A metric name that is none of [`Metric::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMetric(pub String);

impl fmt::Display for UnknownMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = Metric::ALL.map(Metric::name).join(", ");
        write!(f, "unknown metric `{}`; known metrics: {known}", self.0)
    }
}

impl std::error::Error for UnknownMetric {}

impl FromStr for Metric {
    type Err = UnknownMetric;

    /// The metric named `s`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::from_name(s).ok_or_else(|| UnknownMetric(s.to_owned()))
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Model outputs for a whole dev set.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictions {
    /// Predicted class indices (classification tasks).
    Classes(Vec<usize>),
    /// Predicted scores (regression tasks).
    Scores(Vec<f32>),
}

impl Predictions {
    /// Number of predictions.
    pub fn len(&self) -> usize {
        match self {
            Predictions::Classes(v) => v.len(),
            Predictions::Scores(v) => v.len(),
        }
    }

    /// Whether there are no predictions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_lengths(pred: usize, gold: usize) {
    assert_eq!(pred, gold, "metric called with {pred} predictions for {gold} gold labels");
}

/// Fraction of predictions equal to the gold class; 0 for empty input.
///
/// # Panics
/// If the slices differ in length (a caller bug; [`crate::TaskSpec::evaluate`] checks this first).
pub fn accuracy(pred: &[usize], gold: &[usize]) -> f64 {
    check_lengths(pred.len(), gold.len());
    if gold.is_empty() {
        return 0.0;
    }
    let correct = pred.iter().zip(gold).filter(|(p, g)| p == g).count();
    correct as f64 / gold.len() as f64
}

/// F1 of class 1 (the positive class of MRPC and the other binary GLUE tasks).
/// 0 when there is neither a predicted nor a gold positive.
///
/// # Panics
/// If the slices differ in length.
pub fn f1(pred: &[usize], gold: &[usize]) -> f64 {
    check_lengths(pred.len(), gold.len());
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (&p, &g) in pred.iter().zip(gold) {
        match (p == 1, g == 1) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    // 2PR/(P+R) written in counts, which stays defined when precision is 0/0.
    let denominator = 2 * tp + fp + fn_;
    if denominator == 0 {
        0.0
    } else {
        (2 * tp) as f64 / denominator as f64
    }
}

/// Matthews correlation coefficient, in the multi-class form used by scikit-learn
/// (equal to the usual binary formula for two classes). 0 when either the predictions
/// or the gold labels are constant.
///
/// # Panics
/// If the slices differ in length.
pub fn matthews_corrcoef(pred: &[usize], gold: &[usize]) -> f64 {
    check_lengths(pred.len(), gold.len());
    let k = pred.iter().chain(gold).max().map_or(0, |m| m + 1);
    let mut pred_count = vec![0f64; k];
    let mut gold_count = vec![0f64; k];
    let mut correct = 0f64;
    for (&p, &g) in pred.iter().zip(gold) {
        pred_count[p] += 1.0;
        gold_count[g] += 1.0;
        if p == g {
            correct += 1.0;
        }
    }
    let n = gold.len() as f64;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let numerator = correct * n - dot(&pred_count, &gold_count);
    let var_pred = n * n - dot(&pred_count, &pred_count);
    let var_gold = n * n - dot(&gold_count, &gold_count);
    if var_pred <= 0.0 || var_gold <= 0.0 {
        0.0
    } else {
        numerator / (var_pred * var_gold).sqrt()
    }
}

/// Pearson correlation. 0 when either side is constant, has fewer than two values or
/// contains a non-finite value (a diverged model's NaN outputs carry no signal).
///
/// # Panics
/// If the slices differ in length.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    check_lengths(x.len(), y.len());
    if x.len() < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return 0.0;
    }
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mean_x, b - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        // Rounding can push a perfect correlation a hair past 1.
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    }
}

/// Spearman rank correlation: Pearson of the ranks, ties sharing their average rank
/// (as scipy.stats.spearmanr). Same degenerate cases as [`pearson`].
///
/// # Panics
/// If the slices differ in length.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    check_lengths(x.len(), y.len());
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return 0.0;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// 1-based ranks; tied values all get the mean of the ranks they span.
/// Values must be finite (NaN has no order).
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; their mean is (start+1+end)/2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn accuracy_counts_matches() {
        assert!(close(accuracy(&[1, 0, 1, 1], &[1, 1, 1, 0]), 0.5));
        assert_eq!(accuracy(&[], &[]), 0.0);
    }

    #[test]
    fn f1_by_hand() {
        // tp=2 (pos 0, 2), fp=1 (pos 3), fn=1 (pos 1): F1 = 4/(4+1+1) = 2/3.
        assert!(close(f1(&[1, 0, 1, 1, 0], &[1, 1, 1, 0, 0]), 2.0 / 3.0));
        // No positives anywhere: defined as 0, not NaN.
        assert_eq!(f1(&[0, 0], &[0, 0]), 0.0);
        // Everything predicted positive, 3 of 4 gold positive: P=3/4, R=1, F1=6/7.
        assert!(close(f1(&[1, 1, 1, 1], &[1, 1, 1, 0]), 6.0 / 7.0));
    }

    #[test]
    fn mcc_binary_by_hand() {
        // tp=2 tn=1 fp=1 fn=1: (2*1-1*1)/sqrt(3*3*2*2) = 1/6.
        assert!(close(matthews_corrcoef(&[1, 0, 1, 1, 0], &[1, 1, 1, 0, 0]), 1.0 / 6.0));
        assert!(close(matthews_corrcoef(&[0, 1, 0, 1], &[0, 1, 0, 1]), 1.0));
        assert!(close(matthews_corrcoef(&[1, 0, 1, 0], &[0, 1, 0, 1]), -1.0));
        // Constant prediction: 0, not NaN.
        assert_eq!(matthews_corrcoef(&[1, 1, 1], &[0, 1, 1]), 0.0);
        assert_eq!(matthews_corrcoef(&[], &[]), 0.0);
    }

    #[test]
    fn mcc_multiclass_by_hand() {
        // pred counts (1,2,1), gold counts (2,1,1), 3 correct of 4:
        // (3*4 - (2+2+1)) / sqrt((16-6)(16-6)) = 7/10.
        assert!(close(matthews_corrcoef(&[0, 1, 1, 2], &[0, 0, 1, 2]), 0.7));
    }

    #[test]
    fn pearson_by_hand() {
        assert!(close(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), 1.0));
        assert!(close(pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0));
        // x=(1,2,3,4) y=(1,3,2,4): sxy=4, sxx=syy=5 -> 0.8.
        assert!(close(pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]), 0.8));
        assert_eq!(pearson(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]), 0.0);
        assert_eq!(pearson(&[1.0], &[1.0]), 0.0);
        assert_eq!(pearson(&[1.0, f64::NAN], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
        assert_eq!(average_ranks(&[1.0, 1.0, 1.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn spearman_by_hand() {
        // Monotone but non-linear: rank correlation 1.
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 8.0, 27.0, 64.0]), 1.0));
        // x ranks (1,2,3,4), y=(1,3,3,2) ranks (1,3.5,3.5,2):
        // centred x (-1.5,-.5,.5,1.5), y (-1.5,1,1,-.5): sxy=2.25-.5+.5-.75=1.5,
        // sxx=5, syy=2.25+1+1+.25=4.5 -> 1.5/sqrt(22.5).
        assert!(close(spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 3.0, 2.0]), 1.5 / 22.5f64.sqrt()));
        assert_eq!(spearman(&[3.0, 3.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
            assert_eq!(m.name().parse::<Metric>(), Ok(m));
            assert_eq!(m.to_string(), m.name());
        }
        assert_eq!(Metric::from_name("MCC"), Some(Metric::Mcc));
        assert_eq!("Spearman".parse::<Metric>(), Ok(Metric::Spearman));
        assert_eq!(Metric::from_name("auc"), None);
        let err = "auc".parse::<Metric>().expect_err("unknown").to_string();
        assert_eq!(err, "unknown metric `auc`; known metrics: accuracy, f1, mcc, pearson, spearman");
    }

    #[test]
    fn metric_serialises_as_its_name() {
        // Result files and reports carry these strings: they must not change.
        let names = serde_json::to_string(&Metric::ALL).expect("serialises");
        assert_eq!(names, r#"["accuracy","f1","mcc","pearson","spearman"]"#);
        let back: Vec<Metric> =
            serde_json::from_str(r#"["accuracy","F1","MCC","pearson","Spearman"]"#).expect("parses");
        assert_eq!(back, Metric::ALL);
        let err = serde_json::from_str::<Metric>(r#""auc""#).expect_err("unknown").to_string();
        assert!(err.contains("unknown metric `auc`; known metrics: accuracy"), "{err}");
    }

    #[test]
    fn report_scale_by_hand() {
        let (pred, gold) = ([1, 0, 1, 1, 0], [1, 1, 1, 0, 0]);
        assert!(close(Metric::Accuracy.on_classes(&pred, &gold), 60.0));
        assert!(close(Metric::F1.on_classes(&pred, &gold), 200.0 / 3.0));
        assert!(close(Metric::Mcc.on_classes(&pred, &gold), 100.0 / 6.0));
        assert_eq!(Metric::Pearson.on_classes(&pred, &gold), 0.0);
        let (x, y) = ([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0]);
        assert!(close(Metric::Pearson.on_scores(&x, &y), 80.0));
        assert!(close(Metric::Spearman.on_scores(&x, &y), 80.0));
        assert_eq!(Metric::Accuracy.on_scores(&x, &y), 0.0);
    }
}
