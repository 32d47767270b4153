//! Training curves: train loss (top) and dev score (bottom) per epoch, one panel per
//! group ([`super::facet`]), a faint line per run and a bold line of the mean.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::prelude::*;

use super::facet::{self, Panel};
use super::lines::{self, LineStyle, XScale};
use super::sheet::{draw_frame, draw_y_axis, nice_ticks, Sheet, YScale};
use super::style::*;
use super::{write_faceted, Area, DrawResult, Facets, Figure, Kind, TaskData};
use crate::error::Result;
use crate::results::{EpochRecord, RunResult, RunStatus};
use crate::stats;

/// Gap between the loss and the dev chart of a panel.
const SPLIT_GAP: i32 = 10;

/// Writes `curves_<task>.png` (numbered files beyond [`facet::MAX_ROWS_PER_FILE`]
/// rows): per panel, train loss above and the dev score below, per epoch; a faint
/// line per run, a bold line of the per-epoch mean, the baseline in black, crosses
/// where diverged runs ended, chance dashed.
pub fn curves_plots(t: TaskData<'_, '_>, out_dir: &Path) -> Result<Vec<Figure>> {
    let panels = facet::panels(t.summary, lines::MAX_LINES);
    let f = Facets::line_charts(Kind::Curves, 340, &panels);
    let metric = t.runs.metric.clone();
    let series_of = |pick: &dyn Fn(&EpochRecord) -> Option<f64>| -> Vec<Vec<Vec<(f64, f64)>>> {
        t.runs.settings.iter().map(|s| s.runs.iter().map(|r| series(r, pick)).collect()).collect()
    };
    let loss = series_of(&|e| Some(e.train_loss));
    let dev = series_of(&|e| e.dev.get(&metric).copied());
    let data = Curves { loss, dev };
    write_faceted(t, out_dir, &f, &panels, |root, sheet, rows| draw_page(root, t, &data, sheet, rows))
}

/// Per setting, per run: (epoch, value) of train loss and of the dev metric.
struct Curves {
    loss: Vec<Vec<Vec<(f64, f64)>>>,
    dev: Vec<Vec<Vec<(f64, f64)>>>,
}

/// (epoch, value) of a run's finite values picked by `f`.
fn series(r: &RunResult, f: &dyn Fn(&EpochRecord) -> Option<f64>) -> Vec<(f64, f64)> {
    r.epochs.iter().filter_map(|e| f(e).filter(|v| v.is_finite()).map(|v| (e.epoch as f64, v))).collect()
}

/// Per-epoch mean over the runs that have a value at that epoch.
fn mean_series(lines: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    let mut by_epoch: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for line in lines {
        for &(e, v) in line {
            by_epoch.entry(e as i64).or_default().push(v);
        }
    }
    by_epoch.into_iter().filter_map(|(e, vs)| stats::mean(&vs).map(|m| (e as f64, m))).collect()
}

fn draw_page(root: &Area<'_>, t: TaskData<'_, '_>, c: &Curves, sheet: &Sheet, rows: &[Vec<&Panel>]) -> DrawResult<()> {
    let members: Vec<usize> = rows.iter().flatten().flat_map(|p| lines::panel_lines(p)).map(|l| l.0).collect();
    let mut legend = vec![
        (Swatch::Line(BLACK.to_rgba(), 4), "baseline: mean of runs".to_string()),
        (Swatch::Line(PALETTE[0].to_rgba(), 3), "other settings (named under each panel)".to_string()),
        (Swatch::Line(BLACK.mix(0.3), 2), "one run".to_string()),
    ];
    let runs = |i: usize| t.runs.settings[i].runs.iter();
    if members.iter().any(|&i| runs(i).any(|r| r.status == RunStatus::Diverged)) {
        legend.push((Swatch::Cross(BLACK.mix(0.7)), "last epoch of a diverged run".to_string()));
    }
    legend.push((Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()));
    let title = format!("{}: training curves per epoch", t.runs.task);
    draw_header(root, &title, &format!("model: {}", model_name(t.runs)), &legend)?;

    let range = |d: &Vec<Vec<Vec<(f64, f64)>>>, extra: Option<f64>| {
        padded_range(members.iter().flat_map(|&i| d[i].iter().flatten().map(|p| p.1)).chain(extra))
    };
    let (loss_r, dev_r) = (range(&c.loss, None), range(&c.dev, Some(t.runs.chance)));
    let max_epoch = members.iter().flat_map(|&i| runs(i)).flat_map(|r| r.epochs.iter().map(|e| e.epoch)).max();
    let max_epoch = max_epoch.unwrap_or(1).max(1) as f64;
    let x_ticks = lines::integer_ticks(1.0, max_epoch);
    let half = (sheet.plot_h - SPLIT_GAP) / 2;
    for (r, row) in rows.iter().enumerate() {
        let top = sheet.top(r);
        let ly = YScale { lo: loss_r.0, hi: loss_r.1, top, h: half };
        let dy = YScale { lo: dev_r.0, hi: dev_r.1, top: top + half + SPLIT_GAP, h: half };
        let (lt, dt) = (nice_ticks(ly.lo, ly.hi, 4), nice_ticks(dy.lo, dy.hi, 4));
        draw_y_axis(root, sheet.boxes[r][0].0, ly, &lt, "train loss")?;
        draw_y_axis(root, sheet.boxes[r][0].0, dy, &dt, &metric_label(&t.runs.metric))?;
        for (k, panel) in row.iter().enumerate() {
            let (left, w) = sheet.boxes[r][k];
            let x = XScale { lo: 0.8, hi: max_epoch + 0.2, left, w };
            draw_frame(root, (left, w), ly, &lt, &panel.title)?;
            draw_frame(root, (left, w), dy, &dt, "")?;
            lines::draw_chance_line(root, x, dy, t.runs.chance)?;
            let drawn = lines::panel_lines(panel);
            draw_chart(root, t, &c.loss, &drawn, x, ly)?;
            draw_chart(root, t, &c.dev, &drawn, x, dy)?;
            lines::draw_x_axis(root, x, top + sheet.plot_h, &x_ticks, "epoch")?;
            lines::draw_panel_legend(root, t.summary, &drawn, (left, w), top + sheet.plot_h)?;
        }
    }
    Ok(())
}

/// One chart of a panel: faint runs, crosses where diverged runs ended, bold means.
fn draw_chart(
    root: &Area<'_>,
    t: TaskData<'_, '_>,
    data: &[Vec<Vec<(f64, f64)>>],
    drawn: &[(usize, LineStyle)],
    x: XScale,
    y: YScale,
) -> DrawResult<()> {
    let n_runs: usize = drawn.iter().map(|&(i, _)| data[i].len()).sum();
    // Thin lines only when there are many: a few 1-px lines at 30% vanish.
    let faint_px = if n_runs > 60 { 1 } else { 2 };
    let to_px = |line: &[(f64, f64)]| line.iter().map(|&(e, v)| (x.px(e), y.px(v))).collect::<Vec<_>>();
    for &(i, s) in drawn {
        for (r, line) in t.runs.settings[i].runs.iter().zip(&data[i]) {
            root.draw(&PathElement::new(to_px(line), s.color.mix(0.3).stroke_width(faint_px)))?;
            // A diverged run may have a single epoch, which draws no line: mark where it ended.
            if let (RunStatus::Diverged, Some(&(e, v))) = (r.status, line.last()) {
                root.draw(&Cross::new((x.px(e), y.px(v)), 5, s.color.stroke_width(2)))?;
            }
        }
    }
    for &(i, s) in drawn {
        let mean = to_px(&mean_series(&data[i]));
        for &p in &mean {
            root.draw(&Circle::new(p, 3, s.color.filled()))?;
        }
        lines::draw_path(root, mean, s)?;
    }
    Ok(())
}
