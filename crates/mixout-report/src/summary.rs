//! Per-(task, setting) summary statistics, the paper's reference numbers, and the
//! markdown, CSV and terminal renderings of the summary table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::results::{RunParams, RunResult, RunStatus};
use crate::stats::{self, Describe, ExpectedMax, FailureTest, PairedComparison};

/// Tolerance when matching knob values (they come from YAML as decimals).
const EPS: f64 = 1e-9;

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < EPS
}

/// The runs of one setting of one task.
#[derive(Debug, Clone)]
pub struct SettingRuns<'a> {
    /// Setting label.
    pub setting: String,
    /// Position of the setting in the experiment file.
    pub setting_index: usize,
    /// Knobs of the setting (taken from its first run).
    pub params: RunParams,
    /// Every run of the setting, sorted by seed.
    pub runs: Vec<&'a RunResult>,
}

impl SettingRuns<'_> {
    /// `(seed, score)` of the runs that finished with a finite score; diverged runs
    /// have no score and are left out of every statistic but the counts.
    pub fn scores(&self) -> Vec<(u64, f64)> {
        self.runs.iter().filter_map(|r| finished_score(r).map(|s| (r.seed, s))).collect()
    }

    /// `(seed, failed)` of every run, diverged ones included (they count as failed).
    pub fn failures(&self) -> Vec<(u64, bool)> {
        self.runs.iter().map(|r| (r.seed, r.failed)).collect()
    }

    /// Group of the setting, from its first run (every run of a setting has the same).
    pub fn group(&self) -> Option<&str> {
        self.runs.first().and_then(|r| r.group.as_deref())
    }

    /// Baseline label the result files name for this setting, from its first run.
    pub fn named_baseline(&self) -> Option<&str> {
        self.runs.first().and_then(|r| r.baseline.as_deref())
    }
}

/// The score of a run that finished, if finite.
pub fn finished_score(r: &RunResult) -> Option<f64> {
    match (r.status, r.score) {
        (RunStatus::Finished, Some(s)) if s.is_finite() => Some(s),
        _ => None,
    }
}

/// The runs of one task, grouped by setting.
#[derive(Debug, Clone)]
pub struct TaskRuns<'a> {
    /// Task name as written in the result files.
    pub task: String,
    /// Headline dev metric (from the task's first run).
    pub metric: String,
    /// Chance score of the headline metric (from the task's first run).
    pub chance: f64,
    /// Settings in (setting index, label) order.
    pub settings: Vec<SettingRuns<'a>>,
}

/// Groups results by task (alphabetical) and setting (setting-index order), so
/// every table and plot comes out in the same order for the same files.
pub fn group_by_task(results: &[RunResult]) -> Vec<TaskRuns<'_>> {
    let mut tasks: BTreeMap<&str, BTreeMap<(usize, &str), Vec<&RunResult>>> = BTreeMap::new();
    for r in results {
        tasks.entry(r.task.as_str()).or_default().entry((r.setting_index, r.setting.as_str())).or_default().push(r);
    }
    tasks
        .into_iter()
        .filter_map(|(task, settings)| {
            let first = settings.values().next()?.first()?;
            let (metric, chance) = (first.metric.clone(), first.chance);
            let settings = settings
                .into_iter()
                .filter_map(|((setting_index, setting), mut runs)| {
                    runs.sort_by(|a, b| a.seed.cmp(&b.seed).then(a.run_id.cmp(&b.run_id)));
                    let params = runs.first()?.params.clone();
                    Some(SettingRuns { setting: setting.to_string(), setting_index, params, runs })
                })
                .collect();
            Some(TaskRuns { task: task.to_string(), metric, chance, settings })
        })
        .collect()
}

/// Output-layer regulariser of a row of the paper's Table 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperHead {
    /// No regulariser on the output layer.
    None,
    /// mixout(w0, 0.7) on the output layer, w0 its own initialisation.
    Mixout,
    /// dropout(0.7) before the output layer.
    Dropout,
}

impl PaperHead {
    /// Recognises the head strings result files carry (`none`, `mixout(w0, 0.7)`,
    /// `dropout(0.7)`); spaces and case are ignored and the probability is compared
    /// with a tolerance, because it is printed from a YAML decimal.
    pub fn parse(head: &str) -> Option<Self> {
        let h: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        let h = h.to_ascii_lowercase();
        let prob = |rest: Option<&str>| {
            rest.and_then(|r| r.strip_suffix(')')).and_then(|x| x.parse::<f64>().ok()).is_some_and(|p| approx(p, 0.7))
        };
        if h == "none" {
            Some(Self::None)
        } else if prob(h.strip_prefix("mixout(w0,")) {
            Some(Self::Mixout)
        } else if prob(h.strip_prefix("dropout(")) {
            Some(Self::Dropout)
        } else {
            None
        }
    }

    /// The paper's notation.
    pub fn label(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Mixout => "mixout(w0, 0.7)",
            Self::Dropout => "dropout(0.7)",
        }
    }
}

/// A setting of the paper's Table 1 (with its λ sweep) or Table 3, recognised from
/// run knobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PaperSetting {
    /// dropout(0.1) + wdecay(0, 0.01), no mixout: the paper's baseline.
    Baseline,
    /// wdecay(w_pre, λ) without mixout, λ ∈ {0.01, 0.04, 0.07, 0.10}.
    WdecayPretrained(f64),
    /// mixout(w_pre, p) without weight decay, p ∈ {0.7, 0.8, 0.9}.
    Mixout(f64),
    /// mixout(w_pre, p) + wdecay(w_pre, 0.01), p ∈ {0.7, 0.8, 0.9}.
    MixoutWdecay(f64),
    /// Table 3: the paper's layers at mixout(w_pre, 0.7), no weight decay, and this
    /// regulariser on the output layer. Its `None` row is Table 1's mixout(w_pre, 0.7).
    OutputLayer(PaperHead),
}

/// A reference value of the paper (BERT-large, 20 restarts): dev score mean and max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperRef {
    /// Mean over restarts.
    pub mean: f64,
    /// Best restart.
    pub max: f64,
}

impl PaperSetting {
    /// Recognises a paper setting from the knobs. Only the regulariser knobs are
    /// compared (and, for Table 3, the head and the mixed layers, which are what
    /// that table varies); optimiser knobs are not, because the reference is a
    /// direction to compare against, not a replication claim.
    pub fn from_params(p: &RunParams) -> Option<Self> {
        // The paper's protocol only: BERTAdam without bias correction on the whole training
        // set, nothing re-initialised, one learning rate for all layers.
        if p.bias_correction || p.reinit_layers > 0 || p.llrd.is_some() || p.train_subset.is_some() {
            return None;
        }
        let no_mixout = approx(p.mixout_p, 0.0);
        let toward_pre = p.wdecay_toward.eq_ignore_ascii_case("pretrained");
        let toward_zero = p.wdecay_toward.eq_ignore_ascii_case("zero");
        let in_set = |x: f64, set: &[f64]| set.iter().any(|&v| approx(x, v));
        let table3 = approx(p.mixout_p, 0.7) && approx(p.wdecay, 0.0) && p.mixout_layers.eq_ignore_ascii_case("paper");
        if let (true, Some(head)) = (table3, PaperHead::parse(&p.head)) {
            Some(Self::OutputLayer(head))
        } else if no_mixout && approx(p.dropout, 0.1) && toward_zero && approx(p.wdecay, 0.01) {
            Some(Self::Baseline)
        } else if no_mixout && toward_pre && in_set(p.wdecay, &[0.01, 0.04, 0.07, 0.10]) {
            Some(Self::WdecayPretrained(p.wdecay))
        } else if in_set(p.mixout_p, &[0.7, 0.8, 0.9]) && approx(p.wdecay, 0.0) {
            Some(Self::Mixout(p.mixout_p))
        } else if in_set(p.mixout_p, &[0.7, 0.8, 0.9]) && toward_pre && approx(p.wdecay, 0.01) {
            Some(Self::MixoutWdecay(p.mixout_p))
        } else {
            None
        }
    }

    /// The paper's notation for the setting.
    pub fn label(&self) -> String {
        match self {
            Self::Baseline => "dropout(0.1)+wdecay(0, .01)".to_string(),
            Self::WdecayPretrained(l) => format!("wdecay(w_pre, {l:.2})"),
            Self::Mixout(p) => format!("mixout(w_pre, {p:.1})"),
            Self::MixoutWdecay(p) => format!("mixout(w_pre, {p:.1})+wdecay(w_pre, .01)"),
            Self::OutputLayer(h) => format!("mixout(w_pre, 0.7), head {}", h.label()),
        }
    }

    /// The table of the paper the reference comes from. Table 3's `none` row
    /// repeats Table 1's mixout(w_pre, 0.7) (same runs), so it names both.
    pub fn source(&self) -> &'static str {
        match self {
            Self::OutputLayer(PaperHead::None) => "Tables 1, 3",
            Self::OutputLayer(_) => "Table 3",
            _ => "Table 1",
        }
    }

    /// The paper's BERT-large value for a task (RTE, MRPC, CoLA, STS-B; case and
    /// punctuation ignored), where the paper reports one.
    pub fn reference(&self, task: &str) -> Option<PaperRef> {
        let col = match normalise_task(task).as_str() {
            "RTE" => 0,
            "MRPC" => 1,
            "COLA" => 2,
            "STSB" => 3,
            _ => return None,
        };
        // Table 1 rows, then Table 3's two heads that Table 1 does not have.
        let row: [(f64, f64); 4] = match *self {
            Self::Baseline => [(56.5, 73.6), (83.4, 90.4), (38.8, 63.3), (82.4, 90.3)],
            Self::WdecayPretrained(l) if approx(l, 0.01) => [(56.3, 71.5), (86.2, 91.6), (41.9, 65.6), (85.4, 90.5)],
            Self::Mixout(p) if approx(p, 0.7) => MIXOUT07_TABLE1,
            Self::OutputLayer(PaperHead::None) => MIXOUT07_TABLE1,
            Self::Mixout(p) if approx(p, 0.8) => [(64.0, 74.0), (89.0, 90.7), (57.9, 63.8), (89.4, 90.3)],
            Self::Mixout(p) if approx(p, 0.9) => [(64.3, 73.3), (88.2, 91.4), (55.2, 63.4), (89.4, 90.0)],
            Self::MixoutWdecay(p) if approx(p, 0.7) => [(65.3, 74.4), (87.8, 91.8), (51.9, 64.0), (89.6, 90.6)],
            Self::OutputLayer(PaperHead::Mixout) => [(66.5, 75.5), (88.1, 92.4), (58.7, 65.6), (89.7, 90.6)],
            Self::OutputLayer(PaperHead::Dropout) => [(57.2, 70.8), (85.9, 92.5), (48.9, 64.3), (89.2, 89.8)],
            _ => return None,
        };
        let (mean, max) = row[col];
        Some(PaperRef { mean, max })
    }
}

/// Table 1's mixout(w_pre, 0.7) row, which is also Table 3's `none` row: RTE, MRPC,
/// CoLA, STS-B as (mean, max).
const MIXOUT07_TABLE1: [(f64, f64); 4] = [(61.6, 74.0), (87.1, 91.1), (57.4, 62.1), (89.6, 90.3)];

fn normalise_task(task: &str) -> String {
    task.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase()
}

/// Number of restarts at which the table reports the expected maximum.
pub const EVP_TABLE_N: usize = 5;

/// Which setting a row is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// The row is a baseline: other rows are compared with it.
    Itself,
    /// The row is compared with the setting of this label.
    Setting(String),
    /// The result files name this label as the baseline, but the results hold no
    /// run of it (not run yet, or run into another folder).
    Missing(String),
}

impl Baseline {
    /// The label of the baseline setting; `own` for a baseline row.
    pub fn label<'a>(&'a self, own: &'a str) -> &'a str {
        match self {
            Self::Itself => own,
            Self::Setting(b) | Self::Missing(b) => b,
        }
    }
}

/// Summary of one setting of one task.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingSummary {
    /// Setting label.
    pub setting: String,
    /// Position of the setting in the experiment file.
    pub setting_index: usize,
    /// Group of the setting, when the experiment uses groups.
    pub group: Option<String>,
    /// Knobs of the setting.
    pub params: RunParams,
    /// Number of result files (finished and diverged).
    pub runs: usize,
    /// Statistics of the scores of finished runs; `None` when every run diverged.
    pub stats: Option<Describe>,
    /// Runs flagged failed (score at or below chance, or diverged).
    pub failed: usize,
    /// Wilson 95% interval of the failure rate `failed / runs`, as fractions.
    pub failure_ci95: Option<(f64, f64)>,
    /// Runs whose loss became non-finite.
    pub diverged: usize,
    /// The setting this row is compared with.
    pub baseline: Baseline,
    /// Paired comparison of scores with the baseline; `None` for a baseline row, a
    /// missing baseline, or when no seed finished in both.
    pub vs_baseline: Option<PairedComparison>,
    /// Exact test of the failure count against the baseline's; `None` for a
    /// baseline row or a missing baseline.
    pub failure_test: Option<FailureTest>,
    /// Expected best score over n = 1..N restarts (finished runs only).
    pub evp: Vec<ExpectedMax>,
    /// The paper setting these knobs match, if any.
    pub paper: Option<PaperSetting>,
    /// The paper's BERT-large value for that setting and task, if it has one.
    pub paper_ref: Option<PaperRef>,
}

impl SettingSummary {
    /// Whether other rows may be compared with this one.
    pub fn is_baseline(&self) -> bool {
        self.baseline == Baseline::Itself
    }

    /// Failed runs over all runs; `None` without runs.
    pub fn failure_rate(&self) -> Option<f64> {
        (self.runs > 0).then(|| self.failed as f64 / self.runs as f64)
    }

    /// Expected best score over `n` restarts, when the setting has at least `n`
    /// finished runs (beyond N the empirical distribution says nothing new).
    pub fn evp_at(&self, n: usize) -> Option<ExpectedMax> {
        self.evp.get(n.checked_sub(1)?).copied()
    }
}

/// Summary of one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSummary {
    /// Task name.
    pub task: String,
    /// Headline dev metric.
    pub metric: String,
    /// Chance score of that metric.
    pub chance: f64,
    /// Label of the baseline every row is compared with; `None` when rows use
    /// different baselines (then the tables get a baseline column).
    pub baseline: Option<String>,
    /// One row per setting, in setting-index order.
    pub rows: Vec<SettingSummary>,
}

impl TaskSummary {
    /// Whether any row belongs to a group.
    pub fn has_groups(&self) -> bool {
        self.rows.iter().any(|r| r.group.is_some())
    }

    /// Whether any setting trained in a precision other than fp32.
    pub fn has_reduced_precision(&self) -> bool {
        self.rows.iter().any(|r| !r.params.precision.eq_ignore_ascii_case("fp32"))
    }
}

/// Summarises every task (see [`summarize_task`]).
pub fn summarize(results: &[RunResult]) -> Vec<TaskSummary> {
    group_by_task(results).iter().map(summarize_task).collect()
}

/// Summarises one task's grouped runs.
///
/// Each row is compared with the baseline its result files name: its own label
/// makes it a baseline, another label compares it with that setting. A setting
/// that names none is compared with the task's default baseline: the first
/// setting whose knobs match the paper's baseline, or else its first setting by
/// setting index (the behaviour before result files named baselines).
pub fn summarize_task(t: &TaskRuns<'_>) -> TaskSummary {
    let default_idx = t
        .settings
        .iter()
        .position(|s| PaperSetting::from_params(&s.params) == Some(PaperSetting::Baseline))
        .unwrap_or(0);
    let by_label = |label: &str| t.settings.iter().find(|s| s.setting == label);
    let rows: Vec<SettingSummary> = t
        .settings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let baseline = match s.named_baseline() {
                Some(b) if b == s.setting => Baseline::Itself,
                Some(b) if by_label(b).is_some() => Baseline::Setting(b.to_string()),
                Some(b) => Baseline::Missing(b.to_string()),
                None if i == default_idx => Baseline::Itself,
                None => t.settings.get(default_idx).map_or(Baseline::Itself, |d| Baseline::Setting(d.setting.clone())),
            };
            let base = match &baseline {
                Baseline::Setting(b) => by_label(b),
                _ => None,
            };
            let scores = s.scores();
            let values: Vec<f64> = scores.iter().map(|&(_, v)| v).collect();
            let failed = s.runs.iter().filter(|r| r.failed).count();
            let paper = PaperSetting::from_params(&s.params);
            SettingSummary {
                setting: s.setting.clone(),
                setting_index: s.setting_index,
                group: s.group().map(str::to_string),
                params: s.params.clone(),
                runs: s.runs.len(),
                stats: stats::describe(&values),
                failed,
                failure_ci95: stats::wilson_interval(failed, s.runs.len(), stats::Z95),
                diverged: s.runs.iter().filter(|r| r.status == RunStatus::Diverged).count(),
                vs_baseline: base.and_then(|b| stats::paired_comparison(&scores, &b.scores())),
                failure_test: base.and_then(|b| stats::failure_test(&s.failures(), &b.failures())),
                evp: stats::expected_max(&values),
                baseline,
                paper,
                paper_ref: paper.and_then(|p| p.reference(&t.task)),
            }
        })
        .collect();
    let mut labels: Vec<&str> = rows.iter().map(|r| r.baseline.label(&r.setting)).collect();
    labels.sort_unstable();
    labels.dedup();
    let baseline = match labels.as_slice() {
        [only] => Some(only.to_string()),
        _ => None,
    };
    TaskSummary { task: t.task.clone(), metric: t.metric.clone(), chance: t.chance, baseline, rows }
}

/// Facts about the whole results folder shown above the tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// Number of result files read.
    pub n_results: usize,
    /// Distinct experiment names.
    pub experiments: Vec<String>,
    /// Distinct model folders or hub ids.
    pub models: Vec<String>,
    /// Distinct harness versions (`mixout` version and git description).
    pub versions: Vec<String>,
}

impl Provenance {
    /// Collects the distinct experiments, models and versions, sorted.
    pub fn of(results: &[RunResult]) -> Self {
        let uniq = |f: &dyn Fn(&RunResult) -> String| -> Vec<String> {
            let mut v: Vec<String> = results.iter().map(f).collect();
            v.sort();
            v.dedup();
            v
        };
        Self {
            n_results: results.len(),
            experiments: uniq(&|r| r.experiment.clone()),
            models: uniq(&|r| r.model.clone()),
            versions: uniq(&|r| match &r.versions.git {
                Some(g) => {
                    format!("mixout {} ({g}), libtorch {}", r.versions.mixout, r.versions.libtorch)
                }
                None => format!("mixout {}, libtorch {}", r.versions.mixout, r.versions.libtorch),
            }),
        }
    }

    /// Whether any model is one of the shipped sentence-encoder MiniLMs.
    pub fn uses_minilm(&self) -> bool {
        self.models.iter().any(|m| m.to_ascii_lowercase().contains("minilm"))
    }
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn signed1(x: f64) -> String {
    // Avoid "-0.0", which reads as a loss that is not there.
    let x = if x.abs() < 0.05 { 0.0 } else { x };
    format!("{x:+.1}")
}

/// A p-value with enough digits to tell 0.003 from 0.0004, without pretending to
/// precision below 1e-4.
fn p_text(p: f64) -> String {
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
enum Col {
    Group,
    Setting,
    Precision,
    Runs,
    Mean,
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
    fn header(self) -> &'static str {
        match self {
            Col::Group => "group",
            Col::Setting => "setting",
            Col::Precision => "precision",
            Col::Runs => "runs",
            Col::Mean => "mean",
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
    fn is_text(self) -> bool {
        matches!(
            self,
            Col::Group
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
fn columns(t: &TaskSummary) -> Vec<Col> {
    let mut cols = Vec::new();
    if t.has_groups() {
        cols.push(Col::Group);
    }
    cols.push(Col::Setting);
    if t.has_reduced_precision() {
        cols.push(Col::Precision);
    }
    cols.extend([
        Col::Runs,
        Col::Mean,
        Col::Std,
        Col::Median,
        Col::Min,
        Col::Max,
        Col::Evp,
        Col::Failed,
        Col::Diverged,
    ]);
    if t.baseline.is_none() {
        cols.push(Col::Baseline);
    }
    cols.extend([Col::Delta, Col::FailTest, Col::Ref]);
    cols
}

/// How a label is quoted: in backticks (with `|` escaped) in markdown, bare on a terminal.
fn quote(label: &str, md: bool) -> String {
    if md {
        format!("`{}`", label.replace('|', "\\|"))
    } else {
        label.to_string()
    }
}

/// "Δ mean [95% CI] (n pairs)" text of a row.
fn delta_text(r: &SettingSummary, md: bool) -> String {
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
fn cell(r: &SettingSummary, col: Col, md: bool) -> String {
    let s = |f: fn(&Describe) -> f64| r.stats.as_ref().map(|d| f1(f(d))).unwrap_or_else(|| "-".to_string());
    match col {
        Col::Group => r.group.as_deref().map(|g| quote(g, md)).unwrap_or_else(|| "-".into()),
        Col::Setting => quote(&r.setting, md),
        Col::Precision => r.params.precision.clone(),
        Col::Runs => r.runs.to_string(),
        Col::Mean => s(|d| d.mean),
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
            Some(t) => format!("{} ({})", p_text(t.p_value()), t.name()),
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
fn task_caption(t: &TaskSummary) -> String {
    let base = match &t.baseline {
        Some(b) => format!("baseline `{b}`"),
        None => "baselines per setting".to_string(),
    };
    format!("{}: dev {}, chance {}, {base}", t.task, t.metric, f1(t.chance))
}

/// The summary as a markdown document: header, one table per task, legend, and
/// links to the figures given as `(task, file name)`.
pub fn markdown(tasks: &[TaskSummary], prov: &Provenance, figures: &[(String, String)]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Mixout finetuning report\n");
    let _ = writeln!(md, "- result files: {}", prov.n_results);
    let _ = writeln!(md, "- experiment(s): {}", prov.experiments.join(", "));
    let _ = writeln!(md, "- model(s): {}", prov.models.join(", "));
    let _ = writeln!(md, "- harness: {}", prov.versions.join("; "));
    if prov.uses_minilm() {
        let _ = writeln!(
            md,
            "\n**Model note:** the shipped models are sentence-encoder MiniLMs (BERT architecture, \
             further trained on NLI/paraphrase pairs), not raw MLM-pretrained BERT; neither their \
             scores nor their stability are directly comparable to the paper's BERT-large."
        );
    }
    for t in tasks {
        let cols = columns(t);
        let _ = writeln!(md, "\n## {}\n", task_caption(t).replacen(':', " —", 1));
        let headers: Vec<&str> = cols.iter().map(|c| c.header()).collect();
        let _ = writeln!(md, "| {} |", headers.join(" | "));
        let align: Vec<&str> = cols.iter().map(|c| if c.is_text() { "---" } else { "---:" }).collect();
        let _ = writeln!(md, "|{}|", align.join("|"));
        for r in &t.rows {
            let c: Vec<String> = cols.iter().map(|&c| cell(r, c, true)).collect();
            let _ = writeln!(md, "| {} |", c.join(" | "));
        }
        let figs: Vec<&String> = figures.iter().filter(|(task, _)| task == &t.task).map(|(_, f)| f).collect();
        if !figs.is_empty() {
            let _ = writeln!(md);
            for f in figs {
                let _ = writeln!(md, "![{f}]({f})");
            }
        }
    }
    let _ = writeln!(md, "\n## Legend\n");
    let _ = writeln!(
        md,
        "- Scores are the final dev score of the task's headline metric: percent for accuracy and F1, \
         ×100 for correlations (Matthews, Spearman), as in the paper's tables."
    );
    let _ = writeln!(
        md,
        "- **group**, **precision**: shown only when the experiment groups its settings, or when a \
         setting trained in a precision other than fp32 (tf32, bf16)."
    );
    let _ = writeln!(
        md,
        "- **runs**: result files of the setting; **mean, std, median, min, max** are over the runs \
         that finished (std is the sample standard deviation, divisor n−1; 0 for a single run)."
    );
    let _ = writeln!(
        md,
        "- **E[max] n={n}**: expected validation performance (Dodge et al. 2019, \"Show your work\"): \
         the expected best dev score among {n} restarts drawn with replacement from the setting's \
         finished runs, E[max_n] = Σᵢ v₍ᵢ₎·((i/N)ⁿ − ((i−1)/N)ⁿ) over the N sorted scores. Diverged \
         runs have no score and are left out; with fewer than {n} finished runs the value at their \
         number N is shown, marked (n=N) (— when none finished). The `evp_` \
         figure shows it for every n with ±1 sd.",
        n = EVP_TABLE_N
    );
    let chances: Vec<String> = tasks.iter().map(|t| format!("{} {} {}", t.task, t.metric, f1(t.chance))).collect();
    let _ = writeln!(
        md,
        "- **failed**: the run's dev score is at or below the chance score (the majority-class \
         predictor; here: {}), or the run diverged. Shown as failed/runs = failure rate, with its \
         95% Wilson score interval (z = {}). **diverged**: the training loss became NaN or \
         infinite; such runs have no score and are counted in *failed* too.",
        chances.join("; "),
        stats::Z95
    );
    let _ = writeln!(
        md,
        "- **baseline**: each setting is compared with the baseline its result files name (a \
         setting naming itself is a baseline; \"has no runs\" when the named baseline is not in \
         these results). A setting naming none is compared with the setting matching the paper's \
         dropout(0.1)+wdecay(0, .01) if present, else the experiment's first setting. With one \
         baseline for the whole task it is named in the heading; otherwise a column names it."
    );
    let _ = writeln!(
        md,
        "- **Δ mean vs baseline**: mean of the per-seed differences (setting − baseline) over the \
         seeds both finished (n pairs), with a percentile-bootstrap 95% interval ({} resamples, \
         ChaCha8 seed {}).",
        stats::BOOTSTRAP_RESAMPLES,
        stats::BOOTSTRAP_SEED
    );
    let _ = writeln!(
        md,
        "- **failures vs baseline**: two-sided exact test of the failure count against the \
         baseline's. *McNemar*: when the two share seeds, over the shared seeds (paired: same data \
         order and head initialisation), binomial on the seeds where exactly one failed, \
         p = min(1, 2·P(X ≤ min(b, c))), 1 when there is no such seed. *Fisher*: when they share \
         no seed, Fisher's exact test on the 2×2 table of failed and other runs. Few restarts \
         give little power: a large p is no evidence of equal failure rates."
    );
    let _ = writeln!(
        md,
        "- **BERT-large ref.**: the paper's (Lee, Cho & Kang, ICLR 2020) mean (max) over 20 \
         restarts of BERT-large uncased, shown where a setting's knobs match one of the paper's \
         settings: Table 1 (regularisers of the pretrained layers) or Table 3 (regulariser of the \
         output layer, with the pretrained layers at mixout(w_pre, 0.7) and no weight decay; its \
         `none` row is Table 1's mixout(w_pre, 0.7)). It is a reference for the direction of \
         effects only: a different model, so absolute numbers are not comparable."
    );
    md
}

/// The summary as plain text with aligned columns, for the terminal.
pub fn terminal_table(tasks: &[TaskSummary]) -> String {
    let mut out = String::new();
    for (k, t) in tasks.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let cols = columns(t);
        let _ = writeln!(out, "{}", task_caption(t).replace('`', ""));
        let mut rows: Vec<Vec<String>> = vec![cols.iter().map(|c| c.header().to_string()).collect()];
        rows.extend(t.rows.iter().map(|r| cols.iter().map(|&c| cell(r, c, false)).collect()));
        let widths: Vec<usize> =
            (0..cols.len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        for (j, r) in rows.iter().enumerate() {
            let line: Vec<String> = r
                .iter()
                .zip(&cols)
                .enumerate()
                .map(|(i, (c, col))| {
                    let pad = " ".repeat(widths[i] - c.chars().count());
                    if col.is_text() {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
            if j == 0 {
                let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                let _ = writeln!(out, "{}", "-".repeat(total));
            }
        }
    }
    if !tasks.is_empty() {
        let _ = writeln!(
            out,
            "\nfailed = score <= chance or diverged, with Wilson 95% CI; E[max] n=5 = expected best of 5 \
             restarts (finished runs); Δ = paired mean difference vs baseline with bootstrap 95% CI; \
             failures vs baseline = exact McNemar (shared seeds) or Fisher test; BERT-large ref. = \
             paper mean (max), a different model: not comparable in absolute terms."
        );
    }
    out
}

/// Column names of `summary.csv`.
pub const CSV_HEADER: &str = "task,metric,chance,group,setting,setting_index,dropout,mixout_p,wdecay,wdecay_toward,\
head,mixout_layers,lr,epochs,bias_correction,precision,reinit_layers,llrd,runs,finished,\
mean,std,median,min,max,evp_n5,failed,diverged,failure_rate,failure_ci_low,failure_ci_high,\
is_baseline,baseline,baseline_has_runs,pairs,delta_mean,delta_ci_low,delta_ci_high,\
failure_test,failure_p,paper_setting,paper_table,paper_mean,paper_max";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The summary as CSV: one row per (task, setting), plain numbers (full
/// precision, empty where there is no value; rates as fractions), for further analysis.
pub fn csv(tasks: &[TaskSummary]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for t in tasks {
        for r in &t.rows {
            let p = &r.params;
            let d = r.stats.as_ref();
            let c = r.vs_baseline.as_ref();
            let fields: Vec<String> = vec![
                csv_field(&t.task),
                csv_field(&t.metric),
                t.chance.to_string(),
                r.group.as_deref().map(csv_field).unwrap_or_default(),
                csv_field(&r.setting),
                r.setting_index.to_string(),
                p.dropout.to_string(),
                p.mixout_p.to_string(),
                p.wdecay.to_string(),
                csv_field(&p.wdecay_toward),
                csv_field(&p.head),
                csv_field(&p.mixout_layers),
                p.lr.to_string(),
                p.epochs.to_string(),
                p.bias_correction.to_string(),
                csv_field(&p.precision),
                p.reinit_layers.to_string(),
                num(p.llrd),
                r.runs.to_string(),
                d.map(|d| d.n).unwrap_or(0).to_string(),
                num(d.map(|d| d.mean)),
                num(d.map(|d| d.std)),
                num(d.map(|d| d.median)),
                num(d.map(|d| d.min)),
                num(d.map(|d| d.max)),
                num(r.evp_at(EVP_TABLE_N).map(|e| e.mean)),
                r.failed.to_string(),
                r.diverged.to_string(),
                num(r.failure_rate()),
                num(r.failure_ci95.map(|ci| ci.0)),
                num(r.failure_ci95.map(|ci| ci.1)),
                r.is_baseline().to_string(),
                csv_field(r.baseline.label(&r.setting)),
                (!matches!(r.baseline, Baseline::Missing(_))).to_string(),
                c.map(|c| c.n_pairs.to_string()).unwrap_or_default(),
                num(c.map(|c| c.mean_diff)),
                num(c.and_then(|c| c.ci95).map(|ci| ci.0)),
                num(c.and_then(|c| c.ci95).map(|ci| ci.1)),
                r.failure_test.map(|t| t.name().to_ascii_lowercase()).unwrap_or_default(),
                num(r.failure_test.map(|t| t.p_value())),
                r.paper.map(|p| csv_field(&p.label())).unwrap_or_default(),
                r.paper.map(|p| csv_field(p.source())).unwrap_or_default(),
                num(r.paper_ref.map(|p| p.mean)),
                num(r.paper_ref.map(|p| p.max)),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(mixout_p: f64, wdecay: f64, layers: &str, head: &str) -> RunParams {
        RunParams {
            dropout: 0.0,
            mixout_p,
            mixout_layers: layers.into(),
            head: head.into(),
            wdecay,
            wdecay_toward: "zero".into(),
            lr: 2e-5,
            epochs: 3,
            bias_correction: false,
            train_subset: None,
            precision: "fp32".into(),
            reinit_layers: 0,
            llrd: None,
        }
    }

    #[test]
    fn table3_heads_are_recognised_from_runner_strings() {
        // The runner formats heads as `mixout(w0, {p})` and `dropout({p})` with f64 Display.
        // Methods beyond the paper's protocol have no paper value.
        for change in [
            |p: &mut RunParams| p.bias_correction = true,
            |p: &mut RunParams| p.reinit_layers = 2,
            |p: &mut RunParams| p.llrd = Some(0.9),
            |p: &mut RunParams| p.train_subset = Some(1000),
        ] {
            let mut p = params(0.7, 0.0, "paper", "none");
            change(&mut p);
            assert_eq!(PaperSetting::from_params(&p), None);
        }
        let h = |s: &str| PaperSetting::from_params(&params(0.7, 0.0, "paper", s));
        assert_eq!(h("mixout(w0, 0.7)"), Some(PaperSetting::OutputLayer(PaperHead::Mixout)));
        assert_eq!(h("dropout(0.7)"), Some(PaperSetting::OutputLayer(PaperHead::Dropout)));
        assert_eq!(h("none"), Some(PaperSetting::OutputLayer(PaperHead::None)));
        // Another head keeps Table 1's mixout(w_pre, 0.7), as before Table 3 was known.
        assert_eq!(h("dropout(0.1)"), Some(PaperSetting::Mixout(0.7)));
        // Table 3 needs the paper's layers and no weight decay.
        let custom = params(0.7, 0.0, "custom", "dropout(0.7)");
        assert_eq!(PaperSetting::from_params(&custom), Some(PaperSetting::Mixout(0.7)));
        let wd = params(0.7, 0.01, "paper", "dropout(0.7)");
        assert_ne!(PaperSetting::from_params(&wd), Some(PaperSetting::OutputLayer(PaperHead::Dropout)));
    }

    #[test]
    fn table3_values() {
        let v = |s: PaperSetting, task: &str| s.reference(task).map(|r| (r.mean, r.max));
        let mixout = PaperSetting::OutputLayer(PaperHead::Mixout);
        let dropout = PaperSetting::OutputLayer(PaperHead::Dropout);
        let none = PaperSetting::OutputLayer(PaperHead::None);
        assert_eq!(v(mixout, "RTE"), Some((66.5, 75.5)));
        assert_eq!(v(mixout, "sts-b"), Some((89.7, 90.6)));
        assert_eq!(v(dropout, "CoLA"), Some((48.9, 64.3)));
        assert_eq!(v(dropout, "MRPC"), Some((85.9, 92.5)));
        assert_eq!(v(none, "RTE"), v(PaperSetting::Mixout(0.7), "RTE"));
        assert_eq!(v(none, "STS-B"), Some((89.6, 90.3)));
        assert_eq!(v(mixout, "SST-2"), None);
        assert_eq!(mixout.source(), "Table 3");
        assert_eq!(mixout.label(), "mixout(w_pre, 0.7), head mixout(w0, 0.7)");
    }

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
