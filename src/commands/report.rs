//! `mixout report`: summary tables and figures from results folders (no libtorch used).

use anyhow::{Context, Result};
use std::path::PathBuf;

/// Arguments of `mixout report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A study's results folder (e.g. results/rte-cpu).
    pub results: PathBuf,
    /// Output folder; default `<results>/report`.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `mixout report`.
pub fn run(a: ReportArgs) -> Result<()> {
    let out = a.out.unwrap_or_else(|| a.results.join("report"));
    let report =
        mixout_report::write_report(&a.results, &out).with_context(|| format!("report of {}", a.results.display()))?;
    println!("{}", report.table);
    for f in &report.files {
        println!("wrote {}", f.display());
    }
    Ok(())
}
