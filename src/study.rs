//! A study resolved once: the validated experiment with, per setting, its model files, its
//! task data, its device and its threads, and the study's runs with their baselines. Every
//! command goes YAML → [`Experiment`] → [`Study`] and passes the study down; nothing below
//! re-resolves a path or re-reads config.json.

use crate::assets::{resolve_model, resolve_task};
use crate::error::{Error, Result};
use crate::model::ModelFiles;
use mixout_data::TaskSpec;
use mixout_spec::{sanitize, DeviceSpec, Experiment, RunSpec, Setting};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the command line overrides in every setting.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    /// `--device`.
    pub device: Option<DeviceSpec>,
    /// `--threads`.
    pub threads: Option<usize>,
    /// `--jobs`: parallel runs sharing the cores.
    pub jobs: usize,
}

/// A resolution that may have failed; kept, not raised, so `check` can list what is not
/// available here while `run` refuses to start without it.
pub type Resolved<T> = std::result::Result<Arc<T>, Arc<Error>>;

/// One setting with everything it names found.
#[derive(Debug, Clone)]
pub struct StudySetting {
    /// The validated setting, as recorded in result files.
    pub spec: Setting,
    /// Its label.
    pub label: String,
    /// The label of the setting it is compared with (itself for a baseline).
    pub baseline: String,
    /// The model folder, its config.json parsed.
    pub model: Resolved<ModelFiles>,
    /// The task with its data located.
    pub task: Resolved<TaskSpec>,
    /// Where its runs execute (`--device` wins over the file).
    pub device: DeviceSpec,
    /// libtorch threads of one of its runs.
    pub threads: usize,
}

impl StudySetting {
    /// The model files, or the error that resolving them gave.
    pub fn model(&self) -> Result<&ModelFiles> {
        self.model.as_deref().map_err(|e| Error::Resolve(e.clone()))
    }

    /// The task, or the error that resolving it gave.
    pub fn task(&self) -> Result<&TaskSpec> {
        self.task.as_deref().map_err(|e| Error::Resolve(e.clone()))
    }
}

/// A study: the experiment with every setting resolved, and its runs.
#[derive(Debug, Clone)]
pub struct Study {
    /// The experiment file.
    pub path: PathBuf,
    /// The experiment's name.
    pub name: String,
    /// Settings in file order.
    pub settings: Vec<StudySetting>,
    /// Every run, setting-major (seeds paired across settings).
    pub runs: Vec<RunSpec>,
}

impl Study {
    /// Reads, validates and resolves an experiment file.
    pub fn load(path: &Path, o: &Overrides) -> Result<Study> {
        Ok(Study::resolve(Experiment::load(path)?, o))
    }

    /// Resolves a validated experiment: each distinct model and task once.
    pub fn resolve(exp: Experiment, o: &Overrides) -> Study {
        let runs = exp.runs();
        let mut models: Vec<(String, Resolved<ModelFiles>)> = vec![];
        let mut tasks: Vec<(String, Resolved<TaskSpec>)> = vec![];
        let mut settings = vec![];
        let cores = crate::device::available_cores();
        for s in exp.settings {
            let model = cached(&mut models, s.model.clone(), || resolve_model(&s.model, Some(&exp.path)));
            let task_key = format!("{:?}{:?}{:?}", s.task, s.custom_task, s.data_dir);
            let task = cached(&mut tasks, task_key, || resolve_task(&s, &exp.path));
            let threads = o.threads.or(s.threads).unwrap_or_else(|| (cores / o.jobs.max(1)).max(1));
            settings.push(StudySetting {
                label: s.label.clone().unwrap_or_default(),
                baseline: s.baseline.clone().unwrap_or_default(),
                device: o.device.unwrap_or(s.device),
                model,
                task,
                threads,
                spec: s,
            });
        }
        Study { path: exp.path, name: exp.name, settings, runs }
    }

    /// The setting of a run.
    pub fn setting_of(&self, run: &RunSpec) -> &StudySetting {
        &self.settings[run.setting_index]
    }

    /// The study's results folder under a parent results folder.
    pub fn results_dir(&self, results: &Path) -> PathBuf {
        results.join(sanitize(&self.name))
    }

    /// Fails with the first resolution error among the settings of `runs`.
    pub fn require<'a>(&self, runs: impl IntoIterator<Item = &'a RunSpec>) -> Result<()> {
        for run in runs {
            let s = self.setting_of(run);
            s.model()?;
            s.task()?;
        }
        Ok(())
    }
}

/// Resolves `key` once per study: later settings naming the same thing share the answer.
fn cached<T>(seen: &mut Vec<(String, Resolved<T>)>, key: String, resolve: impl FnOnce() -> Result<T>) -> Resolved<T> {
    if let Some((_, r)) = seen.iter().find(|(k, _)| *k == key) {
        return r.clone();
    }
    let r = resolve().map(Arc::new).map_err(Arc::new);
    seen.push((key, r.clone()));
    r
}

/// A resolved setting as it travels to a `--jobs` child (JSON on its standard input), so
/// the child trains on exactly what the sweep resolved and resolves nothing itself.
#[derive(serde::Serialize, serde::Deserialize)]
struct WireSetting {
    spec: Setting,
    label: String,
    baseline: String,
    model: std::result::Result<ModelFiles, String>,
    task: std::result::Result<TaskSpec, String>,
    device: DeviceSpec,
    threads: usize,
}

/// A resolved study on the wire.
#[derive(serde::Serialize, serde::Deserialize)]
struct WireStudy {
    path: PathBuf,
    name: String,
    settings: Vec<WireSetting>,
    runs: Vec<RunSpec>,
}

impl Study {
    /// The resolved study as JSON, for a child process.
    pub fn to_json(&self) -> Result<String> {
        let wire = WireStudy {
            path: self.path.clone(),
            name: self.name.clone(),
            settings: self
                .settings
                .iter()
                .map(|s| WireSetting {
                    spec: s.spec.clone(),
                    label: s.label.clone(),
                    baseline: s.baseline.clone(),
                    model: s.model.as_deref().cloned().map_err(|e| e.to_string()),
                    task: s.task.as_deref().cloned().map_err(|e| e.to_string()),
                    device: s.device,
                    threads: s.threads,
                })
                .collect(),
            runs: self.runs.clone(),
        };
        serde_json::to_string(&wire).map_err(|e| Error::Json { path: self.path.clone(), cause: e })
    }

    /// A study sent by [`Study::to_json`], with the command line's overrides applied.
    pub fn from_json(text: &str, o: &Overrides) -> Result<Study> {
        let wire: WireStudy = serde_json::from_str(text)
            .map_err(|e| Error::Json { path: PathBuf::from("<resolved study on stdin>"), cause: e })?;
        let back = |m: String| Arc::new(Error::Invalid(m));
        let settings = wire
            .settings
            .into_iter()
            .map(|s| StudySetting {
                spec: s.spec,
                label: s.label,
                baseline: s.baseline,
                model: s.model.map(Arc::new).map_err(back),
                task: s.task.map(Arc::new).map_err(back),
                device: o.device.unwrap_or(s.device),
                threads: o.threads.unwrap_or(s.threads),
            })
            .collect();
        Ok(Study { path: wire.path, name: wire.name, settings, runs: wire.runs })
    }
}
