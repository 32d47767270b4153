//! Per-(task, setting) summary statistics, the paper's reference numbers, and the
//! markdown, CSV and terminal renderings of the summary table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::results::{RunParams, RunResult, RunStatus};
use crate::stats::{self, Describe, PairedComparison};

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
        tasks
            .entry(r.task.as_str())
            .or_default()
            .entry((r.setting_index, r.setting.as_str()))
            .or_default()
            .push(r);
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

/// A setting of the paper's Table 1 (or its λ sweep), recognised from run knobs.
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
}

/// The paper's Table 1 (BERT-large, 20 restarts): dev score mean and max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperRef {
    /// Mean over restarts.
    pub mean: f64,
    /// Best restart.
    pub max: f64,
}

impl PaperSetting {
    /// Recognises a paper setting from the knobs. Only the regulariser knobs are
    /// compared; head treatment, layers and optimiser knobs are not, because the
    /// reference is a direction to compare against, not a replication claim.
    pub fn from_params(p: &RunParams) -> Option<Self> {
        let no_mixout = approx(p.mixout_p, 0.0);
        let toward_pre = p.wdecay_toward.eq_ignore_ascii_case("pretrained");
        let toward_zero = p.wdecay_toward.eq_ignore_ascii_case("zero");
        let in_set = |x: f64, set: &[f64]| set.iter().any(|&v| approx(x, v));
        if no_mixout && approx(p.dropout, 0.1) && toward_zero && approx(p.wdecay, 0.01) {
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
        }
    }

    /// Table 1's BERT-large value for a task (RTE, MRPC, CoLA, STS-B; case and
    /// punctuation ignored), where the paper reports one.
    pub fn reference(&self, task: &str) -> Option<PaperRef> {
        let col = match normalise_task(task).as_str() {
            "RTE" => 0,
            "MRPC" => 1,
            "COLA" => 2,
            "STSB" => 3,
            _ => return None,
        };
        let row: [(f64, f64); 4] = match *self {
            Self::Baseline => [(56.5, 73.6), (83.4, 90.4), (38.8, 63.3), (82.4, 90.3)],
            Self::WdecayPretrained(l) if approx(l, 0.01) => {
                [(56.3, 71.5), (86.2, 91.6), (41.9, 65.6), (85.4, 90.5)]
            }
            Self::Mixout(p) if approx(p, 0.7) => {
                [(61.6, 74.0), (87.1, 91.1), (57.4, 62.1), (89.6, 90.3)]
            }
            Self::Mixout(p) if approx(p, 0.8) => {
                [(64.0, 74.0), (89.0, 90.7), (57.9, 63.8), (89.4, 90.3)]
            }
            Self::Mixout(p) if approx(p, 0.9) => {
                [(64.3, 73.3), (88.2, 91.4), (55.2, 63.4), (89.4, 90.0)]
            }
            Self::MixoutWdecay(p) if approx(p, 0.7) => {
                [(65.3, 74.4), (87.8, 91.8), (51.9, 64.0), (89.6, 90.6)]
            }
            _ => return None,
        };
        let (mean, max) = row[col];
        Some(PaperRef { mean, max })
    }
}

fn normalise_task(task: &str) -> String {
    task.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase()
}

/// Summary of one setting of one task.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingSummary {
    /// Setting label.
    pub setting: String,
    /// Position of the setting in the experiment file.
    pub setting_index: usize,
    /// Knobs of the setting.
    pub params: RunParams,
    /// Number of result files (finished and diverged).
    pub runs: usize,
    /// Statistics of the scores of finished runs; `None` when every run diverged.
    pub stats: Option<Describe>,
    /// Runs flagged failed (score at or below chance, or diverged).
    pub failed: usize,
    /// Runs whose loss became non-finite.
    pub diverged: usize,
    /// Whether this setting is the task's baseline.
    pub is_baseline: bool,
    /// Paired comparison with the baseline; `None` for the baseline itself or
    /// when no seed is shared.
    pub vs_baseline: Option<PairedComparison>,
    /// The paper setting these knobs match, if any.
    pub paper: Option<PaperSetting>,
    /// Table 1's BERT-large value for that setting and task, if the paper has one.
    pub paper_ref: Option<PaperRef>,
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
    /// Label of the baseline setting.
    pub baseline: String,
    /// One row per setting, in setting-index order.
    pub rows: Vec<SettingSummary>,
}

/// Summarises every task. The baseline of a task is the first setting whose knobs
/// match the paper's baseline, or else its first setting by setting index.
pub fn summarize(results: &[RunResult]) -> Vec<TaskSummary> {
    group_by_task(results).iter().map(summarize_task).collect()
}

/// Summarises one task's grouped runs (see [`summarize`]).
pub fn summarize_task(t: &TaskRuns<'_>) -> TaskSummary {
    let base_idx = t
        .settings
        .iter()
        .position(|s| PaperSetting::from_params(&s.params) == Some(PaperSetting::Baseline))
        .unwrap_or(0);
    let base_scores = t.settings.get(base_idx).map(|s| s.scores()).unwrap_or_default();
    let rows = t
        .settings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let scores = s.scores();
            let values: Vec<f64> = scores.iter().map(|&(_, v)| v).collect();
            let paper = PaperSetting::from_params(&s.params);
            SettingSummary {
                setting: s.setting.clone(),
                setting_index: s.setting_index,
                params: s.params.clone(),
                runs: s.runs.len(),
                stats: stats::describe(&values),
                failed: s.runs.iter().filter(|r| r.failed).count(),
                diverged: s.runs.iter().filter(|r| r.status == RunStatus::Diverged).count(),
                is_baseline: i == base_idx,
                vs_baseline: if i == base_idx {
                    None
                } else {
                    stats::paired_comparison(&scores, &base_scores)
                },
                paper,
                paper_ref: paper.and_then(|p| p.reference(&t.task)),
            }
        })
        .collect();
    TaskSummary {
        task: t.task.clone(),
        metric: t.metric.clone(),
        chance: t.chance,
        baseline: t.settings.get(base_idx).map(|s| s.setting.clone()).unwrap_or_default(),
        rows,
    }
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

/// "Δ mean [95% CI] (n pairs)" text of a row.
fn delta_text(r: &SettingSummary) -> String {
    if r.is_baseline {
        return "baseline".to_string();
    }
    match r.vs_baseline {
        None => "no shared seeds".to_string(),
        Some(c) => match c.ci95 {
            Some((lo, hi)) => {
                format!(
                    "{} [{}, {}] (n={})",
                    signed1(c.mean_diff),
                    signed1(lo),
                    signed1(hi),
                    c.n_pairs
                )
            }
            None => format!("{} (n={})", signed1(c.mean_diff), c.n_pairs),
        },
    }
}

fn ref_text(r: &SettingSummary) -> String {
    match r.paper_ref {
        Some(p) => format!("{} ({})", f1(p.mean), f1(p.max)),
        None => "-".to_string(),
    }
}

/// The cells of a row, shared by the markdown and terminal tables so they agree.
fn cells(r: &SettingSummary) -> Vec<String> {
    let s = |f: fn(&Describe) -> f64| {
        r.stats.as_ref().map(|d| f1(f(d))).unwrap_or_else(|| "-".to_string())
    };
    vec![
        r.setting.clone(),
        r.runs.to_string(),
        s(|d| d.mean),
        s(|d| d.std),
        s(|d| d.median),
        s(|d| d.min),
        s(|d| d.max),
        r.failed.to_string(),
        r.diverged.to_string(),
        delta_text(r),
        ref_text(r),
    ]
}

const HEADERS: [&str; 11] = [
    "setting",
    "runs",
    "mean",
    "std",
    "median",
    "min",
    "max",
    "failed",
    "diverged",
    "Δ mean vs baseline [95% CI]",
    "BERT-large ref. mean (max)",
];

/// Caption line of a task: metric, chance score and baseline.
fn task_caption(t: &TaskSummary) -> String {
    format!("{}: dev {}, chance {}, baseline `{}`", t.task, t.metric, f1(t.chance), t.baseline)
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
        let _ = writeln!(md, "\n## {}\n", task_caption(t).replacen(':', " —", 1));
        let _ = writeln!(md, "| {} |", HEADERS.join(" | "));
        let align: Vec<&str> =
            HEADERS.iter().enumerate().map(|(i, _)| if i == 0 { "---" } else { "---:" }).collect();
        let _ = writeln!(md, "|{}|", align.join("|"));
        for r in &t.rows {
            let mut c = cells(r);
            c[0] = format!("`{}`", c[0].replace('|', "\\|"));
            if let (Some(p), Some(_)) = (r.paper, r.paper_ref) {
                c[10] = format!("{} — {}", c[10], p.label());
            }
            let _ = writeln!(md, "| {} |", c.join(" | "));
        }
        let figs: Vec<&String> =
            figures.iter().filter(|(task, _)| task == &t.task).map(|(_, f)| f).collect();
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
        "- **runs**: result files of the setting; **mean, std, median, min, max** are over the runs \
         that finished (std is the sample standard deviation, divisor n−1; 0 for a single run)."
    );
    let chances: Vec<String> =
        tasks.iter().map(|t| format!("{} {} {}", t.task, t.metric, f1(t.chance))).collect();
    let _ = writeln!(
        md,
        "- **failed**: the run's dev score is at or below the chance score (the majority-class \
         predictor; here: {}), or the run diverged. **diverged**: the training loss became NaN or \
         infinite; such runs have no score and are counted in *failed* too.",
        chances.join("; ")
    );
    let _ = writeln!(
        md,
        "- **Δ mean vs baseline**: mean of the per-seed differences (setting − baseline) over the \
         seeds both finished (n pairs), with a percentile-bootstrap 95% interval ({} resamples, \
         ChaCha8 seed {}). The baseline is the setting matching the paper's dropout(0.1)+wdecay(0, .01) \
         if present, else the experiment's first setting.",
        stats::BOOTSTRAP_RESAMPLES,
        stats::BOOTSTRAP_SEED
    );
    let _ = writeln!(
        md,
        "- **BERT-large ref.**: the paper's Table 1 (Lee, Cho & Kang, ICLR 2020), mean (max) over 20 \
         restarts of BERT-large uncased, shown where a setting's regulariser knobs match one of the \
         paper's settings. It is a reference for the direction of effects only: a different model, \
         so absolute numbers are not comparable."
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
        let _ = writeln!(out, "{}", task_caption(t).replace('`', ""));
        let mut rows: Vec<Vec<String>> = vec![HEADERS.iter().map(|h| h.to_string()).collect()];
        rows.extend(t.rows.iter().map(cells));
        let widths: Vec<usize> = (0..HEADERS.len())
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        for (j, r) in rows.iter().enumerate() {
            let line: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = widths[i] - c.chars().count();
                    if i == 0 || i >= 9 {
                        format!("{c}{}", " ".repeat(pad))
                    } else {
                        format!("{}{c}", " ".repeat(pad))
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
            "\nfailed = score <= chance or diverged; Δ = paired mean difference vs baseline with bootstrap \
             95% CI; BERT-large ref. = paper Table 1 mean (max), a different model: not comparable in \
             absolute terms."
        );
    }
    out
}

/// Column names of `summary.csv`.
pub const CSV_HEADER: &str =
    "task,metric,chance,setting,setting_index,dropout,mixout_p,wdecay,wdecay_toward,\
head,mixout_layers,lr,epochs,bias_correction,runs,finished,mean,std,median,min,max,failed,diverged,\
is_baseline,pairs,delta_mean,delta_ci_low,delta_ci_high,paper_setting,paper_mean,paper_max";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The summary as CSV: one row per (task, setting), plain numbers (full
/// precision, empty where there is no value), for further analysis.
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
                r.runs.to_string(),
                d.map(|d| d.n).unwrap_or(0).to_string(),
                num(d.map(|d| d.mean)),
                num(d.map(|d| d.std)),
                num(d.map(|d| d.median)),
                num(d.map(|d| d.min)),
                num(d.map(|d| d.max)),
                r.failed.to_string(),
                r.diverged.to_string(),
                r.is_baseline.to_string(),
                c.map(|c| c.n_pairs.to_string()).unwrap_or_default(),
                num(c.map(|c| c.mean_diff)),
                num(c.and_then(|c| c.ci95).map(|ci| ci.0)),
                num(c.and_then(|c| c.ci95).map(|ci| ci.1)),
                r.paper.map(|p| csv_field(&p.label())).unwrap_or_default(),
                num(r.paper_ref.map(|p| p.mean)),
                num(r.paper_ref.map(|p| p.max)),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}
