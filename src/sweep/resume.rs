//! What a rerun finds of a run: no result yet, a finished result made with the setting asked
//! for, one made with another configuration, or a damaged file. A result is trusted only
//! when it parses and its recorded fingerprint equals the setting's; nothing is deleted:
//! files set aside are renamed, never overwritten.

use crate::error::{Error, Result};
use mixout_report::{RunResult, RunStatus};
use mixout_spec::{changed_fields, fingerprint, RunSpec};
use std::path::{Path, PathBuf};

/// The state of one run's result file.
#[derive(Debug)]
pub enum Found {
    /// No result file: the run is to do.
    Missing,
    /// A result made with this configuration (finished or diverged): skip the run.
    Done(RunStatus),
    /// A result made with another configuration: the fields that differ.
    Changed(Vec<String>),
    /// A file that does not parse (truncated, edited): why.
    Damaged(String),
}

/// The result file of `run` under a study's results folder.
pub fn result_path(dir: &Path, run: &RunSpec) -> PathBuf {
    RunResult::path_in(dir, &run.label, &run.run_id)
}

/// Looks at a run's result file and compares what it records with `run`'s setting.
pub fn inspect(dir: &Path, run: &RunSpec) -> Found {
    let path = result_path(dir, run);
    if !path.exists() {
        return Found::Missing;
    }
    let old = match RunResult::read(&path) {
        Ok(r) => r,
        Err(e) => return Found::Damaged(e.to_string()),
    };
    let recorded = old.config_hash.clone().unwrap_or_else(|| fingerprint(&old.config));
    if recorded == run.setting.fingerprint() {
        Found::Done(old.status)
    } else {
        Found::Changed(changed_fields(&old.config, &run.setting.recorded()))
    }
}

/// Renames a result file out of the way (`x.json` → `x.json.<why>`, `x.json.<why>.2`, …)
/// so the run is redone while the old file is kept; returns the new name.
pub fn set_aside(path: &Path, why: &str) -> Result<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut dest = path.with_file_name(format!("{name}.{why}"));
    let mut n = 2;
    while dest.exists() {
        dest = path.with_file_name(format!("{name}.{why}.{n}"));
        n += 1;
    }
    std::fs::rename(path, &dest).map_err(|e| Error::io(path, e))?;
    Ok(dest)
}

/// The error for runs whose recorded configuration differs from the file's, naming each
/// setting and its changed fields, and the flag that redoes them.
pub fn changed_error(changed: &[(String, Vec<String>, usize)]) -> Error {
    let lines: Vec<String> = changed
        .iter()
        .map(|(label, fields, n)| format!("  setting `{label}`: {n} finished run(s) differ in {}", fields.join(", ")))
        .collect();
    Error::Invalid(format!(
        "finished runs were made with another configuration than the experiment file now gives:\n{}\n\
         nothing was run. Restore the setting to keep them, or rerun with `--redo-changed` to redo those runs \
         (their old result files are kept as `*.json.superseded`)",
        lines.join("\n")
    ))
}
