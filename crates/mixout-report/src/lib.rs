//! Result files, statistics, tables and stability plots of the mixout harness.
//!
//! This crate never links libtorch: a report is drawn from result files alone.
//! [`write_report`] is the entry point: it reads a results folder
//! ([`results::read_results_dir`]), summarises it ([`summary`]), and writes
//! `summary.md`, `summary.csv` and the PNG plots ([`plot`]) into an output folder.

#![warn(missing_docs)]

pub mod error;
pub mod plot;
pub mod results;
pub mod stats;
pub mod summary;

use std::path::{Path, PathBuf};

pub use error::{ReportError, Result};
pub use results::{read_results_dir, EpochRecord, RunParams, RunResult, RunStatus, Versions};

/// What [`write_report`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The summary table as aligned plain text, for printing to a terminal.
    pub table: String,
    /// Every file written: `summary.md`, `summary.csv`, then the plots per task.
    pub files: Vec<PathBuf>,
}

/// Reads every result file under `results_dir` and writes the report into
/// `out_dir` (created if missing): `summary.md`, `summary.csv`, and per task
/// `stability_<task>.png`, `psweep_<task>.png` (when the settings sweep p over at
/// least three values), `curves_<task>.png` and `evp_<task>.png` (expected best
/// score against the number of restarts); `summary.md` links every figure.
///
/// Fails with [`ReportError::Empty`] when the folder holds no result file, and
/// with the error of the first file that cannot be read, parsed or written.
pub fn write_report(results_dir: &Path, out_dir: &Path) -> Result<Report> {
    let results = read_results_dir(results_dir)?;
    if results.is_empty() {
        return Err(ReportError::Empty(results_dir.to_path_buf()));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::io(out_dir, e))?;

    let groups = summary::group_by_task(&results);
    let tasks: Vec<summary::TaskSummary> = groups.iter().map(summary::summarize_task).collect();

    let mut plots = Vec::new();
    let mut figures = Vec::new();
    for (g, s) in groups.iter().zip(&tasks) {
        let data = plot::TaskData::new(g, s).ok_or_else(|| ReportError::Inconsistent(g.task.clone()))?;
        for path in plot::write_plots(data, out_dir)? {
            if let Some(name) = path.file_name() {
                figures.push((g.task.clone(), name.to_string_lossy().to_string()));
            }
            plots.push(path);
        }
    }

    let md_path = out_dir.join("summary.md");
    let md = summary::markdown(&tasks, &summary::Provenance::of(&results), &figures);
    std::fs::write(&md_path, md).map_err(|e| ReportError::io(&md_path, e))?;
    let csv_path = out_dir.join("summary.csv");
    std::fs::write(&csv_path, summary::csv(&tasks)).map_err(|e| ReportError::io(&csv_path, e))?;

    let mut files = vec![md_path, csv_path];
    files.extend(plots);
    Ok(Report { table: summary::terminal_table(&tasks), files })
}
