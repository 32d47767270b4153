//! Training curves: train loss and dev score per epoch, per setting.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::{render, Area, DrawResult, TaskData};
use std::collections::BTreeMap;
use std::path::Path;

use super::{HEIGHT, MIN_WIDTH};
use crate::error::Result;
use crate::results::{RunResult, RunStatus};
use crate::stats;
use crate::summary::TaskRuns;

/// Draws `curves_<task>.png`: train loss (left) and dev score (right) per epoch,
/// one faint line per run and a bold line of the per-epoch mean, per setting.
pub fn curves_plot(t: TaskData<'_, '_>, path: &Path) -> Result<()> {
    render(path, (MIN_WIDTH, HEIGHT), |root| draw_curves(root, t.runs))
}

/// (epoch, value) of a run's finite values picked by `f`.
fn series(r: &RunResult, f: &dyn Fn(&crate::results::EpochRecord) -> Option<f64>) -> Vec<(f64, f64)> {
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

fn draw_curves(root: &Area<'_>, t: &TaskRuns<'_>) -> DrawResult<()> {
    let color = |i: usize| PALETTE[i % PALETTE.len()];
    let mut legend: Vec<(Swatch, String)> =
        t.settings.iter().enumerate().map(|(i, s)| (Swatch::Line(color(i).to_rgba(), 4), s.setting.clone())).collect();
    legend.push((Swatch::Line(BLACK.mix(0.3), 2), "one run".to_string()));
    legend.push((Swatch::Line(BLACK.to_rgba(), 4), "mean of runs".to_string()));
    let any_diverged = t.settings.iter().flat_map(|s| s.runs.iter()).any(|r| r.status == RunStatus::Diverged);
    if any_diverged {
        legend.push((Swatch::Cross(BLACK.mix(0.7)), "last epoch of a diverged run".to_string()));
    }
    let title = format!("{}: training curves per epoch", t.task);
    let subtitle = format!("model: {}", model_name(t));
    let header = draw_header(root, &title, &subtitle, &legend)?;
    let (_, body) = root.split_vertically(header);
    let panels = body.split_evenly((1, 2));
    // Thin lines only when there are many: a few 1-px lines at 30% vanish.
    let n_runs: usize = t.settings.iter().map(|s| s.runs.len()).sum();
    let faint_px = if n_runs > 60 { 1 } else { 2 };

    let metric = t.metric.clone();
    let loss: Vec<Vec<Vec<(f64, f64)>>> =
        t.settings.iter().map(|s| s.runs.iter().map(|r| series(r, &|e| Some(e.train_loss))).collect()).collect();
    let dev: Vec<Vec<Vec<(f64, f64)>>> = t
        .settings
        .iter()
        .map(|s| s.runs.iter().map(|r| series(r, &|e| e.dev.get(&metric).copied())).collect())
        .collect();
    let max_epoch = t
        .settings
        .iter()
        .flat_map(|s| s.runs.iter())
        .flat_map(|r| r.epochs.iter().map(|e| e.epoch))
        .max()
        .unwrap_or(1)
        .max(1);
    let panel_specs = [
        (&panels[0], &loss, "train loss (epoch mean)".to_string(), None),
        (&panels[1], &dev, metric_label(&t.metric), Some(t.chance)),
    ];
    for (area, data, ylabel, chance) in panel_specs {
        let values = data.iter().flatten().flatten().map(|p| p.1).chain(chance);
        let (y_lo, y_hi) = padded_range(values);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(0.8f64..max_epoch as f64 + 0.2, y_lo..y_hi)?;
        chart
            .configure_mesh()
            // At most one tick per epoch makes plotters pick whole epochs.
            .x_labels(max_epoch as usize)
            .x_label_formatter(&|e| format!("{e:.0}"))
            .y_labels(8)
            .x_desc("epoch")
            .y_desc(ylabel)
            .label_style(font(TEXT_PX))
            .axis_desc_style(font(20.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(BLACK.mix(0.1))
            .draw()?;
        for (i, runs) in data.iter().enumerate() {
            for line in runs {
                chart.draw_series(LineSeries::new(line.clone(), color(i).mix(0.3).stroke_width(faint_px)))?;
            }
        }
        // A diverged run may have a single epoch, which draws no line: mark where it ended.
        for (i, (s, runs)) in t.settings.iter().zip(data.iter()).enumerate() {
            for (r, line) in s.runs.iter().zip(runs) {
                if let (RunStatus::Diverged, Some(&last)) = (r.status, line.last()) {
                    chart.draw_series(std::iter::once(Cross::new(last, 6, color(i).stroke_width(3))))?;
                }
            }
        }
        for (i, runs) in data.iter().enumerate() {
            let mean = mean_series(runs);
            chart.draw_series(LineSeries::new(mean.clone(), color(i).stroke_width(4)))?;
            chart.draw_series(mean.into_iter().map(|p| Circle::new(p, 5, color(i).filled())))?;
        }
        // Chance goes on top of the curves, its label on a white patch, so both stay legible.
        if let Some(c) = chance {
            let (xr, _) = chart.plotting_area().get_pixel_range();
            let y = chart.backend_coord(&(1.0, c)).1;
            // Pixel positions from the chart are absolute: draw on the root.
            root.draw(&DashedPathElement::new(
                vec![(xr.start, y), (xr.end, y)],
                10,
                6,
                RGBColor(60, 60, 60).stroke_width(2),
            ))?;
            let style = anchored(16.0, HPos::Right, VPos::Bottom).color(&RGBColor(60, 60, 60));
            let (tw, th) = root.estimate_text_size("chance", &style)?;
            let at = (xr.end - 6, y - 5);
            let patch = [(at.0 - tw as i32 - 3, at.1 - th as i32 - 4), (at.0 + 3, at.1 + 2)];
            root.draw(&Rectangle::new(patch, WHITE.mix(0.85).filled()))?;
            root.draw(&Text::new("chance".to_string(), at, style))?;
        }
    }
    Ok(())
}
