//! The stability figure (the paper's Figure 3): every restart's final dev score per setting.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::style::*;
use super::swarm::swarm;
use super::{render, Area, DrawResult, TaskData};
use super::{HEIGHT, MIN_WIDTH};
use crate::error::Result;
use crate::summary::{finished_score, SettingRuns, SettingSummary, TaskRuns};
use std::path::Path;

/// One column of the stability plot: the setting's dots from its runs, every number
/// from its summary row.
struct Column {
    label: String,
    total: usize,
    /// (score, seed, failed) of finished runs, ascending by score then seed.
    points: Vec<(f64, u64, bool)>,
    diverged: usize,
    /// Runs flagged failed (diverged ones included).
    failed: usize,
    /// Wilson 95% interval of the failure rate.
    failure_ci95: Option<(f64, f64)>,
    mean_std: Option<(f64, f64)>,
}

fn column(s: &SettingRuns<'_>, row: &SettingSummary) -> Column {
    let mut points: Vec<(f64, u64, bool)> =
        s.runs.iter().filter_map(|r| finished_score(r).map(|v| (v, r.seed, r.failed))).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Column {
        label: row.setting.clone(),
        total: row.runs,
        diverged: row.diverged,
        failed: row.failed,
        failure_ci95: row.failure_ci95,
        mean_std: row.stats.as_ref().map(|d| (d.mean, d.std)),
        points,
    }
}

/// Draws `stability_<task>.png`: every restart's final dev score per setting as a
/// swarm, with the mean (black bar) and ±1 std (grey band), chance as a dashed
/// line, failed restarts as red triangles and diverged ones as crosses at the
/// bottom; under each column the run count and the failure rate with its Wilson
/// 95% interval.
pub fn stability_plot(t: TaskData<'_, '_>, path: &Path) -> Result<()> {
    let cols: Vec<Column> = t.settings().map(|(s, row)| column(s, row)).collect();
    let width = MIN_WIDTH.max(200 + 150 * cols.len() as u32);
    render(path, (width, HEIGHT), |root| draw_stability(root, t.runs, &cols))
}

fn draw_stability(root: &Area<'_>, t: &TaskRuns<'_>, cols: &[Column]) -> DrawResult<()> {
    let any_diverged = cols.iter().any(|c| c.diverged > 0);
    let mut legend = vec![
        (Swatch::Dot(OK_BLUE.mix(0.85)), "restart".to_string()),
        (Swatch::Triangle(FAIL_RED.to_rgba()), "failed (≤ chance)".to_string()),
    ];
    if any_diverged {
        legend.push((Swatch::Cross(DIVERGED.to_rgba()), "diverged (no score)".to_string()));
    }
    legend.push((Swatch::Line(BLACK.to_rgba(), 4), "mean".to_string()));
    legend.push((Swatch::Band, "±1 std".to_string()));
    legend.push((Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()));
    let title = format!("{}: final {} of every restart, per setting", t.task, metric_label(&t.metric));
    let subtitle = format!("model: {}   (paper Figure 3 style)", model_name(t));
    let header = draw_header(root, &title, &subtitle, &legend)?;

    let (w, _) = root.dim_in_pixel();
    let (left_area, right_margin) = (96, 96);
    let k = cols.len().max(1);
    let col_px = (w as i32 - left_area - right_margin - 16) / k as i32;
    let label_style = anchored(17.0, HPos::Center, VPos::Top);
    let stat_style = anchored(15.0, HPos::Center, VPos::Top);
    let max_w = (col_px - 10).max(40) as u32;
    // (label lines, grey count and failure lines) per column.
    let mut labels: Vec<(Vec<String>, Vec<String>)> = Vec::with_capacity(cols.len());
    for c in cols {
        let mut lines = wrap_label(root, &c.label, &label_style, max_w)?;
        lines.truncate(4);
        let mut stat = vec![format!("n={}", c.total)];
        // "fail 1/5 (4–62%)" breaks at its space when the column is narrow.
        let fail = match c.failure_ci95 {
            Some((lo, hi)) => {
                format!("fail {}/{} ({:.0}–{:.0}%)", c.failed, c.total, 100.0 * lo, 100.0 * hi)
            }
            None => format!("fail {}/{}", c.failed, c.total),
        };
        stat.extend(wrap_label(root, &fail, &stat_style, max_w)?);
        labels.push((lines, stat));
    }
    let name_lines = labels.iter().map(|l| l.0.len()).max().unwrap_or(1) as i32;
    let stat_lines = labels.iter().map(|l| l.1.len()).max().unwrap_or(1) as i32;
    let label_area = 12 + 21 * name_lines + 6 + 19 * stat_lines;

    let mut ys: Vec<f64> = vec![t.chance];
    for c in cols {
        ys.extend(c.points.iter().map(|p| p.0));
        if let Some((m, s)) = c.mean_std {
            ys.extend([m - s, m + s]);
        }
    }
    let (mut y_lo, y_hi) = padded_range(ys);
    // Room at the bottom for the crosses of diverged runs, below every score.
    let diverged_y = y_lo;
    if any_diverged {
        y_lo -= 0.1 * (y_hi - y_lo);
    }

    let mut chart = ChartBuilder::on(root)
        .margin_top(header as u32)
        .margin_left(16)
        .margin_right(right_margin as u32)
        .margin_bottom(4)
        .x_label_area_size(label_area as u32)
        .y_label_area_size(left_area as u32)
        .build_cartesian_2d(-0.5f64..(k as f64 - 0.5), y_lo..y_hi)?;
    // No score ticks inside the band of diverged runs: a cross there is not a score.
    let tick = |y: &f64| if any_diverged && *y < diverged_y { String::new() } else { format!("{y:.1}") };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(8)
        .y_label_formatter(&tick)
        .y_desc(metric_label(&t.metric))
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(20.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.1))
        .draw()?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let bar_half = ((col_px as f64) * 0.3).min(60.0) as i32;

    let diverged_band_y = if any_diverged {
        let top = px(0.0, diverged_y).1;
        root.draw(&Rectangle::new([(xr.start + 1, top), (xr.end, yr.end - 1)], WHITE.filled()))?;
        root.draw(&Rectangle::new([(xr.start + 1, top), (xr.end, yr.end - 1)], DIVERGED.mix(0.05).filled()))?;
        root.draw(&DashedPathElement::new(vec![(xr.start, top), (xr.end, top)], 3, 4, DIVERGED.mix(0.5)))?;
        let y = (top + yr.end) / 2;
        let style = anchored(16.0, HPos::Right, VPos::Center).color(&DIVERGED);
        root.draw(&Text::new("diverged".to_string(), (xr.start - 8, y), style))?;
        y
    } else {
        yr.end
    };
    let chance_y = px(0.0, t.chance).1;
    draw_chance(root, xr.start, xr.end, chance_y, t.chance)?;

    for (i, c) in cols.iter().enumerate() {
        let cx = px(i as f64, 0.0).0;
        if let Some((m, s)) = c.mean_std {
            let (top, bottom) = (px(0.0, m + s).1, px(0.0, m - s).1);
            let band = [(cx - bar_half, top), (cx + bar_half, bottom)];
            root.draw(&Rectangle::new(band, BLACK.mix(0.08).filled()))?;
            root.draw(&Rectangle::new(band, BLACK.mix(0.35)))?;
        }
        let dot_ys: Vec<f64> = c.points.iter().map(|p| px(0.0, p.0).1 as f64).collect();
        let offsets = swarm(&dot_ys, 13.0, (col_px as f64) * 0.45);
        for ((score, _, failed), dx) in c.points.iter().zip(offsets) {
            let at = ((cx as f64 + dx).round() as i32, px(0.0, *score).1);
            if *failed {
                root.draw(&TriangleMarker::new((at.0, at.1 + 1), 8, FAIL_RED.filled()))?;
            } else {
                root.draw(&Circle::new(at, 6, OK_BLUE.mix(0.85).filled()))?;
            }
        }
        if c.diverged > 0 {
            let y = diverged_band_y;
            let offsets = swarm(&vec![y as f64; c.diverged], 15.0, (col_px as f64) * 0.45);
            for dx in offsets {
                root.draw(&Cross::new(((cx as f64 + dx).round() as i32, y), 6, DIVERGED.stroke_width(3)))?;
            }
        }
        if let Some((m, _)) = c.mean_std {
            let y = px(0.0, m).1;
            root.draw(&PathElement::new(vec![(cx - bar_half, y), (cx + bar_half, y)], BLACK.stroke_width(4)))?;
        }
        let (name, stat) = &labels[i];
        for (j, line) in name.iter().enumerate() {
            root.draw(&Text::new(line.clone(), (cx, yr.end + 10 + 21 * j as i32), label_style.clone()))?;
        }
        // Counts start on a common line below the longest label, so they read as a row.
        let stat_top = yr.end + 10 + 21 * name_lines + 6;
        for (j, line) in stat.iter().enumerate() {
            // The failure line is red when the setting has failures, to catch the eye.
            let color = if j > 0 && c.failed > 0 { FAIL_RED } else { RGBColor(90, 90, 90) };
            let at = (cx, stat_top + 19 * j as i32);
            root.draw(&Text::new(line.clone(), at, stat_style.color(&color)))?;
        }
    }
    Ok(())
}
