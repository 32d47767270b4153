//! Runs a study: its settings × seeds, each run written to its own result file the moment
//! it finishes. A rerun skips runs whose result was made with the same configuration, redoes
//! damaged ones, and refuses to mix changed settings with old results; Ctrl-C stops after
//! what finished; a diverged run is recorded and the sweep goes on; a run being trained by
//! another process is left to it.

pub mod gpu;
pub mod lock;
mod parallel;
pub mod record;
pub mod resume;
mod sequential;

use crate::error::{Error, Result};
use crate::study::Study;
use crate::train::trainer::INTERRUPTED;
use mixout_spec::{select, RunSpec};
use resume::Found;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// Options of `mixout run` besides the study.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Parent folder of results; the study writes into `<results>/<experiment name>/`.
    pub results: PathBuf,
    /// Parallel runs (child processes).
    pub jobs: usize,
    /// Run only the K-th of N slices (0-based K).
    pub shard: Option<(usize, usize)>,
    /// Run only these run ids.
    pub only: Vec<String>,
    /// Redo runs whose recorded configuration differs from the file's (old files kept).
    pub redo_changed: bool,
    /// No progress bars, log lines only.
    pub quiet: bool,
}

/// What a sweep did.
#[derive(Debug, Default, Clone)]
pub struct SweepSummary {
    /// Runs finished in this invocation.
    pub ran: usize,
    /// Runs skipped because their result was already there.
    pub skipped: usize,
    /// Runs that diverged (recorded).
    pub diverged: usize,
    /// Runs left alone because another process was training them.
    pub busy: usize,
    /// Damaged result files set aside (their runs redone).
    pub damaged: usize,
    /// The study's results folder.
    pub results_dir: PathBuf,
}

/// Runs a study (or the selected part of it).
pub fn run_study(study: &Study, opts: &RunOptions) -> Result<SweepSummary> {
    let dir = study.results_dir(&opts.results);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let runs = select(study.runs.clone(), opts.shard, &opts.only)?;
    let total = runs.len();
    let mut summary = SweepSummary { results_dir: dir.clone(), ..Default::default() };
    let todo = to_do(&dir, runs, opts.redo_changed, &mut summary)?;
    if summary.skipped > 0 {
        tracing::info!("{} of {total} runs already finished in {}: skipping them", summary.skipped, dir.display());
    }
    if todo.is_empty() {
        return Ok(summary);
    }
    study.require(&todo)?;
    let mut planned = std::collections::BTreeSet::new();
    let first_of_each = todo.iter().filter(|r| planned.insert(r.setting_index)).map(|r| study.setting_of(r));
    crate::train::assemble::preflight(study, first_of_each)?;
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: stopping after writing what finished (press Ctrl-C again to quit now)");
    });
    if opts.jobs > 1 {
        parallel::run_parallel(study, opts, todo, &mut summary)?;
    } else {
        sequential::run_sequential(study, opts, &todo, &mut summary)?;
    }
    Ok(summary)
}

/// The runs still to do. Finished runs of the same configuration are skipped; damaged files
/// are set aside and redone; runs of a changed configuration stop the sweep before anything
/// runs, unless `redo_changed`, which sets their old files aside and redoes them.
fn to_do(
    dir: &std::path::Path,
    runs: Vec<RunSpec>,
    redo_changed: bool,
    summary: &mut SweepSummary,
) -> Result<Vec<RunSpec>> {
    let mut todo = vec![];
    let mut changed: Vec<(String, Vec<String>, usize)> = vec![];
    let mut superseded = vec![];
    for run in runs {
        match resume::inspect(dir, &run) {
            Found::Done(_) => summary.skipped += 1,
            Found::Missing => todo.push(run),
            Found::Damaged(why) => {
                let path = resume::result_path(dir, &run);
                let aside = resume::set_aside(&path, "damaged")?;
                tracing::warn!(
                    "{} does not parse ({why}): moved to {}; run {} is redone",
                    path.display(),
                    aside.display(),
                    run.run_id
                );
                summary.damaged += 1;
                todo.push(run);
            }
            Found::Changed(fields) => {
                match changed.iter_mut().find(|c| c.0 == run.label) {
                    Some(c) => c.2 += 1,
                    None => changed.push((run.label.clone(), fields, 1)),
                }
                superseded.push(run);
            }
        }
    }
    if !changed.is_empty() && !redo_changed {
        return Err(resume::changed_error(&changed));
    }
    for run in superseded {
        let aside = resume::set_aside(&resume::result_path(dir, &run), "superseded")?;
        tracing::info!("run {}: its configuration changed; old result kept as {}", run.run_id, aside.display());
        todo.push(run);
    }
    Ok(todo)
}
