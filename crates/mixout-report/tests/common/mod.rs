//! Synthetic result files in the real format, shared by the tests and the examples
//! (`examples/` include this file by path).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use mixout_report::{EpochRecord, RunParams, RunResult, RunStatus, Versions};

/// The knobs of a synthetic setting.
pub struct Spec {
    pub setting: &'static str,
    pub index: usize,
    pub dropout: f64,
    pub mixout_p: f64,
    pub wdecay: f64,
    pub toward: &'static str,
}

/// The paper's baseline.
pub const BASELINE: Spec =
    Spec { setting: "baseline", index: 0, dropout: 0.1, mixout_p: 0.0, wdecay: 0.01, toward: "zero" };
/// mixout(w_pre, 0.7).
pub const MIXOUT07: Spec =
    Spec { setting: "mixout0.7", index: 1, dropout: 0.0, mixout_p: 0.7, wdecay: 0.0, toward: "zero" };

/// One run; `score` None means diverged.
pub fn run(task: &str, metric: &str, chance: f64, spec: &Spec, seed: u64, score: Option<f64>) -> RunResult {
    let status = if score.is_some() { RunStatus::Finished } else { RunStatus::Diverged };
    let n_epochs = if score.is_some() { 3 } else { 1 };
    let epochs = (1..=n_epochs)
        .map(|e| {
            let mut dev = BTreeMap::new();
            let last = score.unwrap_or(chance);
            dev.insert(metric.to_string(), last - 6.0 / e as f64 + (seed % 3) as f64);
            EpochRecord {
                epoch: e,
                step: 78 * e as u64,
                train_loss: 0.7 / e as f64 + 0.01 * seed as f64 - 0.002 * score.unwrap_or(60.0) + 0.1,
                dev,
            }
        })
        .collect();
    let mut final_dev = BTreeMap::new();
    if let Some(s) = score {
        final_dev.insert(metric.to_string(), s);
    }
    RunResult {
        schema_version: mixout_report::results::SCHEMA_VERSION,
        experiment: "fixture".into(),
        setting: spec.setting.into(),
        setting_index: spec.index,
        group: None,
        baseline: None,
        run_id: format!("{}-seed{seed}", spec.setting),
        seed,
        task: task.into(),
        model: "/shared/models/paraphrase-MiniLM-L3-v2".into(),
        metric: metric.into(),
        chance,
        status,
        score,
        final_dev,
        failed: score.is_none_or(|s| s <= chance),
        diverged_at_step: if score.is_none() { Some(100) } else { None },
        epochs,
        params: RunParams {
            dropout: spec.dropout,
            mixout_p: spec.mixout_p,
            mixout_layers: "paper".into(),
            head: "none".into(),
            wdecay: spec.wdecay,
            wdecay_toward: spec.toward.into(),
            lr: 2e-5,
            epochs: 3,
            bias_correction: false,
            train_subset: None,
            precision: "fp32".into(),
            reinit_layers: 0,
            llrd: None,
        },
        config: serde_json::json!({}),
        config_hash: None,
        device: "cpu".into(),
        threads: 2,
        versions: Versions { mixout: "0.1.0".into(), tch: "0.17.0".into(), libtorch: "2.4.0".into(), git: None },
        steps: 234,
        wall_time_s: 1.0,
        steps_per_s: 1.0,
    }
}

/// A 20-restart sweep resembling the paper's RTE study: 11 settings, a dropout and a
/// mixout p-sweep, failures falling with p, and one diverged run (baseline, seed 7).
pub fn demo_sweep(dir: &Path) {
    let mut state: u64 = 42;
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let specs = [
        ("dropout0.1+wdecay0.01", 0.1, 0.0, 0.01, "zero", 0.45, 58.0),
        ("wdecay_pre0.01", 0.1, 0.0, 0.01, "pretrained", 0.4, 59.0),
        ("dropout0.0", 0.0, 0.0, 0.0, "zero", 0.5, 57.0),
        ("dropout0.3", 0.3, 0.0, 0.0, "zero", 0.45, 58.0),
        ("dropout0.5", 0.5, 0.0, 0.0, "zero", 0.4, 58.0),
        ("mixout0.3", 0.0, 0.3, 0.0, "zero", 0.3, 60.0),
        ("mixout0.5", 0.0, 0.5, 0.0, "zero", 0.2, 61.0),
        ("mixout0.7", 0.0, 0.7, 0.0, "zero", 0.1, 62.0),
        ("mixout0.8", 0.0, 0.8, 0.0, "zero", 0.05, 63.0),
        ("mixout0.9", 0.0, 0.9, 0.0, "zero", 0.05, 63.0),
        ("mixout0.7+wdecay_pre0.01", 0.0, 0.7, 0.01, "pretrained", 0.05, 63.5),
    ];
    for (i, (name, dropout, mixout_p, wdecay, toward, fail_rate, centre)) in specs.into_iter().enumerate() {
        let spec = Spec { setting: name, index: i, dropout, mixout_p, wdecay, toward };
        for seed in 0..20u64 {
            let u = uniform();
            let score = if seed == 7 && i == 0 {
                None
            } else if u < fail_rate {
                Some(47.3 + 5.4 * uniform())
            } else {
                Some(centre + 8.0 * (uniform() - 0.5) + 4.0 * (uniform() - 0.5))
            };
            run("RTE", "accuracy", 52.7, &spec, seed, score).write_atomic(dir).expect("write");
        }
    }
}

/// A synthetic study of `n_settings` settings × `seeds` restarts in the real result-file
/// format, written into `dir`: settings in groups of `group_size` (none when 0), the
/// first of each group its baseline, mixout p rising within a group, a learning rate per
/// group, scores spread around a group-dependent centre with some runs failed.
pub fn synthetic_study(dir: &Path, experiment: &str, n_settings: usize, seeds: u64, group_size: usize) {
    for i in 0..n_settings {
        let (g, k) = match i.checked_div(group_size) {
            Some(g) => (g, i % group_size),
            None => (0, i),
        };
        let p = [0.0, 0.3, 0.5, 0.7, 0.8, 0.9][k % 6];
        let lr_text = format!("{}e-5", 1 + g);
        let lr: f64 = lr_text.parse().expect("a number");
        let label = if group_size > 0 { format!("mixout{p} lr={lr_text}") } else { format!("s{i} mixout{p}") };
        let spec = Spec { setting: "x", index: i, dropout: 0.0, mixout_p: p, wdecay: 0.0, toward: "zero" };
        for seed in 0..seeds {
            let wobble = ((seed * 7 + i as u64 * 13) % 17) as f64 - 8.0;
            let score =
                if (seed + i as u64).is_multiple_of(9) { 50.0 } else { 60.0 + 4.0 * p + (g % 5) as f64 + wobble * 0.6 };
            let mut r = run("RTE", "accuracy", 52.7, &spec, seed, Some(score));
            r.experiment = experiment.to_string();
            r.setting = label.clone();
            r.run_id = format!("{}-seed{seed}", mixout_report::results::sanitize(&label));
            r.params.lr = lr;
            if group_size > 0 {
                let first = i - k;
                let base_p = 0.0;
                r.group = Some(format!("lr={lr_text}"));
                r.baseline = Some(if first == i { label.clone() } else { format!("mixout{base_p} lr={lr_text}") });
            }
            r.write_atomic(dir).expect("write synthetic result");
        }
    }
}
