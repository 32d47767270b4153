//! Expected validation performance (Dodge et al. 2019): expected best dev score against the number of restarts.

use plotters::prelude::*;

use super::style::*;
use super::{render, Area, DrawResult, TaskData};
use std::path::Path;

use super::{HEIGHT, MIN_WIDTH};
use crate::error::Result;
use crate::stats;

/// Draws `evp_<task>.png`: the expected best dev score against the number of
/// restarts n (Dodge et al. 2019, [`stats::expected_max`]), one line per setting
/// with a translucent ±1 sd band, and chance dashed. Only finished runs enter the
/// curves; the subtitle counts the diverged ones left out.
pub fn evp_plot(t: TaskData<'_, '_>, path: &Path) -> Result<()> {
    render(path, (MIN_WIDTH, HEIGHT), |root| draw_evp(root, t))
}

fn draw_evp(root: &Area<'_>, t: TaskData<'_, '_>) -> DrawResult<()> {
    // Same colours per setting as the curves plot, so the two read together.
    let color = |i: usize| PALETTE[i % PALETTE.len()];
    let curves: Vec<&[stats::ExpectedMax]> = t.summary.rows.iter().map(|r| r.evp.as_slice()).collect();
    let mut legend: Vec<(Swatch, String)> = t
        .summary
        .rows
        .iter()
        .enumerate()
        .map(|(i, s)| (Swatch::Line(color(i).to_rgba(), 4), s.setting.clone()))
        .collect();
    legend.push((Swatch::Band, "±1 sd".to_string()));
    legend.push((Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()));
    let hidden: usize = t.summary.rows.iter().map(|r| r.runs - r.stats.as_ref().map_or(0, |d| d.n)).sum();
    let title = format!("{}: expected best {} over n restarts", t.runs.task, metric_label(&t.runs.metric));
    let mut subtitle = format!(
        "model: {}   (Dodge et al. 2019: best of n drawn with replacement from the finished runs)",
        model_name(t.runs)
    );
    if hidden > 0 {
        subtitle.push_str(&format!("   {hidden} diverged run(s) left out"));
    }
    let header = draw_header(root, &title, &subtitle, &legend)?;

    let n_max = curves.iter().map(|c| c.len()).max().unwrap_or(0).max(1);
    let ys = curves
        .iter()
        .flat_map(|c| c.iter())
        .flat_map(|e| [e.mean - e.sd, e.mean + e.sd])
        .chain(std::iter::once(t.runs.chance));
    let (y_lo, y_hi) = padded_range(ys);
    let x_pad = (0.02 * (n_max - 1) as f64).clamp(0.2, 0.5);
    let mut chart = ChartBuilder::on(root)
        .margin_top(header as u32)
        .margin_left(16)
        .margin_right(96)
        .margin_bottom(8)
        .x_label_area_size(64)
        .y_label_area_size(96)
        .build_cartesian_2d(1.0 - x_pad..n_max as f64 + x_pad, y_lo..y_hi)?;
    chart
        .configure_mesh()
        // At most one tick per restart makes plotters pick whole numbers.
        .x_labels(n_max.min(20))
        .x_label_formatter(&|n| format!("{n:.0}"))
        .y_labels(8)
        .x_desc("n  (restarts)")
        .y_desc(format!("expected best {}", metric_label(&t.runs.metric)))
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(20.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.1))
        .draw()?;
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let chance_y = chart.backend_coord(&(1.0, t.runs.chance)).1;
    draw_chance(root, xr.start, xr.end, chance_y, t.runs.chance)?;

    // Every band first, then every line, so no band veils another setting's line.
    for (i, curve) in curves.iter().enumerate() {
        let upper = curve.iter().map(|e| (e.n as f64, e.mean + e.sd));
        let lower = curve.iter().rev().map(|e| (e.n as f64, e.mean - e.sd));
        if curve.len() >= 2 {
            let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(outline, color(i).mix(0.12).filled())))?;
        } else if let Some(e) = curve.first() {
            // One finished run: no band to draw, and its sd is 0 anyway.
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(e.n as f64, e.mean - e.sd), (e.n as f64, e.mean + e.sd)],
                color(i).mix(0.4).stroke_width(2),
            )))?;
        }
    }
    let marker = if n_max <= 30 { 4 } else { 0 };
    for (i, curve) in curves.iter().enumerate() {
        let line: Vec<(f64, f64)> = curve.iter().map(|e| (e.n as f64, e.mean)).collect();
        chart.draw_series(LineSeries::new(line.clone(), color(i).stroke_width(3)))?;
        if marker > 0 || line.len() == 1 {
            chart.draw_series(line.into_iter().map(|p| Circle::new(p, marker.max(4), color(i).filled())))?;
        }
    }
    Ok(())
}
