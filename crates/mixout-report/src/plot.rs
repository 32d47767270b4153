//! PNG plots of a task's runs: restart stability (the paper's Figure 3), the
//! dev score against p (Figure 4), per-epoch training curves, and the expected
//! best score against the number of restarts (Dodge et al. 2019).
//!
//! Drawing only: every function takes runs already read and grouped
//! ([`TaskRuns`]). Text uses an embedded DejaVu Sans, registered with plotters'
//! ab_glyph backend, so the plots look the same on a machine without any system
//! font. Nothing random is drawn: dots are spread by a deterministic beeswarm, so
//! the same results give byte-identical PNGs.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use crate::error::{ReportError, Result};
use crate::results::{sanitize, RunResult, RunStatus};
use crate::stats;
use crate::summary::{finished_score, SettingRuns, TaskRuns};

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// Family name the embedded font is registered under; plotters' default.
const FAMILY: &str = "sans-serif";

/// Height of every plot in pixels.
pub const HEIGHT: u32 = 720;
/// Minimum width of every plot in pixels; the stability plot widens with many settings.
pub const MIN_WIDTH: u32 = 1280;

const TITLE_PX: f64 = 26.0;
const TEXT_PX: f64 = 18.0;
const LEGEND_ROW_PX: i32 = 28;

type DrawResult<T> = std::result::Result<T, Box<dyn Error>>;
type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Colour of ordinary restarts.
const OK_BLUE: RGBColor = RGBColor(31, 119, 180);
/// Colour of restarts at or below chance.
const FAIL_RED: RGBColor = RGBColor(214, 39, 40);
/// Colour of diverged restarts.
const DIVERGED: RGBColor = RGBColor(120, 0, 0);
/// The p = 0 setting shared by both families of the p-sweep.
const SHARED_GREY: RGBColor = RGBColor(90, 90, 90);
/// Dropout family of the p-sweep.
const DROPOUT_ORANGE: RGBColor = RGBColor(230, 110, 0);
/// A categorical palette for settings in the curves plot: matplotlib's tab10, then
/// the darker half of tab20b, so up to 20 settings get distinct colours.
const PALETTE: [RGBColor; 20] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(57, 59, 121),
    RGBColor(140, 109, 49),
    RGBColor(99, 121, 57),
    RGBColor(132, 60, 57),
    RGBColor(123, 65, 115),
    RGBColor(82, 84, 163),
    RGBColor(189, 158, 57),
    RGBColor(173, 73, 74),
    RGBColor(165, 81, 148),
    RGBColor(0, 128, 128),
];

/// Registers the embedded font once per process.
fn ensure_font() -> std::result::Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    if *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()) {
        Ok(())
    } else {
        Err("the embedded font DejaVuSans.ttf could not be parsed".to_string())
    }
}

fn font(px: f64) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

fn anchored(px: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    font(px).pos(Pos::new(h, v))
}

/// Runs a drawing function on a fresh bitmap of `size` and saves it, mapping any
/// failure to [`ReportError::Plot`] naming the file.
fn render(path: &Path, size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> DrawResult<()>) -> Result<()> {
    let fail = |message: String| ReportError::Plot { path: path.to_path_buf(), message };
    ensure_font().map_err(fail)?;
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    draw(&root).map_err(|e| fail(e.to_string()))?;
    root.present().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Writes every plot of a task into `out_dir` and returns their paths:
/// `stability_<task>.png`, `psweep_<task>.png` (only when [`has_psweep`]),
/// `curves_<task>.png` and `evp_<task>.png`.
pub fn write_plots(t: &TaskRuns<'_>, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let task = sanitize(&t.task);
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

// ---------------------------------------------------------------- shared pieces

/// Axis title of the headline metric, with its scale.
fn metric_label(metric: &str) -> String {
    let m = metric.to_ascii_lowercase();
    let corr = ["corr", "mcc", "matthews", "spearman", "pearson"].iter().any(|k| m.contains(k));
    if corr {
        format!("dev {metric} (×100)")
    } else {
        format!("dev {metric} (%)")
    }
}

/// Last path component of the model, short enough for a subtitle.
fn model_name(t: &TaskRuns<'_>) -> String {
    let mut models: Vec<&str> = t
        .settings
        .iter()
        .flat_map(|s| s.runs.iter())
        .map(|r| r.model.trim_end_matches('/').rsplit('/').next().unwrap_or(r.model.as_str()))
        .collect();
    models.sort_unstable();
    models.dedup();
    models.join(", ")
}

/// A legend swatch.
#[derive(Clone, Copy)]
enum Swatch {
    Dot(RGBAColor),
    Triangle(RGBAColor),
    Cross(RGBAColor),
    Line(RGBAColor, u32),
    Dashed(RGBAColor),
    Band,
    MeanDot(RGBAColor),
}

fn draw_swatch(area: &Area<'_>, s: Swatch, (x, y): (i32, i32)) -> DrawResult<()> {
    match s {
        Swatch::Dot(c) => area.draw(&Circle::new((x, y), 6, c.filled()))?,
        Swatch::Triangle(c) => area.draw(&TriangleMarker::new((x, y + 1), 8, c.filled()))?,
        Swatch::Cross(c) => area.draw(&Cross::new((x, y), 6, c.stroke_width(3)))?,
        Swatch::Line(c, w) => area.draw(&PathElement::new(vec![(x - 14, y), (x + 14, y)], c.stroke_width(w)))?,
        Swatch::Dashed(c) => {
            area.draw(&DashedPathElement::new(vec![(x - 16, y), (x + 16, y)], 7, 5, c.stroke_width(2)))?
        }
        Swatch::Band => {
            area.draw(&Rectangle::new([(x - 14, y - 9), (x + 14, y + 9)], BLACK.mix(0.08).filled()))?;
            area.draw(&Rectangle::new([(x - 14, y - 9), (x + 14, y + 9)], BLACK.mix(0.35)))?;
        }
        Swatch::MeanDot(c) => {
            area.draw(&Circle::new((x, y), 7, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), 7, c.stroke_width(3)))?;
        }
    }
    Ok(())
}

/// Draws legend items in rows, wrapping at `max_x`; returns the number of rows.
fn draw_legend(area: &Area<'_>, items: &[(Swatch, String)], x0: i32, y0: i32, max_x: i32) -> DrawResult<i32> {
    let style = anchored(17.0, HPos::Left, VPos::Center);
    let (mut x, mut y, mut rows) = (x0, y0, 1);
    for (swatch, text) in items {
        let (tw, _) = area.estimate_text_size(text, &style)?;
        let item_w = 40 + tw as i32 + 28;
        if x > x0 && x + item_w > max_x {
            x = x0;
            y += LEGEND_ROW_PX;
            rows += 1;
        }
        draw_swatch(area, *swatch, (x + 16, y))?;
        area.draw(&Text::new(text.clone(), (x + 38, y), style.clone()))?;
        x += item_w;
    }
    Ok(rows)
}

/// Title, subtitle and legend at the top; returns the height they take.
fn draw_header(area: &Area<'_>, title: &str, subtitle: &str, legend: &[(Swatch, String)]) -> DrawResult<i32> {
    let (w, _) = area.dim_in_pixel();
    let cx = w as i32 / 2;
    area.draw(&Text::new(title.to_string(), (cx, 10), anchored(TITLE_PX, HPos::Center, VPos::Top)))?;
    area.draw(&Text::new(
        subtitle.to_string(),
        (cx, 44),
        anchored(16.0, HPos::Center, VPos::Top).color(&RGBColor(80, 80, 80)),
    ))?;
    let rows = draw_legend(area, legend, 90, 86, w as i32 - 20)?;
    Ok(86 + (rows - 1) * LEGEND_ROW_PX + 22)
}

/// Vertical range covering `values`, padded so dots do not sit on the frame.
fn padded_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = if hi - lo > 1e-9 { hi - lo } else { lo.abs().max(1.0) * 0.1 };
    (lo - 0.07 * span, hi + 0.07 * span)
}

/// Beeswarm: horizontal pixel offsets for markers at pixel heights `ys`, placed in
/// the given order, each as close to the centre line as it can get without
/// overlapping one already placed (`diameter` apart). Offsets wider than
/// `half_width` are scaled down together, accepting overlap only in crowded columns.
fn swarm(ys: &[f64], diameter: f64, half_width: f64) -> Vec<f64> {
    let mut placed: Vec<(f64, f64)> = Vec::with_capacity(ys.len());
    for &y in ys {
        let mut blocked: Vec<(f64, f64)> = Vec::new();
        for &(px, py) in &placed {
            let dy = (y - py).abs();
            if dy < diameter {
                let dx = (diameter * diameter - dy * dy).sqrt();
                blocked.push((px - dx, px + dx));
            }
        }
        let free = |x: f64| blocked.iter().all(|&(a, b)| x <= a + 1e-9 || x >= b - 1e-9);
        let mut candidates: Vec<f64> = vec![0.0];
        for &(a, b) in &blocked {
            candidates.push(a);
            candidates.push(b);
        }
        // Closest to the centre; ties go right first, then left, so the layout is fixed.
        candidates.sort_by(|a, b| a.abs().total_cmp(&b.abs()).then(b.total_cmp(a)));
        let x = candidates.into_iter().find(|&x| free(x)).unwrap_or(0.0);
        placed.push((x, y));
    }
    let widest = placed.iter().map(|p| p.0.abs()).fold(0.0, f64::max);
    let scale = if widest > half_width && widest > 0.0 { half_width / widest } else { 1.0 };
    placed.into_iter().map(|(x, _)| x * scale).collect()
}

/// Lines of a setting label wrapped to `max_w` pixels, breaking after `+`, `,`,
/// `_`, `-`, `)` or a space where possible, mid-word otherwise.
fn wrap_label(area: &Area<'_>, label: &str, style: &TextStyle<'_>, max_w: u32) -> DrawResult<Vec<String>> {
    let width = |s: &str| area.estimate_text_size(s, style).map(|(w, _)| w);
    let mut lines = Vec::new();
    let mut rest: Vec<char> = label.chars().collect();
    while !rest.is_empty() {
        let whole: String = rest.iter().collect();
        if width(&whole)? <= max_w {
            lines.push(whole);
            break;
        }
        // Longest prefix that fits, then back off to a break character in it.
        let mut fit = 1;
        while fit < rest.len() && width(&rest[..fit + 1].iter().collect::<String>())? <= max_w {
            fit += 1;
        }
        let cut = (1..=fit).rev().find(|&i| "+,_-) ".contains(rest[i - 1])).unwrap_or(fit);
        lines.push(rest[..cut].iter().collect::<String>().trim_end().to_string());
        rest = rest[cut..].iter().copied().skip_while(|c| *c == ' ').collect();
    }
    Ok(lines)
}

/// Draws the chance score as a dashed line across the plotting area, labelled in
/// the right margin so the label never covers data.
fn draw_chance(area: &Area<'_>, x0: i32, x1: i32, y: i32, chance: f64) -> DrawResult<()> {
    area.draw(&DashedPathElement::new(vec![(x0, y), (x1, y)], 10, 6, RGBColor(60, 60, 60).stroke_width(2)))?;
    let style = anchored(17.0, HPos::Left, VPos::Center).color(&RGBColor(60, 60, 60));
    area.draw(&Text::new("chance".to_string(), (x1 + 8, y - 10), style.clone()))?;
    area.draw(&Text::new(format!("{chance:.1}"), (x1 + 8, y + 11), style))?;
    Ok(())
}

// ---------------------------------------------------------------- stability (Figure 3)

/// One column of the stability plot.
struct Column {
    label: String,
    total: usize,
    /// (score, seed, failed) of finished runs, ascending by score then seed.
    points: Vec<(f64, u64, bool)>,
    diverged: usize,
    /// Runs flagged failed (diverged ones included).
    failed: usize,
    mean_std: Option<(f64, f64)>,
}

fn column(s: &SettingRuns<'_>) -> Column {
    let mut points: Vec<(f64, u64, bool)> =
        s.runs.iter().filter_map(|r| finished_score(r).map(|v| (v, r.seed, r.failed))).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let values: Vec<f64> = points.iter().map(|p| p.0).collect();
    Column {
        label: s.setting.clone(),
        total: s.runs.len(),
        diverged: s.runs.iter().filter(|r| r.status == RunStatus::Diverged).count(),
        failed: s.runs.iter().filter(|r| r.failed).count(),
        mean_std: stats::mean(&values).map(|m| (m, stats::std(&values))),
        points,
    }
}

/// Draws `stability_<task>.png`: every restart's final dev score per setting as a
/// swarm, with the mean (black bar) and ±1 std (grey band), chance as a dashed
/// line, failed restarts as red triangles and diverged ones as crosses at the
/// bottom; under each column the run count and the failure rate with its Wilson
/// 95% interval.
pub fn stability_plot(t: &TaskRuns<'_>, path: &Path) -> Result<()> {
    let cols: Vec<Column> = t.settings.iter().map(column).collect();
    let width = MIN_WIDTH.max(200 + 150 * cols.len() as u32);
    render(path, (width, HEIGHT), |root| draw_stability(root, t, &cols))
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
        let fail = match stats::wilson_interval(c.failed, c.total, stats::Z95) {
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

// ---------------------------------------------------------------- p-sweep (Figure 4)

/// A family of settings of the p-sweep, one setting per distinct p.
struct Family<'r, 'a> {
    name: &'static str,
    color: RGBColor,
    /// (p, setting), ascending by p.
    points: Vec<(f64, &'r SettingRuns<'a>)>,
}

/// The dropout family (mixout off, p = dropout) and the mixout family (p = mixout
/// p). Settings with weight decay toward the pretrained weights are left out: they
/// combine two regularisers, and Figure 4 compares one against the other. A setting
/// with neither dropout nor mixout is p = 0 of both families, as in the paper.
/// When several settings share a p, the first by setting index stands for it.
fn families<'r, 'a>(t: &'r TaskRuns<'a>) -> [Family<'r, 'a>; 2] {
    let mut dropout: BTreeMap<i64, (f64, &SettingRuns<'a>)> = BTreeMap::new();
    let mut mixout: BTreeMap<i64, (f64, &SettingRuns<'a>)> = BTreeMap::new();
    let key = |p: f64| (p * 1e6).round() as i64;
    for s in &t.settings {
        let p = &s.params;
        if p.wdecay_toward.eq_ignore_ascii_case("pretrained") && !is_zero(p.wdecay) {
            continue;
        }
        if is_zero(p.mixout_p) {
            dropout.entry(key(p.dropout)).or_insert((p.dropout, s));
            if is_zero(p.dropout) {
                mixout.entry(0).or_insert((0.0, s));
            }
        } else {
            mixout.entry(key(p.mixout_p)).or_insert((p.mixout_p, s));
        }
    }
    [
        Family { name: "dropout(p)", color: DROPOUT_ORANGE, points: dropout.into_values().collect() },
        Family { name: "mixout(w_pre, p)", color: OK_BLUE, points: mixout.into_values().collect() },
    ]
}

/// Knob values come from YAML decimals: compare with a tolerance.
fn is_zero(x: f64) -> bool {
    x.abs() < 1e-9
}

/// Whether the task has a p-sweep worth a Figure 4: at least three distinct p
/// values in the dropout or the mixout family.
pub fn has_psweep(t: &TaskRuns<'_>) -> bool {
    families(t).iter().any(|f| f.points.len() >= 3)
}

/// Draws `psweep_<task>.png`: final dev score against p for the dropout and mixout
/// families, a dot per restart and the mean per p joined by a line.
pub fn psweep_plot(t: &TaskRuns<'_>, path: &Path) -> Result<()> {
    render(path, (MIN_WIDTH, HEIGHT), |root| draw_psweep(root, t))
}

fn draw_psweep(root: &Area<'_>, t: &TaskRuns<'_>) -> DrawResult<()> {
    let fams: Vec<Family<'_, '_>> = families(t).into_iter().filter(|f| !f.points.is_empty()).collect();
    // The setting with neither dropout nor mixout is p = 0 of both families: it is
    // drawn once, centred and grey, and both mean lines start from it.
    let is_shared =
        |s: &SettingRuns<'_>| fams.len() > 1 && fams.iter().all(|f| f.points.iter().any(|(_, q)| std::ptr::eq(*q, s)));
    let mut settings: Vec<&SettingRuns<'_>> = fams.iter().flat_map(|f| f.points.iter().map(|(_, s)| *s)).collect();
    settings.sort_by_key(|s| s.setting_index);
    settings.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let hidden: usize = settings.iter().map(|s| s.runs.iter().filter(|r| finished_score(r).is_none()).count()).sum();
    let any_shared = settings.iter().any(|s| is_shared(s));
    let mut legend: Vec<(Swatch, String)> = Vec::new();
    for f in &fams {
        legend.push((Swatch::Dot(f.color.mix(0.6)), format!("{}: restart", f.name)));
        legend.push((Swatch::MeanDot(f.color.to_rgba()), format!("{}: mean", f.name)));
    }
    if any_shared {
        legend.push((Swatch::Dot(SHARED_GREY.mix(0.6)), "p = 0 (no dropout, no mixout)".to_string()));
    }
    legend.push((Swatch::Triangle(RGBColor(90, 90, 90).to_rgba()), "failed (≤ chance)".to_string()));
    legend.push((Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()));
    let title = format!("{}: final {} against p", t.task, metric_label(&t.metric));
    let mut subtitle = format!("model: {}   (paper Figure 4 style)", model_name(t));
    if hidden > 0 {
        subtitle.push_str(&format!("   {hidden} diverged run(s) not shown"));
    }
    let header = draw_header(root, &title, &subtitle, &legend)?;

    let mut ps: Vec<f64> = fams.iter().flat_map(|f| f.points.iter().map(|p| p.0)).collect();
    ps.sort_by(f64::total_cmp);
    ps.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let p_max = ps.last().copied().unwrap_or(1.0).max(0.1);
    let mut ys: Vec<f64> = vec![t.chance];
    for f in &fams {
        for (_, s) in &f.points {
            ys.extend(s.scores().into_iter().map(|x| x.1));
        }
    }
    let (y_lo, y_hi) = padded_range(ys);
    let x_pad = 0.06 * p_max.max(0.5);
    let mut chart = ChartBuilder::on(root)
        .margin_top(header as u32)
        .margin_left(16)
        .margin_right(96)
        .margin_bottom(8)
        .x_label_area_size(64)
        .y_label_area_size(96)
        .build_cartesian_2d(-x_pad..p_max + x_pad, y_lo..y_hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(11)
        .x_label_formatter(&|p| format!("{p:.2}").trim_end_matches('0').trim_end_matches('.').to_string())
        .y_labels(8)
        .x_desc("p  (dropout probability, or mixout probability)")
        .y_desc(metric_label(&t.metric))
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(20.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.1))
        .draw()?;
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    draw_chance(root, xr.start, xr.end, px(0.0, t.chance).1, t.chance)?;

    // Families sit side by side at each p, so their swarms never mix.
    let min_gap = ps.windows(2).map(|w| (px(w[1], 0.0).0 - px(w[0], 0.0).0) as f64).fold(f64::INFINITY, f64::min);
    let min_gap = if min_gap.is_finite() { min_gap } else { (xr.end - xr.start) as f64 / 4.0 };
    let shift = if fams.len() > 1 { min_gap * 0.2 } else { 0.0 };
    let half_width = (min_gap * if fams.len() > 1 { 0.17 } else { 0.35 }).max(6.0);
    let mut shared_means: Vec<(i32, i32)> = Vec::new();
    for (fi, f) in fams.iter().enumerate() {
        let family_dx = if fams.len() > 1 {
            if fi == 0 {
                -shift
            } else {
                shift
            }
        } else {
            0.0
        };
        let mut means: Vec<(i32, i32)> = Vec::new();
        for (p, s) in &f.points {
            let shared = is_shared(s);
            let (dx, color, width) =
                if shared { (0.0, SHARED_GREY, 2.0 * half_width) } else { (family_dx, f.color, half_width) };
            let cx = px(*p, 0.0).0 as f64 + dx;
            let mut pts: Vec<(f64, u64, bool)> =
                s.runs.iter().filter_map(|r| finished_score(r).map(|v| (v, r.seed, r.failed))).collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if !shared || fi == 0 {
                let dot_ys: Vec<f64> = pts.iter().map(|q| px(0.0, q.0).1 as f64).collect();
                for ((score, _, failed), off) in pts.iter().zip(swarm(&dot_ys, 11.0, width)) {
                    let at = ((cx + off).round() as i32, px(0.0, *score).1);
                    if *failed {
                        root.draw(&TriangleMarker::new((at.0, at.1 + 1), 7, color.filled()))?;
                    } else {
                        root.draw(&Circle::new(at, 5, color.mix(0.6).filled()))?;
                    }
                }
            }
            let values: Vec<f64> = pts.iter().map(|q| q.0).collect();
            if let Some(m) = stats::mean(&values) {
                let at = (cx.round() as i32, px(0.0, m).1);
                means.push(at);
                if shared {
                    shared_means.push(at);
                }
            }
        }
        root.draw(&PathElement::new(means.clone(), f.color.stroke_width(3)))?;
        for m in means {
            draw_swatch(root, Swatch::MeanDot(f.color.to_rgba()), m)?;
        }
    }
    for m in shared_means {
        draw_swatch(root, Swatch::MeanDot(SHARED_GREY.to_rgba()), m)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- training curves

/// Draws `curves_<task>.png`: train loss (left) and dev score (right) per epoch,
/// one faint line per run and a bold line of the per-epoch mean, per setting.
pub fn curves_plot(t: &TaskRuns<'_>, path: &Path) -> Result<()> {
    render(path, (MIN_WIDTH, HEIGHT), |root| draw_curves(root, t))
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

// ---------------------------------------------------------------- expected validation performance

/// Draws `evp_<task>.png`: the expected best dev score against the number of
/// restarts n (Dodge et al. 2019, [`stats::expected_max`]), one line per setting
/// with a translucent ±1 sd band, and chance dashed. Only finished runs enter the
/// curves; the subtitle counts the diverged ones left out.
pub fn evp_plot(t: &TaskRuns<'_>, path: &Path) -> Result<()> {
    render(path, (MIN_WIDTH, HEIGHT), |root| draw_evp(root, t))
}

fn draw_evp(root: &Area<'_>, t: &TaskRuns<'_>) -> DrawResult<()> {
    // Same colours per setting as the curves plot, so the two read together.
    let color = |i: usize| PALETTE[i % PALETTE.len()];
    let curves: Vec<Vec<stats::ExpectedMax>> = t
        .settings
        .iter()
        .map(|s| {
            let values: Vec<f64> = s.scores().into_iter().map(|x| x.1).collect();
            stats::expected_max(&values)
        })
        .collect();
    let mut legend: Vec<(Swatch, String)> =
        t.settings.iter().enumerate().map(|(i, s)| (Swatch::Line(color(i).to_rgba(), 4), s.setting.clone())).collect();
    legend.push((Swatch::Band, "±1 sd".to_string()));
    legend.push((Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()));
    let hidden: usize = t.settings.iter().map(|s| s.runs.iter().filter(|r| finished_score(r).is_none()).count()).sum();
    let title = format!("{}: expected best {} over n restarts", t.task, metric_label(&t.metric));
    let mut subtitle = format!(
        "model: {}   (Dodge et al. 2019: best of n drawn with replacement from the finished runs)",
        model_name(t)
    );
    if hidden > 0 {
        subtitle.push_str(&format!("   {hidden} diverged run(s) left out"));
    }
    let header = draw_header(root, &title, &subtitle, &legend)?;

    let n_max = curves.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let ys = curves.iter().flatten().flat_map(|e| [e.mean - e.sd, e.mean + e.sd]).chain(std::iter::once(t.chance));
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
        .y_desc(format!("expected best {}", metric_label(&t.metric)))
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(20.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.1))
        .draw()?;
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let chance_y = chart.backend_coord(&(1.0, t.chance)).1;
    draw_chance(root, xr.start, xr.end, chance_y, t.chance)?;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_keeps_markers_apart() {
        let ys = [100.0, 100.0, 100.0, 104.0, 200.0];
        let xs = swarm(&ys, 10.0, 1000.0);
        assert_eq!(xs[0], 0.0);
        assert_eq!(xs[4], 0.0);
        for i in 0..ys.len() {
            for j in 0..i {
                let d = ((xs[i] - xs[j]).powi(2) + (ys[i] - ys[j]).powi(2)).sqrt();
                assert!(d >= 10.0 - 1e-6, "{i} {j} {d}");
            }
        }
        // Same input, same layout.
        assert_eq!(xs, swarm(&ys, 10.0, 1000.0));
    }

    #[test]
    fn swarm_squeezes_into_the_column() {
        let xs = swarm(&[50.0; 40], 10.0, 60.0);
        assert!(xs.iter().all(|x| x.abs() <= 60.0 + 1e-9));
    }

    #[test]
    fn metric_labels_carry_the_scale() {
        assert_eq!(metric_label("accuracy"), "dev accuracy (%)");
        assert_eq!(metric_label("mcc"), "dev mcc (×100)");
        assert_eq!(metric_label("spearman"), "dev spearman (×100)");
    }
}
