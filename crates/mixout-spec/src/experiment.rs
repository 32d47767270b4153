//! A validated experiment: the file parsed in two passes so errors say where (types and
//! unknown keys with line and column; then each setting merged over the base, expanded over
//! the grid and range-checked, named by position, label and dotted field), its baselines
//! resolved, and its runs listed setting-major so seeds pair across settings.

use crate::error::{Result, SpecError as Error};
use crate::grid::{grid_axes, grid_points, merge, set_path, show_value};
use crate::setting::Setting;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// A label or run id as it appears in a file name: anything but `[A-Za-z0-9-_.]` becomes `_`.
pub fn sanitize(label: &str) -> String {
    label.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

/// A validated experiment: its name and its settings, each fully resolved.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The file it came from.
    pub path: PathBuf,
    /// Experiment name (results folder).
    pub name: String,
    /// Resolved settings in file order, each with a unique label.
    pub settings: Vec<Setting>,
}

/// One run: a setting and a seed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunSpec {
    /// Position of the setting in the file.
    pub setting_index: usize,
    /// The setting's label.
    pub label: String,
    /// The seed.
    pub seed: u64,
    /// `<label>-seed<seed>`.
    pub run_id: String,
    /// The resolved setting.
    pub setting: Setting,
}

impl Experiment {
    /// Reads and validates an experiment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(path, format!("cannot read the experiment file: {e}")))?;
        Self::parse(path, &text)
    }

    /// Validates experiment text (`path` is used in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        // Pass 1: types and unknown keys, with serde_yaml's line/column in the message.
        let typed: Setting = serde_yaml::from_str(text).map_err(|e| Error::config(path, format!("{e}")))?;
        let raw: Value = serde_yaml::from_str(text).map_err(|e| Error::config(path, format!("{e}")))?;
        let name = match &typed.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "experiment".into()),
        };
        for (i, s) in typed.settings.iter().enumerate() {
            if s.name.is_some() || !s.settings.is_empty() || s.grid.is_some() {
                return Err(Error::config(
                    path,
                    format!("settings[{i}]: `name`, `settings` and `grid` belong at the top level only"),
                ));
            }
        }
        // Pass 2: each setting merged over the base, expanded over the grid, range-checked.
        let mut settings = expand(path, raw, !typed.settings.is_empty())?;
        check_labels(path, &settings)?;
        resolve_baselines(path, &mut settings)?;
        Ok(Experiment { path: path.to_path_buf(), name, settings })
    }

    /// Every run of the study: settings × seeds, setting-major (paired seeds across settings).
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut out = vec![];
        for (i, s) in self.settings.iter().enumerate() {
            let label = s.label.clone().unwrap_or_default();
            for seed in s.seed_list() {
                out.push(RunSpec {
                    setting_index: i,
                    label: label.clone(),
                    seed,
                    run_id: format!("{}-seed{seed}", sanitize(&label)),
                    setting: s.clone(),
                });
            }
        }
        out
    }
}

/// Every setting of the file: each override merged over the base, at every grid point
/// (grid point major, so the settings compared at one point sit together), range-checked.
fn expand(path: &Path, raw: Value, many: bool) -> Result<Vec<Setting>> {
    let mut base = raw;
    let overrides: Vec<Value> = match base.as_mapping_mut().and_then(|m| m.remove("settings")) {
        Some(Value::Sequence(seq)) => seq,
        _ => vec![],
    };
    let grid = base.as_mapping_mut().and_then(|m| m.remove("grid"));
    if let Some(m) = base.as_mapping_mut() {
        m.remove("name");
    }
    let axes = grid_axes(path, grid.as_ref())?;
    let raws = if overrides.is_empty() { vec![Value::Mapping(Default::default())] } else { overrides };
    let mut settings = Vec::new();
    for point in grid_points(&axes) {
        let suffix = point.iter().map(|(k, v)| format!("{k}={}", show_value(v))).collect::<Vec<_>>().join(" ");
        for (i, over) in raws.iter().enumerate() {
            let mut merged = merge(&base, over);
            for (key, value) in &point {
                set_path(&mut merged, key, value.clone());
            }
            let at = Where { index: many.then_some(i), suffix: &suffix };
            settings.push(one_setting(path, merged, &at, many)?);
        }
    }
    Ok(settings)
}

/// Where a setting sits in the file, for messages: `settings[1] (`mix`) at grid point lr=1e-4: `.
struct Where<'a> {
    index: Option<usize>,
    suffix: &'a str,
}

impl Where<'_> {
    fn prefix(&self, label: &str) -> String {
        let mut at = self.index.map(|i| format!("settings[{i}] (`{label}`)")).unwrap_or_default();
        if !self.suffix.is_empty() {
            at = format!("{at}{}grid point {}", if at.is_empty() { "" } else { " at " }, self.suffix);
        }
        if at.is_empty() {
            at
        } else {
            format!("{at}: ")
        }
    }
}

/// One merged setting: typed, labelled, checked, grouped by its grid point, with the
/// values in effect recorded (so result files say what ran).
fn one_setting(path: &Path, merged: Value, at: &Where, many: bool) -> Result<Setting> {
    let both = |k: &str| merged.get(k).is_some_and(|v| !v.is_null());
    if both("seeds") && both("restarts") {
        return Err(Error::config(
            path,
            format!(
                "{}`seeds` and `restarts` are both given, and only one can say which runs to do: \
                 keep `seeds: [...]` for explicit seeds, or `restarts: N` for seeds 1..=N, and delete the other",
                at.prefix("?")
            ),
        ));
    }
    let mut s: Setting =
        serde_yaml::from_value(merged).map_err(|e| Error::config(path, format!("{}{e}", at.prefix("?"))))?;
    let suffix = at.suffix;
    let own = s.label.clone().unwrap_or_else(|| s.auto_label());
    let label = match (&s.label, suffix.is_empty()) {
        (_, true) => own,
        (Some(l), false) => format!("{l} {suffix}"),
        (None, false) if many => format!("{own} {suffix}"),
        // A grid over the base setting alone: the grid values are the label.
        (None, false) => suffix.to_string(),
    };
    s.check().map_err(|(field, msg)| Error::config(path, format!("{}{field}: {msg}", at.prefix(&label))))?;
    s.label = Some(label);
    if !suffix.is_empty() {
        // Settings are compared within one grid point: that point is (part of) their group.
        s.group = Some(match &s.group {
            Some(g) => format!("{g} {suffix}"),
            None => suffix.to_string(),
        });
        if let Some(b) = &s.baseline {
            s.baseline = Some(format!("{b} {suffix}"));
        }
    }
    s.dropout = Some(s.encoder_dropout());
    s.attention_dropout = Some(s.attention_dropout());
    s.grid = None;
    Ok(s)
}

/// Labels must differ, and so must the file names they become: `a b` and `a_b` would
/// share one result folder, and the second run would overwrite the first's result.
fn check_labels(path: &Path, settings: &[Setting]) -> Result<()> {
    let mut by_file: std::collections::BTreeMap<String, &str> = Default::default();
    for label in settings.iter().filter_map(|s| s.label.as_deref()) {
        match by_file.insert(sanitize(label), label) {
            Some(other) if other == label => {
                return Err(Error::config(
                    path,
                    format!("two settings share the label `{label}`: give each a distinct `label:`"),
                ))
            }
            Some(other) => {
                return Err(Error::config(
                    path,
                    format!(
                        "the labels `{other}` and `{label}` name the same result files (`{}-seed*.json`: \
                         characters other than letters, digits, `-`, `_` and `.` become `_`): rename one of them",
                        sanitize(label)
                    ),
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// Every setting's baseline label: its own `baseline:`, else the first setting of its
/// `group:`, else the file's first setting. A baseline names itself.
fn resolve_baselines(path: &Path, settings: &mut [Setting]) -> Result<()> {
    let labels: Vec<String> = settings.iter().map(|s| s.label.clone().unwrap_or_default()).collect();
    let first = labels.first().cloned().unwrap_or_default();
    let mut resolved = Vec::with_capacity(settings.len());
    for s in settings.iter() {
        let label = s.label.clone().unwrap_or_default();
        let b = match (&s.baseline, &s.group) {
            (Some(b), _) => {
                if !labels.contains(b) {
                    return Err(Error::config(
                        path,
                        format!(
                            "setting `{label}`: baseline: no setting is labelled `{b}` (labels: {})",
                            labels.join(", ")
                        ),
                    ));
                }
                b.clone()
            }
            (None, Some(g)) => settings
                .iter()
                .find(|o| o.group.as_ref() == Some(g))
                .and_then(|o| o.label.clone())
                .unwrap_or_else(|| label.clone()),
            (None, None) => first.clone(),
        };
        resolved.push(b);
    }
    for (s, b) in settings.iter_mut().zip(resolved) {
        s.baseline = Some(b);
    }
    Ok(())
}
