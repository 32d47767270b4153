//! The cells of the summary table, shared by the markdown, HTML and terminal renderings:
//! which columns a task shows and how each value is written.

use super::{Baseline, SettingSummary, TaskSummary, EVP_TABLE_N};
use crate::stats::{self, Describe};

pub(crate) fn f1(x: f64) -> String {
    format!("{x:.1}")
}

pub(crate) fn signed1(x: f64) -> String {
    // Avoid "-0.0", which reads as a loss that is not there.
    let x = if x.abs() < 0.05 { 0.0 } else { x };
    format!("{x:+.1}")
}

/// A p-value with enough digits to tell 0.003 from 0.0004, without pretending to
/// precision below 1e-4.
pub(crate) fn p_text(p: f64) -> String {
    if p >= 0.01 {
        format!("{p:.3}")
    } else if p >= 1e-4 {
        format!("{p:.4}")
    } else {
        "<0.0001".to_string()
    }
}

/// `failed/runs = rate% (lo–hi%)`, the failure rate with its Wilson interval.
pub fn failure_text(failed: usize, runs: usize) -> String {
    match stats::wilson_interval(failed, runs, stats::Z95) {
        Some((lo, hi)) => format!(
            "{failed}/{runs} = {:.0}% ({:.0}–{:.0}%)",
            100.0 * failed as f64 / runs as f64,
            100.0 * lo,
            100.0 * hi
        ),
        None => format!("{failed}/{runs}"),
    }
}

/// A column of the summary tables; which ones appear depends on the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Source,
    Group,
    Setting,
    Precision,
    Runs,
    Mean,
    MeanFinished,
    Std,
    Median,
    Min,
    Max,
    Evp,
    Failed,
    Diverged,
    Baseline,
    Delta,
    FailTest,
    Ref,
}

impl Col {
    pub(crate) fn header(self) -> &'static str {
        match self {
            Col::Source => "source",
            Col::Group => "group",
            Col::Setting => "setting",
            Col::Precision => "precision",
            Col::Runs => "runs",
            Col::Mean => "mean",
            Col::MeanFinished => "mean (finished only)",
            Col::Std => "std",
            Col::Median => "median",
            Col::Min => "min",
            Col::Max => "max",
            Col::Evp => "E[max] n=5",
            Col::Failed => "failed (95% CI)",
            Col::Diverged => "diverged",
            Col::Baseline => "baseline",
            Col::Delta => "Δ mean vs baseline [95% CI]",
            Col::FailTest => "failures vs baseline: p (test)",
            Col::Ref => "BERT-large ref. mean (max)",
        }
    }

    /// Text columns are left-aligned, numbers right-aligned.
    pub(crate) fn is_text(self) -> bool {
        matches!(
            self,
            Col::Source
                | Col::Group
                | Col::Setting
                | Col::Precision
                | Col::Failed
                | Col::Baseline
                | Col::Delta
                | Col::FailTest
                | Col::Ref
        )
    }
}

/// The columns of a task's table: group, precision and baseline only where they
/// tell something (groups used, a precision other than fp32, several baselines),
/// so the common table stays narrow.
pub(crate) fn columns(t: &TaskSummary) -> Vec<Col> {
    let mut cols = Vec::new();
    if t.has_sources() {
        cols.push(Col::Source);
    }
    if t.has_groups() {
        cols.push(Col::Group);
    }
    cols.push(Col::Setting);
    if t.has_reduced_precision() {
        cols.push(Col::Precision);
    }
    cols.extend([Col::Runs, Col::Mean]);
    if t.has_diverged() {
        cols.push(Col::MeanFinished);
    }
    cols.extend([Col::Std, Col::Median, Col::Min, Col::Max, Col::Evp, Col::Failed, Col::Diverged]);
    if t.baseline.is_none() {
        cols.push(Col::Baseline);
    }
    cols.extend([Col::Delta, Col::FailTest, Col::Ref]);
    cols
}

/// How a label is quoted: in backticks (with `|` escaped) in markdown, bare on a terminal.
pub(crate) fn quote(label: &str, md: bool) -> String {
    if md {
        format!("`{}`", label.replace('|', "\\|"))
    } else {
        label.to_string()
    }
}

/// "Δ mean [95% CI] (n pairs)" text of a row.
pub(crate) fn delta_text(r: &SettingSummary, md: bool) -> String {
    match &r.baseline {
        Baseline::Itself => return "baseline".to_string(),
        Baseline::Missing(b) => return format!("baseline {} has no runs", quote(b, md)),
        Baseline::Setting(_) => {}
    }
    match r.vs_baseline {
        None => "no shared seeds".to_string(),
        Some(c) => match c.ci95 {
            Some((lo, hi)) => {
                format!("{} [{}, {}] (n={})", signed1(c.mean_diff), signed1(lo), signed1(hi), c.n_pairs)
            }
            None => format!("{} (n={})", signed1(c.mean_diff), c.n_pairs),
        },
    }
}

/// One cell of a row; `md` quotes labels for markdown.
pub(crate) fn cell(r: &SettingSummary, col: Col, md: bool) -> String {
    let s = |f: fn(&Describe) -> f64| r.stats.as_ref().map(|d| f1(f(d))).unwrap_or_else(|| "-".to_string());
    match col {
        Col::Source => r.source.as_deref().map(|g| quote(g, md)).unwrap_or_else(|| "-".into()),
        Col::Group => r.group.as_deref().map(|g| quote(g, md)).unwrap_or_else(|| "-".into()),
        Col::Setting => quote(&r.setting, md),
        Col::Precision => r.params.precision.clone(),
        Col::Runs => r.runs.to_string(),
        Col::Mean => s(|d| d.mean),
        Col::MeanFinished => r.finished_stats.as_ref().map(|d| f1(d.mean)).unwrap_or_else(|| "-".to_string()),
        Col::Std => s(|d| d.std),
        Col::Median => s(|d| d.median),
        Col::Min => s(|d| d.min),
        Col::Max => s(|d| d.max),
        // Fewer finished runs than n: the curve's last point, marked with its own n.
        Col::Evp => r
            .evp_at(EVP_TABLE_N)
            .map(|e| f1(e.mean))
            .or_else(|| r.evp.last().map(|e| format!("{} (n={})", f1(e.mean), e.n)))
            .unwrap_or_else(|| "—".into()),
        Col::Failed => failure_text(r.failed, r.runs),
        Col::Diverged => r.diverged.to_string(),
        Col::Baseline => match &r.baseline {
            Baseline::Itself => "itself".to_string(),
            Baseline::Setting(b) => quote(b, md),
            Baseline::Missing(b) => format!("{} (no runs)", quote(b, md)),
        },
        Col::Delta => delta_text(r, md),
        Col::FailTest => match r.failure_test {
            Some(t) => format!("{} ({})", p_text(t.p_value()), t.describe()),
            None => "-".to_string(),
        },
        Col::Ref => match (r.paper, r.paper_ref) {
            (Some(p), Some(v)) if md => {
                format!("{} ({}) — {}: {}", f1(v.mean), f1(v.max), p.source(), p.label())
            }
            (Some(p), Some(v)) => format!("{} ({}) {}", f1(v.mean), f1(v.max), p.source()),
            _ => "-".to_string(),
        },
    }
}

/// Caption line of a task: metric, chance score and baseline.
pub(crate) fn task_caption(t: &TaskSummary) -> String {
    let base = match &t.baseline {
        Some(b) => format!("baseline `{b}`"),
        None => "baselines per setting".to_string(),
    };
    format!("{}: dev {}, chance {}, {base}", t.task, t.metric, f1(t.chance))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_text_shows_rate_and_wilson_interval() {
        // Wilson 1/5 = [3.6%, 62.4%] (see stats::tests::wilson_hand_computed).
        assert_eq!(failure_text(1, 5), "1/5 = 20% (4–62%)");
        assert_eq!(failure_text(0, 20), "0/20 = 0% (0–16%)");
        assert_eq!(failure_text(0, 0), "0/0");
    }

    #[test]
    fn evp_header_names_the_table_n() {
        // The header is a literal for the &'static str tables; keep it in step with the constant.
        assert_eq!(Col::Evp.header(), format!("E[max] n={EVP_TABLE_N}"));
    }

    #[test]
    fn p_values_keep_small_ones_readable() {
        assert_eq!(p_text(1.0), "1.000");
        assert_eq!(p_text(0.125), "0.125");
        assert_eq!(p_text(0.0027594), "0.0028");
        assert_eq!(p_text(1e-7), "<0.0001");
    }
}
