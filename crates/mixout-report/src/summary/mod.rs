//! Per-(task, setting) summary statistics, computed once and read by every rendering:
//! the tables ([`markdown`], [`csv`], [`terminal`]) and the figures ([`crate::plot`]).
//! The paper's reference numbers are in [`paper`].

pub(crate) mod cells;
pub mod csv;
pub mod markdown;
pub mod paper;
pub mod provenance;
pub mod terminal;

use std::collections::BTreeMap;

pub use cells::failure_text;
pub use csv::{csv, CSV_HEADER};
pub use markdown::markdown;
pub use paper::{PaperHead, PaperRef, PaperSetting};
pub use provenance::Provenance;
pub use terminal::terminal_table;

use crate::results::{RunParams, RunResult, RunStatus};
use crate::stats::{self, Describe, ExpectedMax, FailureTest, PairedComparison};

/// Tolerance when matching knob values (they come from YAML as decimals).
const EPS: f64 = 1e-9;

pub(crate) fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < EPS
}

/// The runs of one setting of one task.
#[derive(Debug, Clone)]
pub struct SettingRuns<'a> {
    /// Index of the study (results folder) the setting comes from; 0 for a single folder.
    pub study: usize,
    /// Label of that study when a report reads several that differ ([`crate::study::sources`]).
    pub source: Option<String>,
    /// Setting label.
    pub setting: String,
    /// Position of the setting in the experiment file.
    pub setting_index: usize,
    /// Knobs of the setting (taken from its first run).
    pub params: RunParams,
    /// Every run of the setting, sorted by seed.
    pub runs: Vec<&'a RunResult>,
    /// Where its runs' recorded metadata disagree (written under different versions of the
    /// experiment file): what was found and what the report uses.
    pub warnings: Vec<String>,
}

impl SettingRuns<'_> {
    /// `(seed, score)` of the runs that finished with a finite score (the figures' points,
    /// and the "finished only" mean).
    pub fn scores(&self) -> Vec<(u64, f64)> {
        self.runs.iter().filter_map(|r| finished_score(r).map(|s| (r.seed, s))).collect()
    }

    /// `(seed, score)` of every run, a diverged one (or one without a finite score) at
    /// `chance`: the collapsed score it stands for. Leaving such runs out would report
    /// the survivors of an unstable setting as if they were all of it.
    pub fn scores_counting_diverged(&self, chance: f64) -> Vec<(u64, f64)> {
        self.runs.iter().map(|r| (r.seed, finished_score(r).unwrap_or(chance))).collect()
    }

    /// `(seed, failed)` of every run, diverged ones included (they count as failed).
    pub fn failures(&self) -> Vec<(u64, bool)> {
        self.runs.iter().map(|r| (r.seed, r.failed)).collect()
    }

    /// Group of the setting: the one most of its runs record ([`majority`]).
    pub fn group(&self) -> Option<&str> {
        majority(self.runs.iter().map(|r| r.group.as_deref())).flatten()
    }

    /// Baseline label the result files name for this setting: the one most of its runs
    /// record ([`majority`]).
    pub fn named_baseline(&self) -> Option<&str> {
        majority(self.runs.iter().map(|r| r.baseline.as_deref())).flatten()
    }
}

/// How many times each value occurs, in value order.
fn counts<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeMap<T, usize> {
    let mut counts = BTreeMap::new();
    for x in items {
        *counts.entry(x).or_default() += 1;
    }
    counts
}

/// The most frequent value of `counts`; on a tie the smallest.
fn most_frequent<T: Copy>(counts: &BTreeMap<T, usize>) -> Option<T> {
    // max_by_key keeps the last of equal counts: reversing makes ties go to the smallest.
    counts.iter().rev().max_by_key(|(_, n)| **n).map(|(x, _)| *x)
}

/// The value most items have; on a tie the smallest. `None` for no items.
pub fn majority<T: Ord + Copy>(items: impl IntoIterator<Item = T>) -> Option<T> {
    most_frequent(&counts(items))
}

/// Says where the runs of a setting record different values of one field, and which the
/// report uses: `setting `D`: its runs record baseline `A` (3 runs) and `B` (2 runs); using `A``.
fn disagreement<T: Ord + Copy>(
    setting: &str,
    field: &str,
    values: impl IntoIterator<Item = T>,
    show: impl Fn(T) -> String,
) -> Option<String> {
    let counts = counts(values);
    if counts.len() < 2 {
        return None;
    }
    let used = most_frequent(&counts)?;
    let found: Vec<String> =
        counts.iter().map(|(x, n)| format!("{} ({n} run{})", show(*x), if *n == 1 { "" } else { "s" })).collect();
    Some(format!(
        "setting `{setting}`: its runs record {field} {}; using {} (they were written under different versions of the experiment file)",
        found.join(" and "),
        show(used)
    ))
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
    group_studies(&[(None, results)])
}

/// Groups the results of several studies by task (alphabetical), then study, then
/// setting. A setting is its label: runs of one label are one row, whatever position,
/// baseline or group the experiment file gave it when each was written (a setting inserted
/// above it later changes its index); the row takes what most of its runs record and warns
/// of the rest. Rows are in setting-index order. Settings of different studies stay apart
/// even when they share a label, and so do their runs.
pub fn group_studies<'a>(studies: &[(Option<String>, &'a [RunResult])]) -> Vec<TaskRuns<'a>> {
    type Key<'a> = (usize, &'a str);
    let mut tasks: BTreeMap<&str, BTreeMap<Key<'a>, Vec<&RunResult>>> = BTreeMap::new();
    for (k, (_, results)) in studies.iter().enumerate() {
        for r in results.iter() {
            let key = (k, r.setting.as_str());
            tasks.entry(r.task.as_str()).or_default().entry(key).or_default().push(r);
        }
    }
    tasks
        .into_iter()
        .filter_map(|(task, settings)| {
            let first = settings.values().next()?.first()?;
            let (metric, chance) = (first.metric.clone(), first.chance);
            let mut settings: Vec<SettingRuns<'a>> = settings
                .into_iter()
                .filter_map(|((study, setting), mut runs)| {
                    runs.sort_by(|a, b| a.seed.cmp(&b.seed).then(a.run_id.cmp(&b.run_id)));
                    let params = runs.first()?.params.clone();
                    let source = studies[study].0.clone();
                    let setting_index = majority(runs.iter().map(|r| r.setting_index))?;
                    let quote = |x: Option<&str>| x.map_or("none".to_string(), |v| format!("`{v}`"));
                    let warnings = [
                        disagreement(setting, "baseline", runs.iter().map(|r| r.baseline.as_deref()), quote),
                        disagreement(setting, "group", runs.iter().map(|r| r.group.as_deref()), quote),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    Some(SettingRuns {
                        study,
                        source,
                        setting: setting.to_string(),
                        setting_index,
                        params,
                        runs,
                        warnings,
                    })
                })
                .collect();
            settings
                .sort_by(|a, b| (a.study, a.setting_index, &a.setting).cmp(&(b.study, b.setting_index, &b.setting)));
            Some(TaskRuns { task: task.to_string(), metric, chance, settings })
        })
        .collect()
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
    /// Index of the study the setting comes from (0 for a single results folder).
    pub study: usize,
    /// Label of that study, when the report reads several that differ.
    pub source: Option<String>,
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
    /// Statistics of the scores of every run, a diverged one at the chance score; `None`
    /// without runs.
    pub stats: Option<Describe>,
    /// Statistics of the scores of the runs that finished; `None` when every run diverged.
    pub finished_stats: Option<Describe>,
    /// Runs flagged failed (score at or below chance, or diverged).
    pub failed: usize,
    /// Wilson 95% interval of the failure rate `failed / runs`, as fractions.
    pub failure_ci95: Option<(f64, f64)>,
    /// Runs whose loss became non-finite.
    pub diverged: usize,
    /// The setting this row is compared with.
    pub baseline: Baseline,
    /// Paired comparison of scores with the baseline (diverged runs at the chance score);
    /// `None` for a baseline row, a missing baseline, or when no seed ran in both.
    pub vs_baseline: Option<PairedComparison>,
    /// Exact test of the failure count against the baseline's; `None` for a
    /// baseline row or a missing baseline.
    pub failure_test: Option<FailureTest>,
    /// Expected best score over n = 1..N restarts (diverged runs at the chance score).
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
    /// Disagreements between the recorded metadata of a setting's runs (see
    /// [`group_studies`]), shown under the task's table.
    pub warnings: Vec<String>,
}

impl TaskSummary {
    /// Whether any row belongs to a group.
    pub fn has_groups(&self) -> bool {
        self.rows.iter().any(|r| r.group.is_some())
    }

    /// Whether rows come from studies told apart by a source label.
    pub fn has_sources(&self) -> bool {
        self.rows.iter().any(|r| r.source.is_some())
    }

    /// Row index of the baseline row `i` is compared with (itself for a baseline row),
    /// looked up within the row's own study; `None` when the baseline has no runs.
    pub fn baseline_row(&self, i: usize) -> Option<usize> {
        let r = self.rows.get(i)?;
        let label = r.baseline.label(&r.setting);
        self.rows.iter().position(|o| o.study == r.study && o.setting == label)
    }

    /// Whether any setting has a diverged run (then the tables add the finished-only mean).
    pub fn has_diverged(&self) -> bool {
        self.rows.iter().any(|r| r.diverged > 0)
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
/// Each row is compared with the baseline its result files name, within its own
/// study: its own label makes it a baseline, another label compares it with that
/// setting. A setting that names none is compared with its study's default baseline:
/// the first setting whose knobs match the paper's baseline, or else its first setting
/// by setting index (the behaviour before result files named baselines).
pub fn summarize_task(t: &TaskRuns<'_>) -> TaskSummary {
    let in_study = |k: usize| t.settings.iter().filter(move |s| s.study == k);
    let default_of = |k: usize| {
        in_study(k)
            .find(|s| PaperSetting::from_params(&s.params) == Some(PaperSetting::Baseline))
            .or_else(|| in_study(k).next())
    };
    let by_label = |k: usize, label: &str| in_study(k).find(|s| s.setting == label);
    let rows: Vec<SettingSummary> = t
        .settings
        .iter()
        .map(|s| {
            let baseline = match (s.named_baseline(), default_of(s.study)) {
                (Some(b), _) if b == s.setting => Baseline::Itself,
                (Some(b), _) if by_label(s.study, b).is_some() => Baseline::Setting(b.to_string()),
                (Some(b), _) => Baseline::Missing(b.to_string()),
                (None, Some(d)) if !std::ptr::eq(d, s) => Baseline::Setting(d.setting.clone()),
                (None, _) => Baseline::Itself,
            };
            let base = match &baseline {
                Baseline::Setting(b) => by_label(s.study, b),
                _ => None,
            };
            summarize_setting(s, baseline, base, &t.task, t.chance)
        })
        .collect();
    let mut labels: Vec<(usize, &str)> = rows.iter().map(|r| (r.study, r.baseline.label(&r.setting))).collect();
    labels.sort_unstable();
    labels.dedup();
    let baseline = match labels.as_slice() {
        [(_, only)] => Some(only.to_string()),
        _ => None,
    };
    let warnings = t.settings.iter().flat_map(|s| s.warnings.iter().cloned()).collect();
    TaskSummary { task: t.task.clone(), metric: t.metric.clone(), chance: t.chance, baseline, rows, warnings }
}

/// The summary row of one setting, compared with `base` (the runs of its baseline).
fn summarize_setting(
    s: &SettingRuns<'_>,
    baseline: Baseline,
    base: Option<&SettingRuns<'_>>,
    task: &str,
    chance: f64,
) -> SettingSummary {
    let scores = s.scores_counting_diverged(chance);
    let values: Vec<f64> = scores.iter().map(|&(_, v)| v).collect();
    let finished: Vec<f64> = s.scores().iter().map(|&(_, v)| v).collect();
    let failed = s.runs.iter().filter(|r| r.failed).count();
    let paper = PaperSetting::from_params(&s.params);
    SettingSummary {
        study: s.study,
        source: s.source.clone(),
        setting: s.setting.clone(),
        setting_index: s.setting_index,
        group: s.group().map(str::to_string),
        params: s.params.clone(),
        runs: s.runs.len(),
        stats: stats::describe(&values),
        finished_stats: stats::describe(&finished),
        failed,
        failure_ci95: stats::wilson_interval(failed, s.runs.len(), stats::Z95),
        diverged: s.runs.iter().filter(|r| r.status == RunStatus::Diverged).count(),
        vs_baseline: base.and_then(|b| stats::paired_comparison(&scores, &b.scores_counting_diverged(chance))),
        failure_test: base.and_then(|b| stats::failure_test(&s.failures(), &b.failures())),
        evp: stats::expected_max(&values),
        baseline,
        paper,
        paper_ref: paper.and_then(|p| p.reference(task)),
    }
}
