//! The sequential sweep: runs one after another in this process, each setting's data and
//! tokenisation prepared once and shared by its runs.

use super::lock::try_lock;
use super::record::{execute_run, report_line};
use super::resume::result_path;
use super::{RunOptions, SweepSummary};
use crate::error::{Error, Result};
use crate::study::Study;
use crate::train::{self, Prepared};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mixout_report::RunStatus;
use mixout_spec::RunSpec;
use std::collections::hash_map::{Entry, HashMap};
use std::io::IsTerminal;
use std::sync::Arc;

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>28} [{bar:30}] {pos}/{len} steps {msg} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// What a run's data depends on: where the task's files are, the tokenizer's folder and the
/// length. Two settings that differ in any of them never share prepared data.
fn data_key(study: &Study, run: &RunSpec) -> Result<String> {
    let ss = study.setting_of(run);
    Ok(format!("{:?}|{}|{}", ss.task()?.source, ss.model()?.dir.display(), run.setting.max_seq_len))
}

/// Runs `todo` one after another in this process.
pub(super) fn run_sequential(
    study: &Study,
    opts: &RunOptions,
    todo: &[RunSpec],
    summary: &mut SweepSummary,
) -> Result<()> {
    let dir = study.results_dir(&opts.results);
    let total = summary.skipped + todo.len();
    let tty = std::io::stderr().is_terminal() && !opts.quiet;
    let mut preps: HashMap<String, Arc<Prepared>> = HashMap::new();
    for (i, run) in todo.iter().enumerate() {
        let Some(_lock) = try_lock(&result_path(&dir, run))? else {
            tracing::warn!("run {} is being trained by another process: leaving it to that process", run.run_id);
            summary.busy += 1;
            continue;
        };
        if matches!(super::resume::inspect(&dir, run), super::resume::Found::Done(_)) {
            // Another process finished it between our look and the lock.
            summary.skipped += 1;
            continue;
        }
        let ss = study.setting_of(run);
        let key = data_key(study, run)?;
        let prep = match preps.entry(key) {
            Entry::Occupied(e) => e.get().clone(),
            Entry::Vacant(e) => e.insert(Arc::new(train::prepare(ss)?)).clone(),
        };
        let bar =
            if tty { ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()) } else { ProgressBar::hidden() };
        bar.set_style(bar_style());
        bar.set_prefix(format!("[{}/{}] {}", summary.skipped + i + 1, total, run.run_id));
        tch::set_num_threads(ss.threads as i32);
        tracing::info!(run = %run.run_id, "run {}/{} started; {}", summary.skipped + i + 1, total, crate::device::describe(crate::device::resolve(ss.device)?));
        match execute_run(study, run, &prep, &dir, &bar) {
            Ok(r) => {
                bar.finish_and_clear();
                summary.ran += 1;
                summary.diverged += usize::from(r.status == RunStatus::Diverged);
                report_line(&r);
            }
            Err(Error::Interrupted) => {
                bar.abandon();
                return Err(Error::Interrupted);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
