//! The summary table as aligned plain text, for the terminal.

use std::fmt::Write as _;

use super::cells::{cell, columns, task_caption};
use super::TaskSummary;

/// The summary as plain text with aligned columns, for the terminal.
pub fn terminal_table(tasks: &[TaskSummary]) -> String {
    let mut out = String::new();
    for (k, t) in tasks.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let cols = columns(t);
        let _ = writeln!(out, "{}", task_caption(t).replace('`', ""));
        let mut rows: Vec<Vec<String>> = vec![cols.iter().map(|c| c.header().to_string()).collect()];
        rows.extend(t.rows.iter().map(|r| cols.iter().map(|&c| cell(r, c, false)).collect()));
        let widths: Vec<usize> =
            (0..cols.len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        for (j, r) in rows.iter().enumerate() {
            let line: Vec<String> = r
                .iter()
                .zip(&cols)
                .enumerate()
                .map(|(i, (c, col))| {
                    let pad = " ".repeat(widths[i] - c.chars().count());
                    if col.is_text() {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
            if j == 0 {
                let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                let _ = writeln!(out, "{}", "-".repeat(total));
            }
        }
    }
    if !tasks.is_empty() {
        let _ = writeln!(
            out,
            "\nfailed = score <= chance or diverged, with Wilson 95% CI; E[max] n=5 = expected best of 5 \
             restarts; diverged runs count at chance in mean, E[max] and Δ; Δ = paired mean difference vs \
             baseline with bootstrap 95% CI; failures vs baseline = exact McNemar (same seeds) or \
             Fisher test; BERT-large ref. = \
             paper mean (max), a different model: not comparable in absolute terms."
        );
    }
    out
}
