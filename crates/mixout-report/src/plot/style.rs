//! What every figure shares: the embedded font, colours, legend swatches, the header,
//! axis ranges, label wrapping and the chance line.

use std::sync::OnceLock;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use super::{Area, DrawResult};
use crate::summary::TaskRuns;

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/LICENSE-DejaVu.txt`).
pub(super) static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// Family name the embedded font is registered under; plotters' default.
pub(super) const FAMILY: &str = "sans-serif";

pub(super) const TITLE_PX: f64 = 26.0;
pub(super) const TEXT_PX: f64 = 18.0;
pub(super) const LEGEND_ROW_PX: i32 = 28;

/// Colour of ordinary restarts.
pub(super) const OK_BLUE: RGBColor = RGBColor(31, 119, 180);
/// Colour of restarts at or below chance.
pub(super) const FAIL_RED: RGBColor = RGBColor(214, 39, 40);
/// Colour of diverged restarts.
pub(super) const DIVERGED: RGBColor = RGBColor(120, 0, 0);
/// The p = 0 setting shared by both families of the p-sweep.
pub(super) const SHARED_GREY: RGBColor = RGBColor(90, 90, 90);
/// Dropout family of the p-sweep.
pub(super) const DROPOUT_ORANGE: RGBColor = RGBColor(230, 110, 0);
/// A categorical palette for settings in the curves plot: matplotlib's tab10, then
/// the darker half of tab20b, so up to 20 settings get distinct colours.
pub(super) const PALETTE: [RGBColor; 20] = [
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
pub(super) fn ensure_font() -> std::result::Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    if *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()) {
        Ok(())
    } else {
        Err("the embedded font DejaVuSans.ttf could not be parsed".to_string())
    }
}

pub(super) fn font(px: f64) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

pub(super) fn anchored(px: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    font(px).pos(Pos::new(h, v))
}

/// Axis title of the headline metric, with its scale.
pub(super) fn metric_label(metric: &str) -> String {
    let m = metric.to_ascii_lowercase();
    let corr = ["corr", "mcc", "matthews", "spearman", "pearson"].iter().any(|k| m.contains(k));
    if corr {
        format!("dev {metric} (×100)")
    } else {
        format!("dev {metric} (%)")
    }
}

/// Last path component of the model, short enough for a subtitle.
pub(super) fn model_name(t: &TaskRuns<'_>) -> String {
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
pub(super) enum Swatch {
    Dot(RGBAColor),
    Triangle(RGBAColor),
    Cross(RGBAColor),
    Line(RGBAColor, u32),
    Dashed(RGBAColor),
    Band,
    MeanDot(RGBAColor),
    Tint(RGBAColor),
}

pub(super) fn draw_swatch(area: &Area<'_>, s: Swatch, (x, y): (i32, i32)) -> DrawResult<()> {
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
        Swatch::Tint(c) => {
            area.draw(&Rectangle::new([(x - 14, y - 9), (x + 14, y + 9)], c.filled()))?;
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
pub(super) fn draw_legend(
    area: &Area<'_>,
    items: &[(Swatch, String)],
    x0: i32,
    y0: i32,
    max_x: i32,
) -> DrawResult<i32> {
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
pub(super) fn draw_header(
    area: &Area<'_>,
    title: &str,
    subtitle: &str,
    legend: &[(Swatch, String)],
) -> DrawResult<i32> {
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
pub(super) fn padded_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
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

/// Lines of a setting label wrapped to `max_w` pixels, breaking after `+`, `,`,
/// `_`, `-`, `)` or a space where possible, mid-word otherwise.
pub(super) fn wrap_label(area: &Area<'_>, label: &str, style: &TextStyle<'_>, max_w: u32) -> DrawResult<Vec<String>> {
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
pub(super) fn draw_chance(area: &Area<'_>, x0: i32, x1: i32, y: i32, chance: f64) -> DrawResult<()> {
    area.draw(&DashedPathElement::new(vec![(x0, y), (x1, y)], 10, 6, RGBColor(60, 60, 60).stroke_width(2)))?;
    let style = anchored(17.0, HPos::Left, VPos::Center).color(&RGBColor(60, 60, 60));
    area.draw(&Text::new("chance".to_string(), (x1 + 8, y - 10), style.clone()))?;
    area.draw(&Text::new(format!("{chance:.1}"), (x1 + 8, y + 11), style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_labels_carry_the_scale() {
        assert_eq!(metric_label("accuracy"), "dev accuracy (%)");
        assert_eq!(metric_label("mcc"), "dev mcc (×100)");
        assert_eq!(metric_label("spearman"), "dev spearman (×100)");
    }
}
