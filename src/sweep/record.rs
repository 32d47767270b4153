//! One run executed in this process and written as its result file the moment it ends.

use crate::error::Result;
use crate::study::{Study, StudySetting};
use crate::train::{self, Prepared};
use indicatif::ProgressBar;
use mixout_report::{RunParams, RunResult, RunStatus, Versions};
use mixout_spec::{DecayTarget, RunSpec, Setting};
use std::path::Path;

/// The harness, tch and libtorch versions recorded in each result file.
pub fn versions() -> Versions {
    let git = option_env!("MIXOUT_GIT_DESCRIBE").filter(|s| !s.is_empty()).map(str::to_string);
    // The libtorch actually loaded, with its build tag (`2.11.0+cu130`), so runs from
    // different libtorch versions or builds can be told apart in a report.
    Versions {
        mixout: env!("CARGO_PKG_VERSION").into(),
        tch: crate::doctor::TCH_VERSION.into(),
        libtorch: crate::doctor::libtorch().version,
        git,
    }
}

/// Flattened knobs for the report.
fn params_of(s: &Setting) -> RunParams {
    RunParams {
        dropout: s.encoder_dropout(),
        mixout_p: s.mixout.p,
        mixout_layers: if s.mixout.include.is_empty() && s.mixout.exclude.is_empty() {
            serde_json::to_value(s.mixout.layers).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        } else {
            "custom".into()
        },
        head: s.head_label(),
        wdecay: s.weight_decay.lambda,
        wdecay_toward: match s.weight_decay.toward {
            DecayTarget::Zero => "zero".into(),
            DecayTarget::Pretrained => "pretrained".into(),
        },
        lr: s.lr,
        epochs: s.epochs,
        bias_correction: s.optimizer.bias_correction,
        train_subset: s.train_subset,
        precision: s.precision.name().into(),
        reinit_layers: s.reinit_layers,
        llrd: s.llrd,
    }
}

/// Progress of a run: a bar on a terminal, else a log line every ~10% of the run.
fn progress(bar: &ProgressBar, run_id: &str, step: u64, total: u64, loss: f64) {
    if bar.is_hidden() {
        if step.is_multiple_of((total / 10).max(1)) || step == total {
            tracing::info!(run = %run_id, step, total, loss, "progress");
        }
    } else {
        bar.set_length(total);
        bar.set_position(step);
        bar.set_message(format!("loss {loss:.4}"));
    }
}

/// Trains one run in this process and writes its result file under `dir`; returns it.
pub fn execute_run(study: &Study, run: &RunSpec, prep: &Prepared, dir: &Path, bar: &ProgressBar) -> Result<RunResult> {
    let ss: &StudySetting = study.setting_of(run);
    tch::set_num_threads(ss.threads as i32);
    let device = crate::device::resolve(ss.device)?;
    let started = std::time::Instant::now();
    let out = train::train(run, prep, device, &mut |step, total, loss| progress(bar, &run.run_id, step, total, loss))?;
    let score = out.final_dev.get(prep.task.metric.name()).copied();
    let status = if out.diverged_at.is_some() { RunStatus::Diverged } else { RunStatus::Finished };
    if run.setting.save_model && status == RunStatus::Finished {
        let to = train::trainer::model_dir(dir, run);
        crate::export::save_model(&out.vs, &prep.files, &prep.task.labels, &to)?;
    }
    let s = &run.setting;
    let result = RunResult {
        schema_version: mixout_report::results::SCHEMA_VERSION,
        experiment: study.name.clone(),
        setting: run.label.clone(),
        setting_index: run.setting_index,
        group: s.group.clone(),
        baseline: s.baseline.clone(),
        run_id: run.run_id.clone(),
        seed: run.seed,
        task: prep.task.name.clone(),
        model: s.model.clone(),
        metric: prep.task.metric.name().to_string(),
        chance: prep.chance,
        status,
        score,
        final_dev: out.final_dev.clone(),
        failed: score.is_none_or(|v| v <= prep.chance),
        diverged_at_step: out.diverged_at,
        epochs: out.epochs.clone(),
        params: params_of(s),
        config: s.recorded(),
        config_hash: Some(s.fingerprint()),
        device: crate::device::device_name(out.device),
        threads: ss.threads,
        versions: versions(),
        steps: out.steps,
        wall_time_s: started.elapsed().as_secs_f64(),
        steps_per_s: out.steps as f64 / out.train_seconds.max(1e-9),
    };
    result.write_atomic(dir)?;
    Ok(result)
}

/// One log line for a finished or diverged run.
pub fn report_line(r: &RunResult) {
    match r.score {
        Some(s) => tracing::info!(
            "finished {}: dev {} {s:.2}{} ({:.0} s, {:.2} steps/s)",
            r.run_id,
            r.metric,
            if r.failed { " FAILED (at or below chance)" } else { "" },
            r.wall_time_s,
            r.steps_per_s
        ),
        None => {
            tracing::warn!("run {} diverged at step {:?} (recorded; the sweep goes on)", r.run_id, r.diverged_at_step)
        }
    }
}
