//! `summary.md`: header, one table per task with its figures, and the legend.

use std::fmt::Write as _;

use super::cells::{cell, columns, f1, task_caption};
use super::{Provenance, TaskSummary, EVP_TABLE_N};
use crate::stats;

/// The summary as a markdown document: header, one table per task, legend, and
/// links to the figures given as `(task, file name)`.
pub fn markdown(tasks: &[TaskSummary], prov: &Provenance, figures: &[(String, String)]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Mixout finetuning report\n");
    let _ = writeln!(md, "- result files: {}", prov.n_results);
    let _ = writeln!(md, "- experiment(s): {}", prov.experiments.join(", "));
    let _ = writeln!(md, "- model(s): {}", prov.models.join(", "));
    let _ = writeln!(md, "- harness: {}", prov.versions.join("; "));
    if prov.uses_minilm() {
        let _ = writeln!(
            md,
            "\n**Model note:** the shipped models are sentence-encoder MiniLMs (BERT architecture, \
             further trained on NLI/paraphrase pairs), not raw MLM-pretrained BERT; neither their \
             scores nor their stability are directly comparable to the paper's BERT-large."
        );
    }
    for t in tasks {
        let cols = columns(t);
        let _ = writeln!(md, "\n## {}\n", task_caption(t).replacen(':', " —", 1));
        let headers: Vec<&str> = cols.iter().map(|c| c.header()).collect();
        let _ = writeln!(md, "| {} |", headers.join(" | "));
        let align: Vec<&str> = cols.iter().map(|c| if c.is_text() { "---" } else { "---:" }).collect();
        let _ = writeln!(md, "|{}|", align.join("|"));
        for r in &t.rows {
            let c: Vec<String> = cols.iter().map(|&c| cell(r, c, true)).collect();
            let _ = writeln!(md, "| {} |", c.join(" | "));
        }
        for w in &t.warnings {
            let _ = writeln!(md, "\n**Warning:** {w}");
        }
        let figs: Vec<&String> = figures.iter().filter(|(task, _)| task == &t.task).map(|(_, f)| f).collect();
        if !figs.is_empty() {
            let _ = writeln!(md);
            for f in figs {
                let _ = writeln!(md, "![{f}]({f})");
            }
        }
    }
    let _ = writeln!(md, "\n## Legend\n");
    for item in legend(tasks) {
        let _ = writeln!(md, "- {item}");
    }
    md
}

/// The legend's items, in markdown (bold names, code labels), shared with `index.html`.
pub(crate) fn legend(tasks: &[TaskSummary]) -> Vec<String> {
    let mut items = Vec::new();
    items.push(
        "A **diverged** run (its loss became NaN or infinite) counts in mean, std, median, min, \
         max, E[max] and Δ at the task's **chance score**, the collapsed score it stands for; \
         leaving it out would report an unstable setting by its survivors. *mean (finished only)*, \
         shown when some setting has diverged runs, leaves them out."
            .to_string(),
    );
    items.push(
        "Scores are the final dev score of the task's headline metric: percent for accuracy and F1, \
         ×100 for correlations (Matthews, Spearman), as in the paper's tables."
            .to_string(),
    );
    items.push(
        "**group**, **precision**: shown only when the experiment groups its settings, or when a \
         setting trained in a precision other than fp32 (tf32, bf16)."
            .to_string(),
    );
    items.push(
        "**runs**: result files of the setting; **mean, std, median, min, max** are over all its \
         runs, a diverged one at the chance score (std is the sample standard deviation, divisor \
         n−1; 0 for a single run)."
            .to_string(),
    );
    items.push(format!(
        "**E[max] n={n}**: expected validation performance (Dodge et al. 2019, \"Show your work\"): \
         the expected best dev score among {n} restarts drawn with replacement from the setting's \
         runs, E[max_n] = Σᵢ v₍ᵢ₎·((i/N)ⁿ − ((i−1)/N)ⁿ) over the N sorted scores, a diverged run at \
         the chance score; with fewer than {n} runs the value at their number N is shown, marked \
         (n=N). The `evp_` \
         figure shows it for every n with ±1 sd.",
        n = EVP_TABLE_N
    ));
    let chances: Vec<String> = tasks.iter().map(|t| format!("{} {} {}", t.task, t.metric, f1(t.chance))).collect();
    items.push(format!(
        "**failed**: the run's dev score is at or below the chance score (the majority-class \
         predictor; here: {}), or the run diverged. Shown as failed/runs = failure rate, with its \
         95% Wilson score interval (z = {}). **diverged**: the training loss became NaN or \
         infinite; such runs have no score and are counted in *failed* too.",
        chances.join("; "),
        stats::Z95
    ));
    items.push(
        "**baseline**: each setting is compared with the baseline its result files name (a \
         setting naming itself is a baseline; \"has no runs\" when the named baseline is not in \
         these results). A setting naming none is compared with the setting matching the paper's \
         dropout(0.1)+wdecay(0, .01) if present, else the experiment's first setting. With one \
         baseline for the whole task it is named in the heading; otherwise a column names it."
            .to_string(),
    );
    items.push(format!(
        "**Δ mean vs baseline**: mean of the per-seed differences (setting − baseline) over the \
         seeds both ran (n pairs; a diverged run at the chance score), with a percentile-bootstrap \
         95% interval ({} resamples, \
         ChaCha8 seed {}).",
        stats::BOOTSTRAP_RESAMPLES,
        stats::BOOTSTRAP_SEED
    ));
    items.push(
        "**failures vs baseline**: two-sided exact test of the failure count against the \
         baseline's. *McNemar*: when the two ran exactly the same seeds (paired: same data \
         order and head initialisation), binomial on the seeds where exactly one failed, \
         p = min(1, 2·P(X ≤ min(b, c))), 1 when there is no such seed. *Fisher*: otherwise, \
         Fisher's exact test on the 2×2 table of failed and other runs, over all runs (\"partly \
         paired\" when some seeds are shared: a paired test on those alone would drop the rest). \
         Few restarts give little power: a large p is no evidence of equal failure rates."
            .to_string(),
    );
    items.push(
        "**BERT-large ref.**: the paper's (Lee, Cho & Kang, ICLR 2020) mean (max) over 20 \
         restarts of BERT-large uncased, shown where a setting's knobs match one of the paper's \
         settings: Table 1 (regularisers of the pretrained layers) or Table 3 (regulariser of the \
         output layer, with the pretrained layers at mixout(w_pre, 0.7) and no weight decay; its \
         `none` row is Table 1's mixout(w_pre, 0.7)). It is a reference for the direction of \
         effects only: a different model, so absolute numbers are not comparable."
            .to_string(),
    );
    items.push(
        "**source**: shown when a report reads several results folders that differ in experiment, \
         device, precision or harness version (or share setting labels); each folder's settings, \
         runs and baselines stay its own."
            .to_string(),
    );
    items
}
