//! Facets: one panel per group of settings (per study and group), wrapped into rows
//! and, for large studies, into several numbered files, so a figure reads the same
//! from 2 settings to 200.

use crate::summary::TaskSummary;

/// Most rows of panels in one figure file; more go to the next numbered file.
pub const MAX_ROWS_PER_FILE: usize = 5;

/// A panel: the settings of one group (or one part of a large group).
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Source and group of the settings (empty for a single study without groups), with
    /// `(part k/n)` when a group was split.
    pub title: String,
    /// Row indices of the task's summary, in setting order.
    pub settings: Vec<usize>,
    /// Row index of the baseline the panel's settings are compared with, whether or
    /// not it is one of them; `None` when that baseline has no runs.
    pub baseline: Option<usize>,
}

impl Panel {
    /// Whether the panel's baseline is drawn outside it (another group, another part).
    pub fn baseline_outside(&self) -> Option<usize> {
        self.baseline.filter(|b| !self.settings.contains(b))
    }
}

/// The panels of a task: one per (study, group) in setting order, settings without a
/// group forming one panel of their study; a group of more than `max_settings`
/// settings is split into parts of near-equal size.
pub fn panels(t: &TaskSummary, max_settings: usize) -> Vec<Panel> {
    type Key<'t> = (usize, Option<&'t str>);
    let mut groups: Vec<(Key<'_>, Vec<usize>)> = Vec::new();
    for (i, r) in t.rows.iter().enumerate() {
        let key = (r.study, r.group.as_deref());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut out = Vec::new();
    for ((_, group), members) in groups {
        let source = t.rows[members[0]].source.as_deref();
        let name: Vec<&str> = source.into_iter().chain(group).collect();
        let name = name.join(" · ");
        let parts = members.len().div_ceil(max_settings.max(1));
        let per_part = members.len().div_ceil(parts);
        for (k, chunk) in members.chunks(per_part).enumerate() {
            let title = match (parts, name.is_empty()) {
                (1, _) => name.clone(),
                (_, true) => format!("part {}/{parts}", k + 1),
                (_, false) => format!("{name} (part {}/{parts})", k + 1),
            };
            out.push(Panel { title, settings: chunk.to_vec(), baseline: panel_baseline(t, chunk) });
        }
    }
    out
}

/// The baseline most settings of a panel are compared with (the first such on a tie).
fn panel_baseline(t: &TaskSummary, settings: &[usize]) -> Option<usize> {
    let bases: Vec<usize> = settings.iter().filter_map(|&i| t.baseline_row(i)).collect();
    let count = |b: usize| bases.iter().filter(|&&x| x == b).count();
    bases.iter().copied().max_by_key(|&b| (count(b), std::cmp::Reverse(bases.iter().position(|&x| x == b))))
}

/// Packs panels of the given widths (in columns) into rows of at most `row_capacity`
/// columns, keeping their order, then rows into files of at most
/// [`MAX_ROWS_PER_FILE`] rows. Returns files → rows → panel indices.
pub fn pages(widths: &[usize], row_capacity: usize) -> Vec<Vec<Vec<usize>>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, &w) in widths.iter().enumerate() {
        match rows.last_mut() {
            Some(row) if used + w <= row_capacity => row.push(i),
            _ => {
                rows.push(vec![i]);
                used = 0;
            }
        }
        used += w;
    }
    rows.chunks(MAX_ROWS_PER_FILE).map(<[Vec<usize>]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_fill_up_to_capacity_then_files_split() {
        // Widths 5, 5, 3 with capacity 12: the third panel opens a new row.
        assert_eq!(pages(&[5, 5, 3], 12), [vec![vec![0, 1], vec![2]]]);
        // 13 one-column panels, capacity 2: 7 rows, 5 in the first file and 2 in the second.
        let p = pages(&[1; 13], 2);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].len(), p[1].len()), (5, 2));
        assert_eq!(p[1][1], [12]);
    }
}
