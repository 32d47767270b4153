//! The stability figure (the paper's Figure 3): every restart's final dev score per
//! setting, one panel per group ([`super::facet`]), on one score axis per file.

use std::path::Path;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::facet::{self, Panel};
use super::sheet::{draw_frame, draw_y_axis, fit_text, nice_ticks, Sheet, YScale};
use super::style::*;
use super::swarm::swarm;
use super::{write_faceted, Area, DrawResult, Facets, Figure, Kind, TaskData};
use crate::error::Result;
use crate::summary::{finished_score, SettingRuns, SettingSummary};

/// Setting columns per row of panels (and most settings in one panel).
pub const MAX_COLUMNS: usize = 12;
/// Label lines under a column: up to three of its name, then run count and failures.
const NAME_LINES: usize = 3;
const LABEL_H: i32 = 12 + 20 * NAME_LINES as i32 + 6 + 18 * 3;
/// Background of the baseline's column.
const BASELINE_TINT: RGBColor = RGBColor(255, 236, 170);

/// One column: the setting's dots from its runs, every number from its summary row.
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

/// Writes `stability_<task>.png` (or `_1`, `_2`, … beyond [`facet::MAX_ROWS_PER_FILE`]
/// rows): every restart's final dev score per setting as a swarm, with the mean (black
/// bar) and ±1 std (grey band), chance dashed, failed restarts as red triangles and
/// diverged ones as crosses at the bottom; under each column the run count and the
/// failure rate with its Wilson 95% interval. Each panel's baseline column is tinted
/// and its mean dotted across the panel.
pub fn stability_plots(t: TaskData<'_, '_>, out_dir: &Path) -> Result<Vec<Figure>> {
    let cols: Vec<Column> = t.settings().map(|(s, row)| column(s, row)).collect();
    let panels = facet::panels(t.summary, MAX_COLUMNS);
    let f = Facets {
        kind: Kind::Stability,
        units: |p| p.settings.len(),
        row_capacity: MAX_COLUMNS,
        unit_px: (112, 200),
        min_plot_h: 300,
        below_h: LABEL_H,
    };
    write_faceted(t, out_dir, &f, &panels, |root, sheet, rows| draw_page(root, t, &cols, sheet, rows))
}

fn draw_page(
    root: &Area<'_>,
    t: TaskData<'_, '_>,
    cols: &[Column],
    sheet: &Sheet,
    rows: &[Vec<&Panel>],
) -> DrawResult<()> {
    let members: Vec<usize> = rows.iter().flatten().flat_map(|p| p.settings.iter().copied()).collect();
    let any_diverged = members.iter().any(|&i| cols[i].diverged > 0);
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
    legend.push((Swatch::Tint(BASELINE_TINT.to_rgba()), "baseline (its mean dotted)".to_string()));
    let title = format!("{}: final {} of every restart, per setting", t.runs.task, metric_label(&t.runs.metric));
    let subtitle = format!("model: {}   (paper Figure 3 style; one panel per group)", model_name(t.runs));
    draw_header(root, &title, &subtitle, &legend)?;

    // One score axis for the whole file, baselines drawn in any panel included.
    let mut ys: Vec<f64> = vec![t.runs.chance];
    let bases = rows.iter().flatten().filter_map(|p| p.baseline);
    for i in members.iter().copied().chain(bases) {
        ys.extend(cols[i].points.iter().map(|p| p.0));
        if let Some((m, s)) = cols[i].mean_std {
            ys.extend([m - s, m + s]);
        }
    }
    let (mut lo, hi) = padded_range(ys);
    // Room at the bottom for the crosses of diverged runs, below every score.
    let diverged_at = lo;
    if any_diverged {
        lo -= 0.1 * (hi - lo);
    }
    let ticks: Vec<f64> = nice_ticks(diverged_at, hi, 6);
    for (r, row) in rows.iter().enumerate() {
        let y = YScale { lo, hi, top: sheet.top(r), h: sheet.plot_h };
        let desc = metric_label(&t.runs.metric);
        draw_y_axis(root, sheet.boxes[r][0].0, y, &ticks, &desc)?;
        for (k, panel) in row.iter().enumerate() {
            let bx = sheet.boxes[r][k];
            let div_y = any_diverged.then(|| y.px(diverged_at));
            draw_panel(root, t, cols, panel, bx, y, &ticks, div_y)?;
        }
        let last = sheet.boxes[r].last().map_or(0, |b| b.0 + b.1);
        let style = anchored(15.0, HPos::Left, VPos::Center).color(&RGBColor(60, 60, 60));
        root.draw(&Text::new(format!("chance {:.1}", t.runs.chance), (last + 6, y.px(t.runs.chance)), style))?;
    }
    Ok(())
}

/// One panel: frame and title, the diverged band, chance, the baseline, then columns.
#[allow(clippy::too_many_arguments)]
fn draw_panel(
    root: &Area<'_>,
    t: TaskData<'_, '_>,
    cols: &[Column],
    panel: &Panel,
    (x, w): (i32, i32),
    y: YScale,
    ticks: &[f64],
    diverged_top: Option<i32>,
) -> DrawResult<()> {
    let mut title = panel.title.clone();
    if let Some(b) = panel.baseline_outside() {
        let sep = if title.is_empty() { "" } else { "   " };
        title = format!("{title}{sep}baseline {} (dotted)", t.summary.rows[b].setting);
    }
    let col_w = w / panel.settings.len().max(1) as i32;
    if let Some(k) = panel.baseline.and_then(|b| panel.settings.iter().position(|&i| i == b)) {
        let x0 = x + k as i32 * col_w;
        root.draw(&Rectangle::new([(x0, y.top), (x0 + col_w, y.top + y.h)], BASELINE_TINT.mix(0.6).filled()))?;
    }
    draw_frame(root, (x, w), y, ticks, &title)?;
    let bottom = y.top + y.h;
    let band_y = match diverged_top {
        Some(top) => {
            root.draw(&Rectangle::new([(x + 1, top), (x + w - 1, bottom - 1)], DIVERGED.mix(0.05).filled()))?;
            root.draw(&DashedPathElement::new(vec![(x, top), (x + w, top)], 3, 4, DIVERGED.mix(0.5)))?;
            (top + bottom) / 2
        }
        None => bottom,
    };
    let cy = y.px(t.runs.chance);
    root.draw(&DashedPathElement::new(vec![(x, cy), (x + w, cy)], 10, 6, RGBColor(60, 60, 60).stroke_width(2)))?;
    if let Some((m, _)) = panel.baseline.and_then(|b| cols[b].mean_std) {
        let my = y.px(m);
        root.draw(&DashedPathElement::new(vec![(x, my), (x + w, my)], 2, 4, RGBColor(150, 110, 0).stroke_width(2)))?;
    }
    for (k, &i) in panel.settings.iter().enumerate() {
        let cx = x + k as i32 * col_w + col_w / 2;
        draw_column(root, &cols[i], cx, col_w, y, band_y)?;
    }
    Ok(())
}

/// A column's band, dots, crosses, mean bar and labels, centred at `cx`.
fn draw_column(root: &Area<'_>, c: &Column, cx: i32, col_w: i32, y: YScale, band_y: i32) -> DrawResult<()> {
    let bar_half = ((col_w as f64) * 0.3).min(60.0) as i32;
    if let Some((m, s)) = c.mean_std {
        let band = [(cx - bar_half, y.px(m + s)), (cx + bar_half, y.px(m - s))];
        root.draw(&Rectangle::new(band, BLACK.mix(0.08).filled()))?;
        root.draw(&Rectangle::new(band, BLACK.mix(0.35)))?;
    }
    // Smaller dots in narrow columns, so a 40-restart swarm still fits.
    let (r, d) = if col_w < 140 { (5, 11.0) } else { (6, 13.0) };
    let dot_ys: Vec<f64> = c.points.iter().map(|p| y.px(p.0) as f64).collect();
    let offsets = swarm(&dot_ys, d, (col_w as f64) * 0.42);
    for ((score, _, failed), dx) in c.points.iter().zip(offsets) {
        let at = ((cx as f64 + dx).round() as i32, y.px(*score));
        if *failed {
            root.draw(&TriangleMarker::new((at.0, at.1 + 1), r + 2, FAIL_RED.filled()))?;
        } else {
            root.draw(&Circle::new(at, r, OK_BLUE.mix(0.85).filled()))?;
        }
    }
    if c.diverged > 0 {
        let offsets = swarm(&vec![band_y as f64; c.diverged], 15.0, (col_w as f64) * 0.42);
        for dx in offsets {
            root.draw(&Cross::new(((cx as f64 + dx).round() as i32, band_y), 6, DIVERGED.stroke_width(3)))?;
        }
    }
    if let Some((m, _)) = c.mean_std {
        let my = y.px(m);
        root.draw(&PathElement::new(vec![(cx - bar_half, my), (cx + bar_half, my)], BLACK.stroke_width(4)))?;
    }
    draw_labels(root, c, cx, col_w, y.top + y.h)
}

/// The name (wrapped, at most [`NAME_LINES`] lines, cut with `…`), run count and
/// failures under a column, all within its width so neighbours never overlap.
fn draw_labels(root: &Area<'_>, c: &Column, cx: i32, col_w: i32, top: i32) -> DrawResult<()> {
    let max_w = (col_w - 8).max(30) as u32;
    let name_style = anchored(15.0, HPos::Center, VPos::Top);
    let stat_style = anchored(14.0, HPos::Center, VPos::Top);
    let mut name = wrap_label(root, &c.label, &name_style, max_w)?;
    if name.len() > NAME_LINES {
        let rest = name[NAME_LINES - 1..].join("");
        name.truncate(NAME_LINES - 1);
        name.push(fit_text(root, &rest, &name_style, max_w)?);
    }
    for (j, line) in name.iter().enumerate() {
        root.draw(&Text::new(line.clone(), (cx, top + 10 + 20 * j as i32), name_style.clone()))?;
    }
    let mut stat = vec![format!("n={}", c.total), format!("fail {}/{}", c.failed, c.total)];
    if let Some((lo, hi)) = c.failure_ci95 {
        stat.push(format!("({:.0}–{:.0}%)", 100.0 * lo, 100.0 * hi));
    }
    let stat_top = top + 10 + 20 * NAME_LINES as i32 + 6;
    for (j, line) in stat.iter().enumerate() {
        // The failure lines are red when the setting has failures, to catch the eye.
        let color = if j > 0 && c.failed > 0 { FAIL_RED } else { RGBColor(90, 90, 90) };
        let text = fit_text(root, line, &stat_style, max_w)?;
        root.draw(&Text::new(text, (cx, stat_top + 18 * j as i32), stat_style.color(&color)))?;
    }
    Ok(())
}
