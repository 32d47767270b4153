//! PNG figures of a task's runs, one file per figure: restart stability (the paper's
//! Figure 3, [`stability`]), the dev score against p (Figure 4, [`psweep`]), per-epoch
//! training curves ([`curves`]), and the expected best score against the number of
//! restarts (Dodge et al. 2019, [`evp`]).
//!
//! Drawing only: every figure takes the runs already read and grouped ([`TaskRuns`])
//! together with the summary computed from them ([`TaskSummary`]), so a count, mean,
//! interval or expected maximum drawn is the one the tables print. Text uses an
//! embedded DejaVu Sans, registered with plotters' ab_glyph backend, so the plots look
//! the same on a machine without any system font. Nothing random is drawn: dots are
//! spread by a deterministic beeswarm, so the same results give byte-identical PNGs.

pub mod curves;
pub mod evp;
pub mod psweep;
pub mod stability;
mod style;
mod swarm;

use std::error::Error;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{ReportError, Result};
use crate::results::sanitize;
use crate::summary::{SettingRuns, SettingSummary, TaskRuns, TaskSummary};

pub use curves::curves_plot;
pub use evp::evp_plot;
pub use psweep::{has_psweep, psweep_plot};
pub use stability::stability_plot;

/// Height of every plot in pixels.
pub const HEIGHT: u32 = 720;
/// Minimum width of every plot in pixels; the stability plot widens with many settings.
pub const MIN_WIDTH: u32 = 1280;

type DrawResult<T> = std::result::Result<T, Box<dyn Error>>;
type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// A task as the figures see it: its runs, and the summary computed from them, row
/// `i` of the summary describing setting `i` of the runs.
#[derive(Debug, Clone, Copy)]
pub struct TaskData<'r, 'a> {
    /// The runs, grouped by setting.
    pub runs: &'r TaskRuns<'a>,
    /// The summary of those runs ([`crate::summary::summarize_task`]).
    pub summary: &'r TaskSummary,
}

impl<'r, 'a> TaskData<'r, 'a> {
    /// Pairs a task's runs with its summary; `None` when they do not describe the same
    /// settings in the same order.
    pub fn new(runs: &'r TaskRuns<'a>, summary: &'r TaskSummary) -> Option<Self> {
        let same = runs.task == summary.task
            && runs.settings.len() == summary.rows.len()
            && runs.settings.iter().zip(&summary.rows).all(|(s, r)| s.setting == r.setting);
        same.then_some(Self { runs, summary })
    }

    /// Every setting with its summary row, in setting order.
    pub fn settings(&self) -> impl Iterator<Item = (&'r SettingRuns<'a>, &'r SettingSummary)> + '_ {
        self.runs.settings.iter().zip(&self.summary.rows)
    }
}

/// Runs a drawing function on a fresh bitmap of `size` and saves it, mapping any
/// failure to [`ReportError::Plot`] naming the file.
fn render(path: &Path, size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> DrawResult<()>) -> Result<()> {
    let fail = |message: String| ReportError::Plot { path: path.to_path_buf(), message };
    style::ensure_font().map_err(fail)?;
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    draw(&root).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Writes every plot of a task into `out_dir` and returns their paths:
/// `stability_<task>.png`, `psweep_<task>.png` (only when [`has_psweep`]),
/// `curves_<task>.png` and `evp_<task>.png`.
pub fn write_plots(t: TaskData<'_, '_>, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let task = sanitize(&t.runs.task);
    let mut files = Vec::new();
    let path = out_dir.join(format!("stability_{task}.png"));
    stability_plot(t, &path)?;
    files.push(path);
    if has_psweep(t) {
        let path = out_dir.join(format!("psweep_{task}.png"));
        psweep_plot(t, &path)?;
        files.push(path);
    }
    let path = out_dir.join(format!("curves_{task}.png"));
    curves_plot(t, &path)?;
    files.push(path);
    let path = out_dir.join(format!("evp_{task}.png"));
    evp_plot(t, &path)?;
    files.push(path);
    Ok(files)
}
