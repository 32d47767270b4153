//! Command-line wiring: clap structs and one function per subcommand. Training, planning
//! and reporting logic live in their modules; this file only connects them.

use crate::config::Experiment;
use crate::device::DeviceSpec;
use crate::runner::{parse_shard, run_experiment, RunOptions};
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Finetune pretrained transformers with mixout and report finetuning stability.
#[derive(Debug, Parser)]
#[command(name = "mixout", version, about, long_about = None)]
pub struct Cli {
    /// Log level: error, warn, info, debug.
    #[arg(long, global = true, default_value = "info")]
    pub log: String,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a study: every setting × seed of an experiment file (resumes; skips finished runs).
    Run(RunArgs),
    /// Validate an experiment file and list its runs.
    Check {
        /// Experiment YAML.
        file: PathBuf,
        /// Print only the experiment name (its results folder name).
        #[arg(long)]
        name_only: bool,
    },
    /// Show which parameters each setting mixes or decays, toward what, and the memory cost.
    Inspect {
        /// Experiment YAML.
        file: PathBuf,
    },
    /// Write summary tables and stability plots from a results folder (no libtorch used).
    Report {
        /// A study's results folder (e.g. results/rte-cpu).
        results: PathBuf,
        /// Output folder; default `<results>/report`.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Count finished, diverged and missing runs per setting of a study.
    Status {
        /// Experiment YAML.
        file: PathBuf,
        /// Parent results folder.
        #[arg(long, default_value = "results")]
        results: PathBuf,
    },
    /// Write one line of logits and the prediction per example of a split.
    Predict(PredictArgs),
    /// Micro-benchmarks of the training step, mixout and evaluation (see `make bench`).
    Bench(crate::bench::BenchArgs),
    /// Write (and optionally submit) a Slurm job array running a study in shards.
    Slurm(crate::slurm::SlurmArgs),
    /// Show libtorch, CUDA devices, driver, threads and assets; exit 1 when `device: cuda` would fail.
    Doctor,
}

/// Arguments of `mixout run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Experiment YAML.
    pub file: PathBuf,
    /// Parent results folder; the study writes into `<results>/<experiment name>/`.
    #[arg(long, default_value = "results")]
    pub results: PathBuf,
    /// Parallel runs as child processes: on CPU each gets cores/jobs libtorch threads; on CUDA
    /// they share the GPU(s), spread round-robin, each started only when its memory fits.
    #[arg(long, short, default_value_t = 1)]
    pub jobs: usize,
    /// Run only the K-th of N disjoint slices of the runs (0 <= K < N), e.g. 0/4.
    #[arg(long)]
    pub shard: Option<String>,
    /// Run only this run id (repeatable).
    #[arg(long)]
    pub only: Vec<String>,
    /// Override the device: auto, cpu, cuda, cuda:N.
    #[arg(long)]
    pub device: Option<String>,
    /// Override libtorch threads per run.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `mixout predict`.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// A finetuned model folder (written by `save_model: true`).
    #[arg(long)]
    pub model: PathBuf,
    /// GLUE task name.
    #[arg(long)]
    pub task: String,
    /// Split: train or dev.
    #[arg(long, default_value = "dev")]
    pub split: String,
    /// Output file (one JSON line per example).
    #[arg(long)]
    pub out: PathBuf,
    /// GLUE data folder; default `$MIXOUT_GLUE_DIR` or `shared/data/glue`.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Max sequence length.
    #[arg(long, default_value_t = 128)]
    pub max_seq_len: usize,
    /// Device.
    #[arg(long, default_value = "auto")]
    pub device: String,
}

/// Parses arguments from an iterator (tests call this directly).
pub fn parse_args<I, T>(args: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Cli::try_parse_from(args)
}

fn init_logging(level: &str, quiet: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MIXOUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(if quiet { "warn" } else { level }));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    let quiet = matches!(&cli.command, Command::Run(a) if a.quiet);
    init_logging(&cli.log, quiet);
    match cli.command {
        Command::Run(a) => {
            let exp = Experiment::load(&a.file)?;
            if a.jobs == 0 {
                bail!("--jobs must be at least 1");
            }
            let opts = RunOptions {
                results: a.results,
                jobs: a.jobs,
                shard: a.shard.as_deref().map(parse_shard).transpose()?,
                only: a.only,
                device: a.device.as_deref().map(str::parse::<DeviceSpec>).transpose()?,
                threads: a.threads,
                quiet: a.quiet,
            };
            let s = run_experiment(&exp, &opts)?;
            eprintln!(
                "{}: {} run(s) finished now, {} skipped (already done), {} diverged; results in {}",
                exp.name,
                s.ran,
                s.skipped,
                s.diverged,
                s.results_dir.display()
            );
            Ok(())
        }
        Command::Check { file, name_only } => {
            let exp = Experiment::load(&file)?;
            if name_only {
                println!("{}", mixout_report::results::sanitize(&exp.name));
                return Ok(());
            }
            let runs = exp.runs();
            let unavailable = crate::inspect::preflight(&exp, &exp.settings)?;
            println!(
                "{}: experiment `{}`, {} setting(s), {} run(s)",
                file.display(),
                exp.name,
                exp.settings.len(),
                runs.len()
            );
            if !unavailable.is_empty() {
                println!("  (model not available here, weight selection not checked for: {})", unavailable.join(", "));
            }
            for r in &runs {
                let s = &r.setting;
                println!(
                    "  {:<32} task {:<6} lr {:<8} dropout {:<4} mixout {:<4} wdecay {}({}) head {}{} precision {} vs {}",
                    r.run_id,
                    s.task.clone().unwrap_or_else(|| "custom".into()),
                    s.lr,
                    s.encoder_dropout(),
                    s.mixout.p,
                    s.weight_decay.lambda,
                    if s.weight_decay.toward == crate::config::DecayTarget::Zero { "0" } else { "w_pre" },
                    s.head_label(),
                    match (s.reinit_layers, s.llrd) {
                        (0, None) => String::new(),
                        (k, g) => format!("{}{}", if k > 0 { format!(" reinit {k}") } else { String::new() }, g.map(|g| format!(" llrd {g}")).unwrap_or_default()),
                    },
                    s.precision.name(),
                    if s.baseline == s.label { "itself (baseline)".to_string() } else { format!("`{}`", s.baseline.clone().unwrap_or_default()) }
                );
            }
            Ok(())
        }
        Command::Inspect { file } => {
            let exp = Experiment::load(&file)?;
            print!("{}", crate::inspect::render(&exp)?);
            Ok(())
        }
        Command::Report { results, out } => {
            let out = out.unwrap_or_else(|| results.join("report"));
            let report = mixout_report::write_report(&results, &out)
                .with_context(|| format!("report of {}", results.display()))?;
            println!("{}", report.table);
            for f in &report.files {
                println!("wrote {}", f.display());
            }
            Ok(())
        }
        Command::Status { file, results } => {
            let exp = Experiment::load(&file)?;
            print!("{}", crate::slurm::status_table(&exp, &results)?);
            Ok(())
        }
        Command::Predict(a) => crate::predict::predict_cmd(&a),
        Command::Bench(a) => crate::bench::bench_cmd(&a),
        Command::Slurm(a) => crate::slurm::slurm_cmd(&a),
        Command::Doctor => {
            let d = crate::doctor::diagnose();
            print!("{}", d.text);
            if !d.cuda_ok {
                // Non-zero so job scripts can stop before queueing GPU work on a machine without one.
                std::process::exit(1);
            }
            Ok(())
        }
    }
}
