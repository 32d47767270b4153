//! `summary.csv`: one row per (task, setting), plain numbers for further analysis.

use super::{Baseline, TaskSummary, EVP_TABLE_N};

/// Column names of `summary.csv`.
pub const CSV_HEADER: &str = "task,metric,chance,group,setting,setting_index,dropout,mixout_p,wdecay,wdecay_toward,\
head,mixout_layers,lr,epochs,bias_correction,precision,reinit_layers,llrd,runs,finished,\
mean,std,median,min,max,evp_n5,failed,diverged,failure_rate,failure_ci_low,failure_ci_high,\
is_baseline,baseline,baseline_has_runs,pairs,delta_mean,delta_ci_low,delta_ci_high,\
failure_test,failure_p,paper_setting,paper_table,paper_mean,paper_max,source,mean_finished";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The summary as CSV: one row per (task, setting), plain numbers (full
/// precision, empty where there is no value; rates as fractions), for further analysis.
pub fn csv(tasks: &[TaskSummary]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for t in tasks {
        for r in &t.rows {
            let p = &r.params;
            let d = r.stats.as_ref();
            let c = r.vs_baseline.as_ref();
            let fields: Vec<String> = vec![
                csv_field(&t.task),
                csv_field(&t.metric),
                t.chance.to_string(),
                r.group.as_deref().map(csv_field).unwrap_or_default(),
                csv_field(&r.setting),
                r.setting_index.to_string(),
                p.dropout.to_string(),
                p.mixout_p.to_string(),
                p.wdecay.to_string(),
                csv_field(&p.wdecay_toward),
                csv_field(&p.head),
                csv_field(&p.mixout_layers),
                p.lr.to_string(),
                p.epochs.to_string(),
                p.bias_correction.to_string(),
                csv_field(&p.precision),
                p.reinit_layers.to_string(),
                num(p.llrd),
                r.runs.to_string(),
                r.finished_stats.as_ref().map(|d| d.n).unwrap_or(0).to_string(),
                num(d.map(|d| d.mean)),
                num(d.map(|d| d.std)),
                num(d.map(|d| d.median)),
                num(d.map(|d| d.min)),
                num(d.map(|d| d.max)),
                num(r.evp_at(EVP_TABLE_N).map(|e| e.mean)),
                r.failed.to_string(),
                r.diverged.to_string(),
                num(r.failure_rate()),
                num(r.failure_ci95.map(|ci| ci.0)),
                num(r.failure_ci95.map(|ci| ci.1)),
                r.is_baseline().to_string(),
                csv_field(r.baseline.label(&r.setting)),
                (!matches!(r.baseline, Baseline::Missing(_))).to_string(),
                c.map(|c| c.n_pairs.to_string()).unwrap_or_default(),
                num(c.map(|c| c.mean_diff)),
                num(c.and_then(|c| c.ci95).map(|ci| ci.0)),
                num(c.and_then(|c| c.ci95).map(|ci| ci.1)),
                r.failure_test.map(|t| t.name().to_ascii_lowercase()).unwrap_or_default(),
                num(r.failure_test.map(|t| t.p_value())),
                r.paper.map(|p| csv_field(&p.label())).unwrap_or_default(),
                r.paper.map(|p| csv_field(p.source())).unwrap_or_default(),
                num(r.paper_ref.map(|p| p.mean)),
                num(r.paper_ref.map(|p| p.max)),
                r.source.as_deref().map(csv_field).unwrap_or_default(),
                num(r.finished_stats.as_ref().map(|d| d.mean)),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}
