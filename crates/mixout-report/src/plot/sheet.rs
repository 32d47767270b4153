//! The geometry of a faceted figure file: a header, then rows of panels, each panel a
//! title line, a plotting box and room below it (labels or a legend). One y-axis per
//! row, at its left, on a scale shared by the whole file.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::FontTransform;

use super::style::{anchored, font};
use super::{Area, DrawResult, HEIGHT, MIN_WIDTH};

/// Left margin: tick labels and the axis title.
pub(super) const LEFT: i32 = 104;
/// Right margin: the chance label.
pub(super) const RIGHT: i32 = 84;
/// Gap between panels of a row.
pub(super) const GAP: i32 = 26;
/// Title, subtitle and legend of the figure.
pub(super) const HEADER: i32 = 140;
/// A panel's title line.
pub(super) const TITLE: i32 = 30;

/// Where every panel of a figure file goes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sheet {
    /// Figure size in pixels.
    pub size: (u32, u32),
    /// Height of each plotting box.
    pub plot_h: i32,
    /// Room below each plotting box.
    pub below_h: i32,
    /// Per row, per panel: left edge and width of the plotting box.
    pub boxes: Vec<Vec<(i32, i32)>>,
}

impl Sheet {
    /// Lays out rows of panels whose widths are given in units (setting columns, or 1
    /// per line chart); a unit is `unit_px` wide, stretched up to `max_unit_px` when
    /// the figure would otherwise be narrower than [`MIN_WIDTH`]. A single row fills
    /// [`HEIGHT`].
    pub fn new(rows: &[Vec<usize>], unit_px: (i32, i32), min_plot_h: i32, below_h: i32) -> Self {
        let units = |r: &Vec<usize>| r.iter().sum::<usize>() as i32;
        let gaps = |r: &Vec<usize>| GAP * (r.len() as i32 - 1).max(0);
        let fit = rows
            .iter()
            .map(|r| (MIN_WIDTH as i32 - LEFT - RIGHT - gaps(r)) / units(r).max(1))
            .min()
            .unwrap_or(unit_px.0);
        let unit = fit.clamp(unit_px.0, unit_px.1);
        let boxes: Vec<Vec<(i32, i32)>> = rows
            .iter()
            .map(|r| {
                let mut x = LEFT;
                r.iter()
                    .map(|&w| {
                        let b = (x, unit * w as i32);
                        x += b.1 + GAP;
                        b
                    })
                    .collect()
            })
            .collect();
        let width = rows.iter().map(|r| LEFT + RIGHT + gaps(r) + unit * units(r)).max().unwrap_or(0);
        let n = rows.len() as i32;
        let plot_h = if n == 1 { min_plot_h.max(HEIGHT as i32 - HEADER - TITLE - below_h - 10) } else { min_plot_h };
        let height = HEADER + n * (TITLE + plot_h + below_h) + 10;
        Self { size: (width.max(MIN_WIDTH as i32) as u32, height as u32), plot_h, below_h, boxes }
    }

    /// Top of the plotting boxes of row `r`.
    pub fn top(&self, r: usize) -> i32 {
        HEADER + r as i32 * (TITLE + self.plot_h + self.below_h) + TITLE
    }
}

/// A vertical scale from values to pixels of one row.
#[derive(Debug, Clone, Copy)]
pub(super) struct YScale {
    /// Value range, shared by the whole figure.
    pub lo: f64,
    pub hi: f64,
    /// Top and height of the row's plotting boxes.
    pub top: i32,
    pub h: i32,
}

impl YScale {
    /// Pixel row of value `v`.
    pub fn px(&self, v: f64) -> i32 {
        self.top + ((self.hi - v) / (self.hi - self.lo) * self.h as f64).round() as i32
    }
}

/// Round tick values inside `[lo, hi]`, about `target` of them, at steps of 1, 2 or 5
/// times a power of ten.
pub(super) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The text cut to `max_w` pixels, ending in `…` when cut.
pub(super) fn fit_text(area: &Area<'_>, text: &str, style: &TextStyle<'_>, max_w: u32) -> DrawResult<String> {
    let width = |s: &str| area.estimate_text_size(s, style).map(|(w, _)| w);
    if width(text)? <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 0 && width(&format!("{}…", chars[..n].iter().collect::<String>()))? > max_w {
        n -= 1;
    }
    Ok(format!("{}…", chars[..n].iter().collect::<String>()))
}

/// A panel's frame, horizontal grid lines at `ticks`, and its title above it.
pub(super) fn draw_frame(root: &Area<'_>, (x, w): (i32, i32), y: YScale, ticks: &[f64], title: &str) -> DrawResult<()> {
    for &t in ticks {
        let py = y.px(t);
        root.draw(&PathElement::new(vec![(x, py), (x + w, py)], BLACK.mix(0.1)))?;
    }
    root.draw(&Rectangle::new([(x, y.top), (x + w, y.top + y.h)], BLACK.mix(0.5)))?;
    if !title.is_empty() {
        let style = anchored(17.0, HPos::Left, VPos::Bottom);
        let text = fit_text(root, title, &style, w.max(20) as u32)?;
        root.draw(&Text::new(text, (x, y.top - 6), style))?;
    }
    Ok(())
}

/// Tick labels and the axis title left of the row's first panel at `x`.
pub(super) fn draw_y_axis(root: &Area<'_>, x: i32, y: YScale, ticks: &[f64], desc: &str) -> DrawResult<()> {
    let decimals = if ticks.windows(2).any(|w| (w[1] - w[0]) < 1.0) { 2 } else { 0 };
    let style = anchored(15.0, HPos::Right, VPos::Center);
    for &t in ticks {
        root.draw(&Text::new(format!("{t:.decimals$}"), (x - 6, y.px(t)), style.clone()))?;
    }
    let desc_style = font(16.0)
        .transform(FontTransform::Rotate270)
        .pos(plotters::style::text_anchor::Pos::new(HPos::Center, VPos::Center));
    let text = fit_text(root, desc, &font(16.0), y.h.max(40) as u32)?;
    root.draw(&Text::new(text, (18, y.top + y.h / 2), desc_style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(47.3, 71.9, 6), [50.0, 55.0, 60.0, 65.0, 70.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert!(nice_ticks(1.0, 1.0, 5).is_empty());
    }

    #[test]
    fn one_row_fills_the_height_and_rows_stack() {
        let one = Sheet::new(&[vec![2]], (110, 200), 300, 130);
        assert_eq!(one.size, (MIN_WIDTH, HEIGHT));
        // Two columns stretch to the widest unit allowed.
        assert_eq!(one.boxes, [vec![(LEFT, 400)]]);
        let three = Sheet::new(&[vec![6, 6], vec![12], vec![3]], (110, 200), 300, 130);
        assert_eq!(three.size.1 as i32, HEADER + 3 * (TITLE + 300 + 130) + 10);
        // 12 columns of 110 px and one gap: wider than the minimum.
        assert_eq!(three.size.0 as i32, LEFT + RIGHT + GAP + 12 * 110);
        assert_eq!(three.boxes[0][1].0, LEFT + 6 * 110 + GAP);
    }
}
