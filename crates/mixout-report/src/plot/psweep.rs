//! The p-sweep figure (the paper's Figure 4): final dev score against the dropout or mixout probability.

use plotters::prelude::*;

use super::style::*;
use super::{render, Area, DrawResult, TaskData};
use std::collections::BTreeMap;
use std::path::Path;

use super::swarm::swarm;
use super::{HEIGHT, MIN_WIDTH};
use crate::error::Result;
use crate::summary::{finished_score, SettingRuns};

/// The probability a p-sweep family varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Encoder dropout, mixout off.
    Dropout,
    /// Mixout probability.
    Mixout,
}

impl Sweep {
    /// The paper's notation of the family.
    pub fn name(self) -> &'static str {
        match self {
            Sweep::Dropout => "dropout(p)",
            Sweep::Mixout => "mixout(w_pre, p)",
        }
    }
}

/// A line of the p-sweep: settings that agree on every knob (and model) but the swept
/// probability, one setting per distinct p.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The probability that varies.
    pub sweep: Sweep,
    /// The knobs that tell this family from the others of its sweep (`lr=2e-5`); empty
    /// when the sweep has one family.
    pub differs: String,
    /// (p, index of the setting in the task), ascending by p.
    pub points: Vec<(f64, usize)>,
}

impl Family {
    /// Legend name: the sweep and what sets the family apart.
    pub fn label(&self) -> String {
        if self.differs.is_empty() {
            self.sweep.name().to_string()
        } else {
            format!("{}, {}", self.sweep.name(), self.differs)
        }
    }
}

/// The knobs, besides the swept probability, that make two settings different points
/// of a study: families are keyed by all of them, and named by those that vary.
fn knobs(s: &SettingRuns<'_>) -> Vec<(&'static str, String)> {
    let p = &s.params;
    let model = s.runs.first().map(|r| r.model.clone()).unwrap_or_default();
    vec![
        ("model", model),
        ("dropout", p.dropout.to_string()),
        ("wdecay", p.wdecay.to_string()),
        ("toward", p.wdecay_toward.clone()),
        ("head", p.head.clone()),
        ("layers", p.mixout_layers.clone()),
        ("lr", format!("{:e}", p.lr)),
        ("epochs", p.epochs.to_string()),
        ("bias_correction", p.bias_correction.to_string()),
        ("train_subset", p.train_subset.map(|n| n.to_string()).unwrap_or_default()),
        ("precision", p.precision.clone()),
        ("reinit", p.reinit_layers.to_string()),
        ("llrd", p.llrd.map(|g| g.to_string()).unwrap_or_default()),
    ]
}

/// The families of the p-sweep, dropout families first.
///
/// A setting without mixout is a point of the dropout family of its other knobs (p =
/// its dropout) and, as p = 0, of the mixout family of the same knobs; a setting with
/// mixout is a point of the mixout family of its other knobs. So settings of different
/// grid points (another learning rate, another weight decay) never share a line. When
/// several settings of a family share a p, the first by setting index stands for it.
/// Families with a single point are left out: they sweep nothing.
pub fn families(t: TaskData<'_, '_>) -> Vec<Family> {
    type Key = (u8, Vec<(&'static str, String)>);
    let mut by_key: BTreeMap<Key, BTreeMap<i64, (f64, usize)>> = BTreeMap::new();
    let pkey = |p: f64| (p * 1e6).round() as i64;
    for (i, s) in t.runs.settings.iter().enumerate() {
        let (p, mut k) = (&s.params, knobs(s));
        if is_zero(p.mixout_p) {
            by_key.entry((1, k.clone())).or_default().entry(0).or_insert((0.0, i));
            k.retain(|(name, _)| *name != "dropout");
            by_key.entry((0, k)).or_default().entry(pkey(p.dropout)).or_insert((p.dropout, i));
        } else {
            by_key.entry((1, k)).or_default().entry(pkey(p.mixout_p)).or_insert((p.mixout_p, i));
        }
    }
    by_key.retain(|_, points| points.len() >= 2);
    let mut out = Vec::new();
    for (kind, sweep) in [(0u8, Sweep::Dropout), (1, Sweep::Mixout)] {
        let keys: Vec<&Vec<(&'static str, String)>> = by_key.keys().filter(|k| k.0 == kind).map(|k| &k.1).collect();
        let varies = |j: usize| keys.iter().any(|k| k[j] != keys[0][j]);
        let mut fams: Vec<Family> = by_key
            .iter()
            .filter(|(k, _)| k.0 == kind)
            .map(|((_, key), points)| {
                let differs: Vec<String> =
                    (0..key.len()).filter(|&j| varies(j)).map(|j| format!("{}={}", key[j].0, key[j].1)).collect();
                Family { sweep, differs: differs.join(" "), points: points.values().copied().collect() }
            })
            .collect();
        // In the order of the experiment file: by the first setting of each family.
        fams.sort_by_key(|f| f.points.iter().map(|p| p.1).min());
        out.extend(fams);
    }
    out
}

/// Knob values come from YAML decimals: compare with a tolerance.
fn is_zero(x: f64) -> bool {
    x.abs() < 1e-9
}

/// Whether the task has a p-sweep worth a Figure 4: a family with at least three
/// distinct p values.
pub fn has_psweep(t: TaskData<'_, '_>) -> bool {
    families(t).iter().any(|f| f.points.len() >= 3)
}

/// Draws `psweep_<task>.png`: final dev score against p per family ([`families`]), a
/// dot per restart and the mean per p (from the summary) joined by a line; returns
/// the number of lines drawn.
pub fn psweep_plot(t: TaskData<'_, '_>, path: &Path) -> Result<usize> {
    let fams = families(t);
    render(path, (MIN_WIDTH, HEIGHT), |root| draw_psweep(root, t, &fams))?;
    Ok(fams.len())
}

/// Colour of family `i`: the paper's orange and blue for one dropout and one mixout
/// family, the palette otherwise.
fn family_color(fams: &[Family], i: usize) -> RGBColor {
    let paper = fams.len() == 2 && fams[0].sweep == Sweep::Dropout && fams[1].sweep == Sweep::Mixout;
    match (paper, i) {
        (true, 0) => DROPOUT_ORANGE,
        (true, _) => OK_BLUE,
        _ => PALETTE[i % PALETTE.len()],
    }
}

fn psweep_legend(fams: &[Family], shared: &[usize]) -> Vec<(Swatch, String)> {
    let mut legend: Vec<(Swatch, String)> = Vec::new();
    for (i, f) in fams.iter().enumerate() {
        let c = family_color(fams, i);
        if fams.len() <= 2 {
            legend.push((Swatch::Dot(c.mix(0.6)), format!("{}: restart", f.label())));
        }
        legend.push((Swatch::MeanDot(c.to_rgba()), format!("{}: mean", f.label())));
    }
    if !shared.is_empty() {
        legend.push((Swatch::Dot(SHARED_GREY.mix(0.6)), "p = 0 of both families".to_string()));
    }
    legend.push((Swatch::Triangle(RGBColor(90, 90, 90).to_rgba()), "failed (≤ chance)".to_string()));
    legend.push((Swatch::Dashed(RGBColor(60, 60, 60).to_rgba()), "chance".to_string()));
    legend
}

fn draw_psweep(root: &Area<'_>, t: TaskData<'_, '_>, fams: &[Family]) -> DrawResult<()> {
    // A setting in several families (p = 0 of a dropout and a mixout family) is drawn
    // once, centred and grey, and every line through it starts from it.
    let mut members: Vec<usize> = fams.iter().flat_map(|f| f.points.iter().map(|p| p.1)).collect();
    members.sort_unstable();
    let shared: Vec<usize> = members.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    members.dedup();
    let settings = &t.runs.settings;
    let rows = &t.summary.rows;
    let hidden: usize = members.iter().map(|&i| rows[i].runs - rows[i].stats.as_ref().map_or(0, |d| d.n)).sum();
    let legend = psweep_legend(fams, &shared);
    let title = format!("{}: final {} against p", t.runs.task, metric_label(&t.runs.metric));
    let mut subtitle = format!("model: {}   (paper Figure 4 style)", model_name(t.runs));
    if hidden > 0 {
        subtitle.push_str(&format!("   {hidden} diverged run(s) not shown"));
    }
    let header = draw_header(root, &title, &subtitle, &legend)?;

    let mut ps: Vec<f64> = fams.iter().flat_map(|f| f.points.iter().map(|p| p.0)).collect();
    ps.sort_by(f64::total_cmp);
    ps.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let p_max = ps.last().copied().unwrap_or(1.0).max(0.1);
    let ys = members.iter().flat_map(|&i| settings[i].scores().into_iter().map(|x| x.1));
    let (y_lo, y_hi) = padded_range(ys.chain(std::iter::once(t.runs.chance)));
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
        .y_desc(metric_label(&t.runs.metric))
        .label_style(font(TEXT_PX))
        .axis_desc_style(font(20.0))
        .light_line_style(TRANSPARENT)
        .bold_line_style(BLACK.mix(0.1))
        .draw()?;
    let (xr, _) = chart.plotting_area().get_pixel_range();
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    draw_chance(root, xr.start, xr.end, px(0.0, t.runs.chance).1, t.runs.chance)?;

    // Families sit side by side at each p, so their swarms never mix.
    let min_gap = ps.windows(2).map(|w| (px(w[1], 0.0).0 - px(w[0], 0.0).0) as f64).fold(f64::INFINITY, f64::min);
    let min_gap = if min_gap.is_finite() { min_gap } else { (xr.end - xr.start) as f64 / 4.0 };
    let n = fams.len().max(1) as f64;
    let slot = min_gap * 0.7 / n;
    let half_width = (if n > 1.0 { slot * 0.45 } else { min_gap * 0.35 }).max(6.0);
    let mut drawn_shared: Vec<usize> = Vec::new();
    for (fi, f) in fams.iter().enumerate() {
        let color = family_color(fams, fi);
        let family_dx = (fi as f64 - (n - 1.0) / 2.0) * slot;
        let mut means: Vec<(i32, i32)> = Vec::new();
        for &(p, i) in &f.points {
            let is_shared = shared.contains(&i);
            let (dx, c, width) =
                if is_shared { (0.0, SHARED_GREY, 2.0 * half_width) } else { (family_dx, color, half_width) };
            let cx = px(p, 0.0).0 as f64 + dx;
            if !drawn_shared.contains(&i) {
                draw_dots(root, &settings[i], cx, width, c, &|v| px(0.0, v).1)?;
                if is_shared {
                    drawn_shared.push(i);
                }
            }
            if let Some(d) = &rows[i].stats {
                means.push((cx.round() as i32, px(0.0, d.mean).1));
            }
        }
        root.draw(&PathElement::new(means.clone(), color.stroke_width(3)))?;
        for (m, &(_, i)) in means.into_iter().zip(&f.points) {
            let c = if shared.contains(&i) { SHARED_GREY } else { color };
            draw_swatch(root, Swatch::MeanDot(c.to_rgba()), m)?;
        }
    }
    Ok(())
}

/// A setting's restarts as a swarm centred at `cx`: failed ones as triangles.
fn draw_dots(
    root: &Area<'_>,
    s: &SettingRuns<'_>,
    cx: f64,
    width: f64,
    c: RGBColor,
    y_px: &dyn Fn(f64) -> i32,
) -> DrawResult<()> {
    let mut pts: Vec<(f64, u64, bool)> =
        s.runs.iter().filter_map(|r| finished_score(r).map(|v| (v, r.seed, r.failed))).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let dot_ys: Vec<f64> = pts.iter().map(|q| y_px(q.0) as f64).collect();
    for ((score, _, failed), off) in pts.iter().zip(swarm(&dot_ys, 11.0, width)) {
        let at = ((cx + off).round() as i32, y_px(*score));
        if *failed {
            root.draw(&TriangleMarker::new((at.0, at.1 + 1), 7, c.filled()))?;
        } else {
            root.draw(&Circle::new(at, 5, c.mix(0.6).filled()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::RunResult;
    use crate::summary::{group_by_task, summarize_task};

    fn result(setting: &str, index: usize, dropout: f64, mixout_p: f64, lr: f64) -> RunResult {
        let text = format!(
            r#"{{"schema_version": 1, "experiment": "e", "setting": "{setting}", "setting_index": {index},
            "run_id": "{setting}-seed1", "seed": 1, "task": "RTE", "model": "m", "metric": "accuracy",
            "chance": 52.7, "status": "finished", "score": 60.0, "final_dev": {{}}, "failed": false,
            "diverged_at_step": null, "epochs": [],
            "params": {{"dropout": {dropout}, "mixout_p": {mixout_p}, "mixout_layers": "paper", "head": "none",
              "wdecay": 0.0, "wdecay_toward": "zero", "lr": {lr}, "epochs": 3, "bias_correction": false,
              "train_subset": null}},
            "config": {{}}, "device": "cpu", "threads": 1,
            "versions": {{"mixout": "0", "tch": "0", "libtorch": "0", "git": null}},
            "steps": 1, "wall_time_s": 1.0, "steps_per_s": 1.0}}"#
        );
        serde_json::from_str(&text).expect("fixture parses")
    }

    #[test]
    fn families_never_mix_grid_points() {
        // A grid over mixout.p × lr, plus the paper's dropout sweep at one lr.
        let mut results = Vec::new();
        for (k, lr) in [2e-5, 1e-4].into_iter().enumerate() {
            for (j, p) in [0.0, 0.5, 0.9].into_iter().enumerate() {
                results.push(result(&format!("m{p}-lr{k}"), 3 * k + j, 0.0, p, lr));
            }
        }
        results.push(result("d0.3", 6, 0.3, 0.0, 2e-5));
        let tasks = group_by_task(&results);
        let summary = summarize_task(&tasks[0]);
        let t = TaskData::new(&tasks[0], &summary).expect("same settings");
        let fams = families(t);
        let labels: Vec<String> = fams.iter().map(Family::label).collect();
        assert_eq!(labels, ["dropout(p)", "mixout(w_pre, p), lr=2e-5", "mixout(w_pre, p), lr=1e-4"]);
        assert_eq!(fams[0].points, [(0.0, 0), (0.3, 6)]);
        assert_eq!(fams[1].points, [(0.0, 0), (0.5, 1), (0.9, 2)]);
        assert_eq!(fams[2].points, [(0.0, 3), (0.5, 4), (0.9, 5)]);
        assert!(has_psweep(t));
    }
}
