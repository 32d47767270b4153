//! `mixout run`: every setting × seed of an experiment file, resumable.

use anyhow::{bail, Context, Result};
use mixout::study::{Overrides, Study};
use mixout::sweep::{run_study, RunOptions};
use mixout_spec::{parse_shard, DeviceSpec};
use std::path::PathBuf;

/// Arguments of `mixout run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Experiment YAML.
    pub file: PathBuf,
    /// Parent results folder; the study writes into `<results>/<experiment name>/`.
    #[arg(long, default_value = "results")]
    pub results: PathBuf,
    /// Parallel runs as child processes: on CPU each gets cores/jobs libtorch threads; on CUDA
    /// they share the GPU(s) their setting allows, each started only when its memory fits.
    #[arg(long, short, default_value_t = 1)]
    pub jobs: usize,
    /// Run only the K-th of N disjoint slices of the runs (0 <= K < N), e.g. 0/4.
    #[arg(long)]
    pub shard: Option<String>,
    /// Run only this run id (repeatable).
    #[arg(long)]
    pub only: Vec<String>,
    /// Override the device of every setting: auto, cpu, cuda, cuda:N.
    #[arg(long)]
    pub device: Option<String>,
    /// Override libtorch threads per run.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Redo runs whose result was made with another configuration than the file now gives
    /// (their old result files are kept as `*.json.superseded`).
    #[arg(long)]
    pub redo_changed: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Take the resolved study from standard input (how a `--jobs` sweep starts its
    /// children, so they train on what it resolved) instead of resolving FILE.
    #[arg(long, hide = true)]
    pub resolved_stdin: bool,
}

/// Runs `mixout run`.
pub fn run(a: RunArgs) -> Result<()> {
    if a.jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let device = a.device.as_deref().map(str::parse::<DeviceSpec>).transpose()?;
    let overrides = Overrides { device, threads: a.threads, jobs: a.jobs };
    let study = if a.resolved_stdin {
        let text = std::io::read_to_string(std::io::stdin()).context("reading the resolved study from stdin")?;
        Study::from_json(&text, &overrides)?
    } else {
        Study::load(&a.file, &overrides)?
    };
    let opts = RunOptions {
        results: a.results,
        jobs: a.jobs,
        shard: a.shard.as_deref().map(parse_shard).transpose()?,
        only: a.only,
        redo_changed: a.redo_changed,
        quiet: a.quiet,
    };
    let s = run_study(&study, &opts)?;
    let mut extra = String::new();
    if s.busy > 0 {
        extra += &format!(", {} left to another process training them", s.busy);
    }
    if s.damaged > 0 {
        extra += &format!(", {} damaged result file(s) set aside and redone", s.damaged);
    }
    eprintln!(
        "{}: {} run(s) finished now, {} skipped (already done), {} diverged{extra}; results in {}",
        study.name,
        s.ran,
        s.skipped,
        s.diverged,
        s.results_dir.display()
    );
    Ok(())
}
