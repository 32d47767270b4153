//! Expected validation performance (Dodge et al. 2019): the expected best dev score
//! against the number of restarts, one panel per group ([`super::facet`]).

use std::path::Path;

use plotters::prelude::*;

use super::facet::{self, Panel};
use super::lines::{self, XScale};
use super::sheet::{draw_frame, draw_y_axis, nice_ticks, Sheet, YScale};
use super::style::*;
use super::{write_faceted, Area, DrawResult, Facets, Figure, Kind, TaskData};
use crate::error::Result;

/// Writes `evp_<task>.png` (numbered files beyond [`facet::MAX_ROWS_PER_FILE`] rows):
/// the expected best dev score against the number of restarts n, read from the
/// summary ([`crate::summary::SettingSummary::evp`]), one line per setting with a
/// translucent ±1 sd band, the panel's baseline in black, chance dashed. Diverged runs
/// enter the curves at the chance score (as in the tables); the subtitle counts them.
pub fn evp_plots(t: TaskData<'_, '_>, out_dir: &Path) -> Result<Vec<Figure>> {
    let panels = facet::panels(t.summary, lines::MAX_LINES);
    let f = Facets::line_charts(Kind::Evp, 260, &panels);
    write_faceted(t, out_dir, &f, &panels, |root, sheet, rows| draw_page(root, t, sheet, rows))
}

fn draw_page(root: &Area<'_>, t: TaskData<'_, '_>, sheet: &Sheet, rows: &[Vec<&Panel>]) -> DrawResult<()> {
    let legend = vec![
        (Swatch::Line(BLACK.to_rgba(), 4), "baseline".to_string()),
        (Swatch::Line(PALETTE[0].to_rgba(), 3), "other settings (named under each panel)".to_string()),
        (Swatch::Band, "±1 sd".to_string()),
        (Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()),
    ];
    let rows_all = &t.summary.rows;
    let members: Vec<usize> = rows.iter().flatten().flat_map(|p| lines::panel_lines(p)).map(|l| l.0).collect();
    let hidden: usize = rows.iter().flatten().flat_map(|p| &p.settings).map(|&i| rows_all[i].diverged).sum();
    let title = format!("{}: expected best {} over n restarts", t.runs.task, metric_label(&t.runs.metric));
    let mut subtitle =
        format!("model: {}   (Dodge et al. 2019: best of n drawn with replacement from the runs)", model_name(t.runs));
    if hidden > 0 {
        subtitle.push_str(&format!("   {hidden} diverged run(s) counted at chance"));
    }
    draw_header(root, &title, &subtitle, &legend)?;

    let n_max = members.iter().map(|&i| rows_all[i].evp.len()).max().unwrap_or(0).max(1);
    let ys = members.iter().flat_map(|&i| rows_all[i].evp.iter().flat_map(|e| [e.mean - e.sd, e.mean + e.sd]));
    let (lo, hi) = padded_range(ys.chain(std::iter::once(t.runs.chance)));
    let ticks = nice_ticks(lo, hi, 6);
    let x_pad = (0.02 * (n_max - 1) as f64).clamp(0.2, 0.5);
    let x_ticks = lines::integer_ticks(1.0, n_max as f64);
    for (r, row) in rows.iter().enumerate() {
        let y = YScale { lo, hi, top: sheet.top(r), h: sheet.plot_h };
        draw_y_axis(root, sheet.boxes[r][0].0, y, &ticks, &format!("expected best {}", metric_label(&t.runs.metric)))?;
        for (k, panel) in row.iter().enumerate() {
            let (left, w) = sheet.boxes[r][k];
            let x = XScale { lo: 1.0 - x_pad, hi: n_max as f64 + x_pad, left, w };
            draw_frame(root, (left, w), y, &ticks, &panel.title)?;
            lines::draw_chance_line(root, x, y, t.runs.chance)?;
            draw_panel(root, t, panel, x, y)?;
            lines::draw_x_axis(root, x, y.top + y.h, &x_ticks, "n  (restarts)")?;
            lines::draw_panel_legend(root, t.summary, &lines::panel_lines(panel), (left, w), y.top + y.h)?;
        }
    }
    Ok(())
}

/// Every band first, then every line, so no band veils another setting's line.
fn draw_panel(root: &Area<'_>, t: TaskData<'_, '_>, panel: &Panel, x: XScale, y: YScale) -> DrawResult<()> {
    let drawn = lines::panel_lines(panel);
    for &(i, s) in &drawn {
        let curve = &t.summary.rows[i].evp;
        if curve.len() >= 2 && !s.dashed {
            let upper = curve.iter().map(|e| (x.px(e.n as f64), y.px(e.mean + e.sd)));
            let lower = curve.iter().rev().map(|e| (x.px(e.n as f64), y.px(e.mean - e.sd)));
            root.draw(&Polygon::new(upper.chain(lower).collect::<Vec<_>>(), s.color.mix(0.12).filled()))?;
        }
    }
    for &(i, s) in &drawn {
        let curve = &t.summary.rows[i].evp;
        let line: Vec<(i32, i32)> = curve.iter().map(|e| (x.px(e.n as f64), y.px(e.mean))).collect();
        if line.len() == 1 {
            root.draw(&Circle::new(line[0], 4, s.color.filled()))?;
        }
        lines::draw_path(root, line, s)?;
    }
    Ok(())
}
