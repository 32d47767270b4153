//! `mixout report`: summary tables, figures and an `index.html` from one or more results
//! folders (no libtorch used).

use anyhow::{Context, Result};
use std::path::PathBuf;

/// Arguments of `mixout report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Results folders of studies (e.g. results/rte-cpu); several are reported together,
    /// each keeping its own runs and baselines.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Output folder; default `<first results folder>/report`.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `mixout report`.
pub fn run(a: ReportArgs) -> Result<()> {
    let out = a.out.unwrap_or_else(|| a.results[0].join("report"));
    let shown: Vec<String> = a.results.iter().map(|p| p.display().to_string()).collect();
    let report = mixout_report::write_report_multi(&a.results, &out)
        .with_context(|| format!("report of {}", shown.join(", ")))?;
    println!("{}", report.table);
    for f in &report.files {
        println!("wrote {}", f.display());
    }
    if let Some(index) = report.index() {
        println!("open {} in a browser to read the report", index.display());
    }
    Ok(())
}
