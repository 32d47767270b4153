//! Result files, statistics, tables and stability plots of the mixout harness.
//!
//! This crate never links libtorch: a report is drawn from result files alone.
//! [`write_report`] and [`write_report_multi`] are the entry points: they read one or
//! several results folders ([`study::Study`]), summarise them once ([`summary`]), and
//! write `summary.md`, `summary.csv`, the PNG figures ([`plot`]) and `index.html`
//! ([`html`]) into an output folder.

#![warn(missing_docs)]

pub mod error;
pub mod html;
pub mod plot;
pub mod results;
pub mod stats;
pub mod study;
pub mod summary;

use std::path::{Path, PathBuf};

pub use error::{ReportError, Result};
pub use plot::Figure;
pub use results::{read_results_dir, EpochRecord, RunParams, RunResult, RunStatus, Versions};
pub use study::Study;

/// What [`write_report`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The summary table as aligned plain text, for printing to a terminal.
    pub table: String,
    /// Every file written: `summary.md`, `summary.csv`, the figures per task, then
    /// `index.html` (last).
    pub files: Vec<PathBuf>,
    /// Every figure file written, with its size and panel count.
    pub figures: Vec<Figure>,
}

impl Report {
    /// The `index.html` page of the report.
    pub fn index(&self) -> Option<&Path> {
        self.files.iter().map(PathBuf::as_path).find(|p| p.file_name().is_some_and(|n| n == "index.html"))
    }
}

/// Reads every result file under `results_dir` and writes the report into `out_dir`
/// (created if missing): [`write_report_multi`] of one folder.
pub fn write_report(results_dir: &Path, out_dir: &Path) -> Result<Report> {
    write_report_multi(&[results_dir.to_path_buf()], out_dir)
}

/// Reads every result file under each of `results_dirs` and writes one report into
/// `out_dir` (created if missing): `summary.md`, `summary.csv`, per task the figures
/// `stability_<task>.png`, `psweep_<task>.png` (when a family of settings sweeps p
/// over at least three values), `curves_<task>.png` and `evp_<task>.png` (numbered
/// `_1`, `_2`, … when a figure needs several files), and `index.html`, which shows
/// them all.
///
/// Each folder is a study: its settings, runs and baselines stay its own, even when
/// another folder uses the same labels and run ids. When the folders differ in
/// experiment, device, precision or harness version (or share setting labels), a
/// `source` column and panel titles tell them apart ([`study::sources`]).
///
/// Fails with [`ReportError::Empty`] when a folder holds no result file, and with the
/// error of the first file that cannot be read, parsed or written.
pub fn write_report_multi(results_dirs: &[PathBuf], out_dir: &Path) -> Result<Report> {
    if results_dirs.is_empty() {
        return Err(ReportError::Empty(PathBuf::new()));
    }
    let studies: Vec<Study> = results_dirs.iter().map(|d| Study::read(d)).collect::<Result<_>>()?;
    std::fs::create_dir_all(out_dir).map_err(|e| ReportError::io(out_dir, e))?;

    let sources = study::sources(&studies);
    let labelled: Vec<(Option<String>, &[RunResult])> =
        studies.iter().zip(&sources).map(|(s, src)| (src.clone(), s.results.as_slice())).collect();
    let groups = summary::group_studies(&labelled);
    let tasks: Vec<summary::TaskSummary> = groups.iter().map(summary::summarize_task).collect();

    let mut figures = Vec::new();
    for (g, s) in groups.iter().zip(&tasks) {
        let data = plot::TaskData::new(g, s).ok_or_else(|| ReportError::Inconsistent(g.task.clone()))?;
        figures.extend(plot::write_plots(data, out_dir)?);
    }
    let names: Vec<(String, String)> = figures
        .iter()
        .filter_map(|f| f.path.file_name().map(|n| (f.task.clone(), n.to_string_lossy().to_string())))
        .collect();

    let prov = summary::Provenance::of_all(studies.iter().flat_map(|s| &s.results));
    let md_path = out_dir.join("summary.md");
    write(&md_path, &summary::markdown(&tasks, &prov, &names))?;
    let csv_path = out_dir.join("summary.csv");
    write(&csv_path, &summary::csv(&tasks))?;
    let html_path = out_dir.join("index.html");
    write(&html_path, &html::index_html(&tasks, &prov, &studies, &sources, &figures))?;

    let mut files = vec![md_path, csv_path];
    files.extend(figures.iter().map(|f| f.path.clone()));
    files.push(html_path);
    Ok(Report { table: summary::terminal_table(&tasks), files, figures })
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| ReportError::io(path, e))
}
