//! What the line-chart panels (EVP, curves) share: an x scale, colours per setting
//! within a panel, the baseline drawn in black (or grey and dashed when it belongs to
//! another panel), and a legend under each panel, one setting per line.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::facet::Panel;
use super::sheet::{fit_text, nice_ticks, YScale};
use super::style::{anchored, draw_swatch, Swatch, PALETTE};
use super::{Area, DrawResult};
use crate::summary::TaskSummary;

/// Most settings in one line-chart panel: beyond, colours stop telling lines apart.
pub const MAX_LINES: usize = 8;
/// Line-chart panels per row.
pub const PANELS_PER_ROW: usize = 4;
/// Height of one legend line under a panel.
const LEGEND_LINE: i32 = 20;
/// Room for the x tick labels and the x-axis title under a panel.
const X_AXIS_H: i32 = 44;

/// Room under line-chart panels: x axis, then a legend line per setting (and one for
/// a baseline from another panel).
pub fn below_h(panels: &[Panel]) -> i32 {
    let lines = panels.iter().map(|p| p.settings.len() + usize::from(p.baseline_outside().is_some())).max();
    X_AXIS_H + LEGEND_LINE * lines.unwrap_or(1) as i32 + 6
}

/// A horizontal scale from values to pixels of one panel.
#[derive(Debug, Clone, Copy)]
pub struct XScale {
    pub lo: f64,
    pub hi: f64,
    pub left: i32,
    pub w: i32,
}

impl XScale {
    /// Pixel column of value `v`.
    pub fn px(&self, v: f64) -> i32 {
        self.left + ((v - self.lo) / (self.hi - self.lo) * self.w as f64).round() as i32
    }
}

/// How a setting's line is drawn in a panel.
#[derive(Debug, Clone, Copy)]
pub struct LineStyle {
    pub color: RGBColor,
    pub width: u32,
    /// A baseline from another panel: dashed.
    pub dashed: bool,
    /// The panel's baseline.
    pub baseline: bool,
}

/// Every line of a panel, as (row index, style): its settings in palette colours, the
/// panel's baseline in black, and a baseline from another panel grey and dashed (first,
/// so the panel's own lines lie on top).
pub fn panel_lines(panel: &Panel) -> Vec<(usize, LineStyle)> {
    let mut out = Vec::new();
    if let Some(b) = panel.baseline_outside() {
        out.push((b, LineStyle { color: RGBColor(110, 110, 110), width: 2, dashed: true, baseline: true }));
    }
    for (k, &i) in panel.settings.iter().enumerate() {
        let style = if panel.baseline == Some(i) {
            LineStyle { color: BLACK, width: 4, dashed: false, baseline: true }
        } else {
            LineStyle { color: PALETTE[k % PALETTE.len()], width: 3, dashed: false, baseline: false }
        };
        out.push((i, style));
    }
    out
}

/// A polyline in pixel space, dashed or solid.
pub fn draw_path(root: &Area<'_>, points: Vec<(i32, i32)>, s: LineStyle) -> DrawResult<()> {
    if s.dashed {
        root.draw(&DashedPathElement::new(points, 8, 5, s.color.stroke_width(s.width)))?;
    } else {
        root.draw(&PathElement::new(points, s.color.stroke_width(s.width)))?;
    }
    Ok(())
}

/// The chance score dashed across a panel.
pub fn draw_chance_line(root: &Area<'_>, x: XScale, y: YScale, chance: f64) -> DrawResult<()> {
    let cy = y.px(chance);
    let line = vec![(x.left, cy), (x.left + x.w, cy)];
    root.draw(&DashedPathElement::new(line, 10, 6, RGBColor(60, 60, 60).stroke_width(2)))?;
    Ok(())
}

/// X tick labels under a panel at `bottom`, then its axis title.
pub fn draw_x_axis(root: &Area<'_>, x: XScale, bottom: i32, ticks: &[f64], desc: &str) -> DrawResult<()> {
    let style = anchored(14.0, HPos::Center, VPos::Top);
    for &t in ticks {
        let px = x.px(t);
        root.draw(&PathElement::new(vec![(px, bottom), (px, bottom + 4)], BLACK.mix(0.5)))?;
        root.draw(&Text::new(format!("{t:.0}"), (px, bottom + 6), style.clone()))?;
    }
    let desc_style = anchored(14.0, HPos::Center, VPos::Top).color(&RGBColor(60, 60, 60));
    root.draw(&Text::new(desc.to_string(), (x.left + x.w / 2, bottom + 24), desc_style))?;
    Ok(())
}

/// Whole-number ticks from `lo` to `hi`, about six of them.
pub fn integer_ticks(lo: f64, hi: f64) -> Vec<f64> {
    nice_ticks(lo, hi, 6).into_iter().filter(|t| t.fract() == 0.0).collect()
}

/// The legend under a panel: one line per drawn setting, cut to the panel's width.
pub fn draw_panel_legend(
    root: &Area<'_>,
    t: &TaskSummary,
    lines: &[(usize, LineStyle)],
    (x, w): (i32, i32),
    top: i32,
) -> DrawResult<()> {
    let style = anchored(14.0, HPos::Left, VPos::Center);
    for (j, &(i, s)) in lines.iter().enumerate() {
        let y = top + X_AXIS_H + LEGEND_LINE * j as i32 + LEGEND_LINE / 2;
        let swatch =
            if s.dashed { Swatch::Dashed(s.color.to_rgba()) } else { Swatch::Line(s.color.to_rgba(), s.width) };
        draw_swatch(root, swatch, (x + 16, y))?;
        let role = match (s.dashed, s.baseline) {
            (true, _) => " (baseline, another panel)",
            (false, true) => " (baseline)",
            _ => "",
        };
        let text = format!("{}{role}", t.rows[i].setting);
        let text = fit_text(root, &text, &style, (w - 40).max(30) as u32)?;
        root.draw(&Text::new(text, (x + 36, y), style.clone()))?;
    }
    Ok(())
}
