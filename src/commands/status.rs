//! `mixout status`: per setting, how many runs are finished, diverged, changed or missing.

use anyhow::Result;
use mixout::study::{Overrides, Study};
use mixout::sweep::resume::{inspect, Found};
use mixout_report::RunStatus;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Arguments of `mixout status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Experiment YAML.
    pub file: PathBuf,
    /// Parent results folder.
    #[arg(long, default_value = "results")]
    pub results: PathBuf,
}

/// Runs `mixout status`.
pub fn run(a: StatusArgs) -> Result<()> {
    let study = Study::load(&a.file, &Overrides { jobs: 1, ..Default::default() })?;
    print!("{}", status_table(&study, &a.results));
    Ok(())
}

/// Per setting: finished, diverged, changed (made with another configuration, or damaged)
/// and missing runs of a study.
pub fn status_table(study: &Study, results: &Path) -> String {
    let dir = study.results_dir(results);
    let mut out = String::new();
    let head = ("setting", "finished", "diverged", "changed", "missing", "total");
    let _ = writeln!(out, "{:<28} {:>8} {:>9} {:>8} {:>8} {:>8}", head.0, head.1, head.2, head.3, head.4, head.5);
    let mut all = [0usize; 5];
    for (i, ss) in study.settings.iter().enumerate() {
        let mut n = [0usize; 5];
        for r in study.runs.iter().filter(|r| r.setting_index == i) {
            let slot = match inspect(&dir, r) {
                Found::Done(RunStatus::Diverged) => 1,
                Found::Done(_) => 0,
                Found::Changed(_) | Found::Damaged(_) => 2,
                Found::Missing => 3,
            };
            n[slot] += 1;
            n[4] += 1;
        }
        let _ = writeln!(out, "{:<28} {:>8} {:>9} {:>8} {:>8} {:>8}", ss.label, n[0], n[1], n[2], n[3], n[4]);
        for k in 0..5 {
            all[k] += n[k];
        }
    }
    let _ = writeln!(out, "{:<28} {:>8} {:>9} {:>8} {:>8} {:>8}", "all", all[0], all[1], all[2], all[3], all[4]);
    out
}
