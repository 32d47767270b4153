//! The result file of one finished run: the only thing the report reads.
//!
//! One JSON file per run, `<results_dir>/<setting>/<run_id>.json`, written atomically
//! (temporary file + rename) the moment the run finishes, so an interrupted sweep
//! never leaves a partial file and never loses a finished one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{ReportError, Result};

/// Version of the result-file layout; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Trained for every step and was evaluated.
    Finished,
    /// The loss became NaN or infinite; training stopped and no final score exists.
    Diverged,
}

/// The regularisation knobs of a run, flattened so the report can group and label
/// runs (e.g. the p-sweep of the paper's Figure 4) without parsing the config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunParams {
    /// Dropout probability of the encoder during training (0 when switched off).
    pub dropout: f64,
    /// Mixout probability on the selected pretrained weights (0 when off).
    pub mixout_p: f64,
    /// Which weights are mixed: a preset name or `custom`.
    pub mixout_layers: String,
    /// Head treatment: `none`, `dropout(p)` or `mixout(w0, p)`.
    pub head: String,
    /// Weight-decay coefficient λ (0 when off).
    pub wdecay: f64,
    /// Target of weight decay: `zero` (ordinary) or `pretrained` (wdecay(w_pre)).
    pub wdecay_toward: String,
    /// Peak learning rate.
    pub lr: f64,
    /// Number of epochs.
    pub epochs: u32,
    /// Whether Adam used bias correction.
    pub bias_correction: bool,
    /// Training-subset size, when the run used one.
    pub train_subset: Option<usize>,
    /// Numeric precision of training: `fp32`, `tf32` or `bf16`. Files written before
    /// the field existed trained in fp32, hence the default.
    #[serde(default = "default_precision")]
    pub precision: String,
    /// Number of top encoder layers re-initialised before finetuning (0 = none, also
    /// for files written before the field existed).
    #[serde(default)]
    pub reinit_layers: u32,
    /// Layer-wise learning-rate decay γ (each layer below the top gets γ times the
    /// rate of the one above); `None` when off, also for older files.
    #[serde(default)]
    pub llrd: Option<f64>,
}

/// Precision of result files that do not record one: everything before the
/// `precision` field trained in fp32.
pub fn default_precision() -> String {
    "fp32".to_string()
}

/// Train loss and dev metrics at the end of one epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: u32,
    /// Optimiser steps done so far.
    pub step: u64,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Dev metrics by name (e.g. `accuracy`, `f1`), absent when not evaluated.
    pub dev: BTreeMap<String, f64>,
}

/// Versions of the pieces that produced a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    /// Version of the mixout harness.
    pub mixout: String,
    /// tch crate version.
    pub tch: String,
    /// libtorch version the binary was linked against.
    pub libtorch: String,
    /// `git describe` of the harness checkout, when known.
    pub git: Option<String>,
}

/// Everything recorded about one finished (or diverged) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Layout version, [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Experiment name from the YAML file.
    pub experiment: String,
    /// Short label of the setting, used in tables and plots.
    pub setting: String,
    /// Position of the setting in the experiment file (keeps plot order stable).
    pub setting_index: usize,
    /// Name of the group the setting belongs to; `None` when the experiment uses no
    /// groups (and for files written before the field existed).
    #[serde(default)]
    pub group: Option<String>,
    /// Label of the setting this setting is compared against: its own label when the
    /// setting is a baseline, another label when it is compared with that one, `None`
    /// when the experiment names none (the report then uses the task's first setting).
    #[serde(default)]
    pub baseline: Option<String>,
    /// Unique id of the run inside the experiment: `<setting>-seed<seed>`.
    pub run_id: String,
    /// Seed that drives head initialisation, data order and mixout masks.
    pub seed: u64,
    /// Task name (e.g. `RTE`).
    pub task: String,
    /// Model folder or hub id.
    pub model: String,
    /// Name of the task's headline dev metric (e.g. `accuracy`).
    pub metric: String,
    /// Dev score of the majority-class / chance predictor for the headline metric.
    pub chance: f64,
    /// Finished or diverged.
    pub status: RunStatus,
    /// Headline dev score at the end of training (None when diverged), in percent
    /// for accuracy/F1 and ×100 for correlations, as in the paper's tables.
    pub score: Option<f64>,
    /// Every final dev metric, same scale as `score`.
    pub final_dev: BTreeMap<String, f64>,
    /// True when the run diverged or its score is at or below `chance`.
    pub failed: bool,
    /// Step at which the loss became non-finite, for diverged runs.
    pub diverged_at_step: Option<u64>,
    /// Per-epoch train loss and dev metrics.
    pub epochs: Vec<EpochRecord>,
    /// Flattened regularisation and optimisation knobs.
    pub params: RunParams,
    /// The fully resolved setting configuration, as run.
    pub config: serde_json::Value,
    /// Fingerprint of the configuration (`sha256:…` of the fields that change what a run
    /// computes); resume skips a run only when it equals the one asked for. Absent in files
    /// written before it existed (then `config` is fingerprinted instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_hash: Option<String>,
    /// Device the run used (`cpu`, `cuda:0`).
    pub device: String,
    /// libtorch intra-op threads.
    pub threads: usize,
    /// Versions of harness and libraries.
    pub versions: Versions,
    /// Optimiser steps taken.
    pub steps: u64,
    /// Wall-clock time of the run in seconds (excluded from determinism checks).
    pub wall_time_s: f64,
    /// Training throughput, optimiser steps per second (excluded from determinism checks).
    pub steps_per_s: f64,
}

impl RunResult {
    /// The result file path of a run inside a results directory.
    pub fn path_in(results_dir: &Path, setting: &str, run_id: &str) -> PathBuf {
        results_dir.join(sanitize(setting)).join(format!("{}.json", sanitize(run_id)))
    }

    /// Writes the result atomically: a temporary file in the same folder, then rename.
    pub fn write_atomic(&self, results_dir: &Path) -> Result<PathBuf> {
        let path = Self::path_in(results_dir, &self.setting, &self.run_id);
        let dir = path.parent().unwrap_or(results_dir);
        std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
        let tmp = dir.join(format!(".{}.tmp{}", sanitize(&self.run_id), std::process::id()));
        let text =
            serde_json::to_string_pretty(self).map_err(|e| ReportError::Json { path: path.clone(), cause: e })?;
        std::fs::write(&tmp, text + "\n").map_err(|e| ReportError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| ReportError::io(&path, e))?;
        Ok(path)
    }

    /// Reads one result file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
        serde_json::from_str(&text).map_err(|e| ReportError::Json { path: path.to_path_buf(), cause: e })
    }
}

/// Reads every `*.json` result file of a study: `results_dir/<setting>/*.json` (and files
/// directly in `results_dir`), sorted by (setting index, setting, seed) so output is
/// deterministic. Deeper folders (saved models, reports) and hidden temporary files of
/// runs in progress are ignored.
pub fn read_results_dir(results_dir: &Path) -> Result<Vec<RunResult>> {
    Ok(read_results_dir_timed(results_dir)?.into_iter().map(|(r, _)| r).collect())
}

/// [`read_results_dir`], each result with its file's modification time in seconds since
/// the Unix epoch (when the file system knows it).
pub fn read_results_dir_timed(results_dir: &Path) -> Result<Vec<(RunResult, Option<u64>)>> {
    if !results_dir.is_dir() {
        return Err(ReportError::NotADir(results_dir.to_path_buf()));
    }
    let mut out = Vec::new();
    let mut stack = vec![(results_dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| ReportError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ReportError::io(&dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                if depth == 0 {
                    stack.push((path, depth + 1));
                }
            } else if name.ends_with(".json") {
                let modified = entry.metadata().ok().and_then(|m| m.modified().ok());
                let secs = modified.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_secs());
                out.push((RunResult::read(&path)?, secs));
            }
        }
    }
    out.sort_by(|(a, _), (b, _)| {
        (a.setting_index, &a.setting, a.seed, &a.run_id).cmp(&(b.setting_index, &b.setting, b.seed, &b.run_id))
    });
    Ok(out)
}

/// File names of labels and run ids: the schema's rule, so the runner and the reader agree.
pub use mixout_spec::sanitize;

#[cfg(test)]
mod tests {
    use super::*;

    /// A result file as written before `group`, `baseline`, `precision`,
    /// `reinit_layers` and `llrd` existed.
    const OLD_FILE: &str = r#"{
      "schema_version": 1, "experiment": "rte-cpu", "setting": "mixout0.7", "setting_index": 1,
      "run_id": "mixout0.7-seed3", "seed": 3, "task": "RTE", "model": "m", "metric": "accuracy",
      "chance": 52.7, "status": "finished", "score": 61.0, "final_dev": {"accuracy": 61.0},
      "failed": false, "diverged_at_step": null, "epochs": [],
      "params": {"dropout": 0.0, "mixout_p": 0.7, "mixout_layers": "paper", "head": "none",
                 "wdecay": 0.0, "wdecay_toward": "zero", "lr": 2e-5, "epochs": 3,
                 "bias_correction": false, "train_subset": null},
      "config": {}, "device": "cpu", "threads": 2,
      "versions": {"mixout": "0.1.0", "tch": "0.17.0", "libtorch": "2.4.0", "git": null},
      "steps": 10, "wall_time_s": 1.0, "steps_per_s": 10.0
    }"#;

    #[test]
    fn older_files_load_with_defaults() {
        let r: RunResult = serde_json::from_str(OLD_FILE).expect("old layout parses");
        assert_eq!((r.group, r.baseline), (None, None));
        assert_eq!(r.params.precision, "fp32");
        assert_eq!((r.params.reinit_layers, r.params.llrd), (0, None));
    }

    #[test]
    fn new_fields_round_trip() {
        let mut r: RunResult = serde_json::from_str(OLD_FILE).expect("old layout parses");
        r.group = Some("head".into());
        r.baseline = Some("none-head".into());
        r.params.precision = "bf16".into();
        r.params.reinit_layers = 2;
        r.params.llrd = Some(0.95);
        let text = serde_json::to_string(&r).expect("serialises");
        let back: RunResult = serde_json::from_str(&text).expect("parses back");
        assert_eq!(back, r);
    }
}
