//! Several results folders in one report. Each folder is a study: its settings, runs and
//! baselines stay its own, and a `source` label tells the studies apart in tables and
//! figures when they differ in experiment, device, precision or harness version (or
//! share setting labels).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{ReportError, Result};
use crate::results::{read_results_dir_timed, RunResult};

/// The result files of one results folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// The folder read.
    pub dir: PathBuf,
    /// Its result files, in [`crate::read_results_dir`] order.
    pub results: Vec<RunResult>,
    /// Modification times of its oldest and newest result file, seconds since the Unix
    /// epoch: when the runs finished.
    pub written: Option<(u64, u64)>,
}

impl Study {
    /// Reads a results folder; fails with [`ReportError::Empty`] when it holds no result file.
    pub fn read(dir: &Path) -> Result<Self> {
        let timed = read_results_dir_timed(dir)?;
        if timed.is_empty() {
            return Err(ReportError::Empty(dir.to_path_buf()));
        }
        let times: Vec<u64> = timed.iter().filter_map(|t| t.1).collect();
        let written = times.iter().min().copied().zip(times.iter().max().copied());
        Ok(Self { dir: dir.to_path_buf(), results: timed.into_iter().map(|t| t.0).collect(), written })
    }

    /// What can tell studies apart, as (name, value): experiment, device kind (`cpu`,
    /// `cuda`), precision and harness version, each the sorted distinct values joined by `+`.
    pub fn attributes(&self) -> [(&'static str, String); 4] {
        let uniq = |f: &dyn Fn(&RunResult) -> String| {
            let set: BTreeSet<String> = self.results.iter().map(f).collect();
            set.into_iter().collect::<Vec<_>>().join("+")
        };
        [
            ("experiment", uniq(&|r| r.experiment.clone())),
            ("device", uniq(&|r| r.device.split(':').next().unwrap_or_default().to_string())),
            ("precision", uniq(&|r| r.params.precision.clone())),
            ("harness", uniq(&|r| harness_version(r))),
        ]
    }
}

/// `mixout <version> (<git describe>)`, the harness that wrote a result.
pub fn harness_version(r: &RunResult) -> String {
    match &r.versions.git {
        Some(g) => format!("mixout {} ({g})", r.versions.mixout),
        None => format!("mixout {}", r.versions.mixout),
    }
}

/// The source label of each study, `None` for all when one label is not needed: a
/// single study, or studies alike in experiment, device, precision and harness whose
/// (task, setting) labels never meet. A label names the attributes that differ
/// between the studies (`rte-gpu · cuda · bf16`); where that leaves two studies alike,
/// the folder's name is added, then its position.
pub fn sources(studies: &[Study]) -> Vec<Option<String>> {
    if studies.len() < 2 {
        return vec![None; studies.len()];
    }
    let attrs: Vec<[(&str, String); 4]> = studies.iter().map(Study::attributes).collect();
    let differs: Vec<usize> = (0..4).filter(|&j| attrs.iter().any(|a| a[j].1 != attrs[0][j].1)).collect();
    if differs.is_empty() && !labels_meet(studies) {
        return vec![None; studies.len()];
    }
    let mut labels: Vec<String> =
        attrs.iter().map(|a| differs.iter().map(|&j| a[j].1.clone()).collect::<Vec<_>>().join(" · ")).collect();
    let dup = |labels: &[String], i: usize| labels.iter().filter(|l| **l == labels[i]).count() > 1;
    let dups: Vec<bool> = (0..labels.len()).map(|i| dup(&labels, i)).collect();
    for (i, d) in dups.into_iter().enumerate() {
        if d {
            let name = studies[i].dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            labels[i] = if labels[i].is_empty() { name } else { format!("{} · {name}", labels[i]) };
        }
    }
    let dups: Vec<bool> = (0..labels.len()).map(|i| dup(&labels, i)).collect();
    for (i, d) in dups.into_iter().enumerate() {
        if d {
            labels[i] = format!("{} #{}", labels[i], i + 1);
        }
    }
    labels.into_iter().map(Some).collect()
}

/// Whether two studies hold a setting of the same label for the same task.
fn labels_meet(studies: &[Study]) -> bool {
    let mut seen: BTreeSet<(&str, &str, usize)> = BTreeSet::new();
    for (k, s) in studies.iter().enumerate() {
        for r in &s.results {
            seen.insert((r.task.as_str(), r.setting.as_str(), k));
        }
    }
    let pairs: Vec<(&str, &str)> = seen.iter().map(|(t, s, _)| (*t, *s)).collect();
    pairs.windows(2).any(|w| w[0] == w[1])
}

/// A date and time in UTC, `YYYY-MM-DD HH:MM UTC`, from seconds since the Unix epoch.
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{d:02} {h:02}:{m:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_by_hand() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        // 2000-02-29 is day 11016; 12:34 adds 45240 s.
        assert_eq!(utc(11_016 * 86_400 + 45_240), "2000-02-29 12:34 UTC");
        // 2024-12-31 23:59: day 20088.
        assert_eq!(utc(20_088 * 86_400 + 86_340), "2024-12-31 23:59 UTC");
    }
}
