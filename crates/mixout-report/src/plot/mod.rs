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
pub mod facet;
mod lines;
pub mod psweep;
mod sheet;
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

pub use curves::curves_plots;
pub use evp::evp_plots;
pub use psweep::{has_psweep, psweep_plot};
pub use stability::stability_plots;

/// Height of every figure of one row of panels, in pixels; more rows make it taller.
pub const HEIGHT: u32 = 720;
/// Minimum width of every figure in pixels; rows of many columns make it wider.
pub const MIN_WIDTH: u32 = 1280;

/// The kind of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every restart's score per setting ([`stability`]).
    Stability,
    /// Score against p ([`psweep`]).
    Psweep,
    /// Training curves ([`curves`]).
    Curves,
    /// Expected best score against restarts ([`evp`]).
    Evp,
}

impl Kind {
    /// File-name stem and short name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Stability => "stability",
            Kind::Psweep => "psweep",
            Kind::Curves => "curves",
            Kind::Evp => "evp",
        }
    }

    /// What the figure shows, one line for a caption.
    pub fn caption(self) -> &'static str {
        match self {
            Kind::Stability => "final dev score of every restart per setting (paper Figure 3 style)",
            Kind::Psweep => "final dev score against the dropout or mixout probability p (paper Figure 4 style)",
            Kind::Curves => "train loss and dev score per epoch",
            Kind::Evp => "expected best dev score over n restarts (Dodge et al. 2019)",
        }
    }
}

/// One figure file written.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Task it shows.
    pub task: String,
    /// What it shows.
    pub kind: Kind,
    /// The PNG.
    pub path: PathBuf,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Panels drawn in it (1 for the p-sweep).
    pub panels: usize,
    /// Lines of the p-sweep (families); settings drawn for the other kinds.
    pub lines: usize,
    /// 1-based number of this file among the task's files of this kind, and their count.
    pub page: (usize, usize),
}

/// `<kind>_<task>.png`, or `<kind>_<task>_<k>.png` when a figure takes several files.
fn page_path(out_dir: &Path, kind: Kind, task: &str, page: usize, pages: usize) -> PathBuf {
    let task = sanitize(task);
    if pages > 1 {
        out_dir.join(format!("{}_{task}_{}.png", kind.name(), page + 1))
    } else {
        out_dir.join(format!("{}_{task}.png", kind.name()))
    }
}

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

/// Writes every figure of a task into `out_dir`: stability, p-sweep (only when
/// [`has_psweep`]), curves and EVP, each `<kind>_<task>.png`, or numbered
/// `<kind>_<task>_1.png`, `_2`, … when its panels need more than one file.
pub fn write_plots(t: TaskData<'_, '_>, out_dir: &Path) -> Result<Vec<Figure>> {
    let mut figures = stability_plots(t, out_dir)?;
    if has_psweep(t) {
        let path = page_path(out_dir, Kind::Psweep, &t.runs.task, 0, 1);
        let lines = psweep_plot(t, &path)?;
        let size = (MIN_WIDTH, HEIGHT);
        figures.push(Figure {
            task: t.runs.task.clone(),
            kind: Kind::Psweep,
            path,
            size,
            panels: 1,
            lines,
            page: (1, 1),
        });
    }
    figures.extend(curves_plots(t, out_dir)?);
    figures.extend(evp_plots(t, out_dir)?);
    Ok(figures)
}

/// How a faceted figure lays out its panels.
struct Facets {
    kind: Kind,
    /// Width of a panel in units (setting columns, or 1 per line chart).
    units: fn(&facet::Panel) -> usize,
    /// Units per row.
    row_capacity: usize,
    /// Narrowest and widest unit, in pixels.
    unit_px: (i32, i32),
    /// Least height of a plotting box.
    min_plot_h: i32,
    /// Room below each plotting box.
    below_h: i32,
}

impl Facets {
    /// The layout of line-chart figures (EVP, curves): one unit per panel,
    /// [`lines::PANELS_PER_ROW`] to a row, room below for each panel's legend.
    fn line_charts(kind: Kind, min_plot_h: i32, panels: &[facet::Panel]) -> Self {
        Facets {
            kind,
            units: |_| 1,
            row_capacity: lines::PANELS_PER_ROW,
            unit_px: (360, 1090),
            min_plot_h,
            below_h: lines::below_h(panels),
        }
    }
}

/// Writes a faceted figure: the panels packed into rows and files ([`facet::pages`]),
/// each file drawn by `draw` with its sheet and its rows of panels.
fn write_faceted(
    t: TaskData<'_, '_>,
    out_dir: &Path,
    f: &Facets,
    panels: &[facet::Panel],
    draw: impl Fn(&Area<'_>, &sheet::Sheet, &[Vec<&facet::Panel>]) -> DrawResult<()>,
) -> Result<Vec<Figure>> {
    let widths: Vec<usize> = panels.iter().map(f.units).collect();
    let pages = facet::pages(&widths, f.row_capacity);
    let mut out = Vec::new();
    for (k, page) in pages.iter().enumerate() {
        let rows: Vec<Vec<&facet::Panel>> = page.iter().map(|r| r.iter().map(|&i| &panels[i]).collect()).collect();
        let unit_rows: Vec<Vec<usize>> = page.iter().map(|r| r.iter().map(|&i| widths[i]).collect()).collect();
        let sheet = sheet::Sheet::new(&unit_rows, f.unit_px, f.min_plot_h, f.below_h);
        let path = page_path(out_dir, f.kind, &t.runs.task, k, pages.len());
        render(&path, sheet.size, |root| draw(root, &sheet, &rows))?;
        out.push(Figure {
            task: t.runs.task.clone(),
            kind: f.kind,
            path,
            size: sheet.size,
            panels: rows.iter().map(Vec::len).sum(),
            lines: rows.iter().flatten().map(|p| p.settings.len()).sum(),
            page: (k + 1, pages.len()),
        });
    }
    Ok(out)
}
