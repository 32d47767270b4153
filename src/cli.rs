//! Command-line wiring: the clap tree and the dispatch to one command each. The commands
//! own their arguments (`commands/`); this file only connects them.

use crate::commands::{bench, check, doctor, inspect, predict, report, run, slurm, status};
use anyhow::Result;
use clap::{Parser, Subcommand};

/// Finetune pretrained transformers with mixout and report finetuning stability.
#[derive(Debug, Parser)]
#[command(name = "mixout", version, about, long_about = None)]
pub struct Cli {
    /// Log level. A typo is an error, not silence.
    #[arg(long, global = true, value_enum, default_value_t = LogLevel::Info)]
    pub log: LogLevel,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// How much `mixout` logs (`MIXOUT_LOG`, a tracing filter, overrides it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Runs started, finished and skipped (the default).
    Info,
    /// Everything, step by step.
    Debug,
    /// Even more.
    Trace,
}

impl LogLevel {
    fn filter(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a study: every setting × seed of an experiment file (resumes; skips finished runs).
    Run(run::RunArgs),
    /// Validate an experiment file and list its runs.
    Check(check::CheckArgs),
    /// Show which parameters each setting mixes or decays, toward what, and the memory cost.
    Inspect(inspect::InspectArgs),
    /// Write summary tables and stability plots from a results folder (no libtorch used).
    Report(report::ReportArgs),
    /// Count finished, diverged, changed and missing runs per setting of a study.
    Status(status::StatusArgs),
    /// Write one line of logits and the prediction per example of a split.
    Predict(predict::PredictArgs),
    /// Micro-benchmarks of the training step, mixout and evaluation (see `make bench`).
    Bench(bench::BenchArgs),
    /// Write (and optionally submit) a Slurm job array running a study in shards.
    Slurm(slurm::SlurmArgs),
    /// Show libtorch, CUDA devices, driver, threads and assets; exit 1 when `device: cuda` would fail.
    Doctor(doctor::DoctorArgs),
}

/// Parses arguments from an iterator (tests call this directly).
pub fn parse_args<I, T>(args: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Cli::try_parse_from(args)
}

fn init_logging(level: LogLevel, quiet: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MIXOUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(if quiet { "warn" } else { level.filter() }));
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
    init_logging(cli.log, quiet);
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Check(a) => check::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Report(a) => report::run(a),
        Command::Status(a) => status::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Bench(a) => bench::bench_cmd(&a),
        Command::Slurm(a) => slurm::run(a),
        Command::Doctor(a) => doctor::run(&a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_level_typo_is_an_error_naming_the_choices() {
        // Issue 26: `--log wran` silenced every log.
        let err = parse_args(["mixout", "--log", "wran", "doctor"]).unwrap_err().to_string();
        assert!(err.contains("wran") && err.contains("warn"), "{err}");
        let cli = parse_args(["mixout", "--log", "debug", "doctor"]).unwrap();
        assert_eq!(cli.log, LogLevel::Debug);
        assert_eq!(parse_args(["mixout", "doctor"]).unwrap().log, LogLevel::Info);
    }
}
