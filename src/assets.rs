//! Finding what a study names on disk, once: the shared assets folder, paths written in an
//! experiment file, model folders (one resolver with one message for every command) and
//! task data. Everything after resolution takes these typed values; nothing resolves again.

use crate::error::{Error, Result};
use crate::files::ModelFiles;
use mixout_data::glue_hub::GLUE_REPO;
use mixout_data::hub::{Hub, Origin, RepoKind};
use mixout_data::{DataError, GlueFormat, Split, TaskSpec};
use mixout_spec::Setting;
use std::path::{Path, PathBuf};

/// Finds the project's shared assets folder (`shared/` with `data/` and `models/`):
/// `$MIXOUT_SHARED`, else a `shared` folder beside or above the current directory or `near`.
pub fn find_shared(near: Option<&Path>) -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MIXOUT_SHARED") {
        return Some(PathBuf::from(p));
    }
    let mut starts = vec![std::env::current_dir().ok()?];
    if let Some(n) = near {
        if let Ok(c) = n.canonicalize() {
            starts.push(c);
        }
    }
    for start in starts {
        for dir in start.ancestors() {
            for cand in [dir.join("shared"), dir.join("../shared")] {
                if cand.join("models").is_dir() || cand.join("data").is_dir() {
                    return cand.canonicalize().ok();
                }
            }
        }
    }
    None
}

/// Resolves a path written in an experiment file: as given if it exists (relative to the
/// current directory), else relative to the experiment file's folder.
pub fn resolve_path(p: &Path, experiment: &Path) -> PathBuf {
    if p.is_absolute() || p.exists() {
        return p.to_path_buf();
    }
    let beside = experiment.parent().unwrap_or(Path::new(".")).join(p);
    if beside.exists() {
        beside
    } else {
        p.to_path_buf()
    }
}

/// The model a setting or a command names: a folder (as given, or beside the experiment
/// file `near`), a model name under `shared/models`, or a hub id (or a shipped model's short
/// name, [`crate::hub::hub_repo`]) from the hub cache, else downloaded. Every
/// command resolves models here, so the same input gets the same answer and message.
pub fn resolve_model(model: &str, near: Option<&Path>) -> Result<ModelFiles> {
    match local_model_dir(model, near) {
        Some(dir) => ModelFiles::from_dir(&dir),
        None if crate::hub::is_hub_id(model) => crate::hub::resolve_hub(model),
        None => Err(Error::model(
            Path::new(model),
            "no such folder (nor under shared/models), and not a hub id (`org/name`): give a model folder \
             (config.json, vocab.txt, model.safetensors) or a Hugging Face hub id",
        )),
    }
}

/// The local folder a model name stands for, if there is one: as given (or beside the
/// experiment file `near`), else under `shared/models`.
fn local_model_dir(model: &str, near: Option<&Path>) -> Option<PathBuf> {
    let given = Path::new(model);
    let candidates = [
        Some(near.map_or(given.to_path_buf(), |e| resolve_path(given, e))),
        find_shared(near).map(|s| s.join("models").join(model)),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

/// The task of a setting, its data located: a custom task with its paths resolved beside the
/// experiment file, or a GLUE task ([`resolve_glue`]).
pub fn resolve_task(setting: &Setting, experiment: &Path) -> Result<TaskSpec> {
    if let Some(custom) = &setting.custom_task {
        let mut c = custom.clone();
        c.train = resolve_path(&c.train, experiment);
        c.dev = resolve_path(&c.dev, experiment);
        return Ok(TaskSpec::custom(&c)?);
    }
    let name = setting.task.as_deref().unwrap_or("RTE");
    resolve_glue(name, setting.data_dir.as_deref(), Some(experiment))
}

/// Where a GLUE task's files are found, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum GlueOrigin {
    /// TSVs in a folder the user named (`data_dir:` or `$MIXOUT_GLUE_DIR`): used as named,
    /// so a typo is an error about that folder, not a silent download.
    Named(PathBuf),
    /// TSVs in `shared/data/glue`.
    Shared(PathBuf),
    /// The Hugging Face dataset `nyu-mll/glue` (cache, else download).
    Hub,
}

/// Where GLUE task `format`'s files are: `data_dir` (beside `experiment`), else
/// `$MIXOUT_GLUE_DIR`, else `shared/data/glue` when it holds the task, else the hub.
pub fn glue_origin(format: GlueFormat, data_dir: Option<&Path>, experiment: Option<&Path>) -> GlueOrigin {
    if let Some(d) = data_dir {
        return GlueOrigin::Named(experiment.map(|e| resolve_path(d, e)).unwrap_or_else(|| d.to_path_buf()));
    }
    if let Some(d) = std::env::var_os("MIXOUT_GLUE_DIR").filter(|d| !d.is_empty()) {
        return GlueOrigin::Named(PathBuf::from(d));
    }
    if let Some(glue) = find_shared(experiment).map(|s| s.join("data/glue")) {
        if glue.join(format.name()).is_dir() {
            return GlueOrigin::Shared(glue);
        }
    }
    GlueOrigin::Hub
}

/// The GLUE task `name`, its files located ([`glue_origin`]); from the hub, the two parquet
/// files are taken from the hub cache, else downloaded once into it.
pub fn resolve_glue(name: &str, data_dir: Option<&Path>, experiment: Option<&Path>) -> Result<TaskSpec> {
    let format = GlueFormat::find(name)?;
    match glue_origin(format, data_dir, experiment) {
        GlueOrigin::Named(dir) | GlueOrigin::Shared(dir) => Ok(TaskSpec::glue(name, &dir)?),
        GlueOrigin::Hub => {
            let hub = Hub::from_env()?;
            let get = |split: Split| -> Result<PathBuf> {
                let file = format.hub_file(split);
                hub.get(RepoKind::Dataset, GLUE_REPO, &file)?.ok_or_else(|| {
                    Error::Data(DataError::Hub {
                        kind: "dataset",
                        repo: GLUE_REPO.into(),
                        file,
                        message: "the hub has no such file; give the task's TSV folder with `data_dir:` instead".into(),
                    })
                })
            };
            Ok(TaskSpec::glue_hub(format, get(Split::Train)?, get(Split::Dev)?))
        }
    }
}

/// Where a study's GLUE task would come from, in words, without downloading anything
/// (`mixout doctor`).
pub fn describe_glue(name: &str, data_dir: Option<&Path>, experiment: Option<&Path>) -> String {
    let Ok(format) = GlueFormat::find(name) else { return format!("unknown GLUE task `{name}`") };
    match glue_origin(format, data_dir, experiment) {
        GlueOrigin::Named(dir) => format!("local folder {}", dir.join(format.name()).display()),
        GlueOrigin::Shared(dir) => format!("local folder {} (shared/)", dir.join(format.name()).display()),
        GlueOrigin::Hub => match Hub::from_env() {
            Ok(hub) => {
                let origins =
                    [Split::Train, Split::Dev].map(|s| hub.origin(RepoKind::Dataset, GLUE_REPO, &format.hub_file(s)));
                describe_origins(&hub, &format!("dataset {GLUE_REPO} ({})", format.hub_config()), &origins)
            }
            Err(e) => format!("the hub, but {e}"),
        },
    }
}

/// Where a model would come from, in words, without downloading anything (`mixout doctor`).
pub fn describe_model(model: &str, near: Option<&Path>) -> String {
    if let Some(dir) = local_model_dir(model, near) {
        return format!("local folder {}", dir.display());
    }
    let repo = crate::hub::hub_repo(model);
    match Hub::from_env() {
        Ok(hub) => {
            let origins = ["config.json", "model.safetensors"].map(|f| hub.origin(RepoKind::Model, repo, f));
            describe_origins(&hub, &format!("model {repo}"), &origins)
        }
        Err(e) => format!("the hub, but {e}"),
    }
}

fn describe_origins(hub: &Hub, what: &str, origins: &[Origin]) -> String {
    let cache = hub.cache.root.display();
    if origins.iter().all(|o| matches!(o, Origin::Cached(_) | Origin::Absent)) {
        format!("hub cache {cache} ({what})")
    } else if origins.contains(&Origin::Offline) {
        format!("nowhere: {what} is not in the hub cache {cache} and HF_HUB_OFFLINE is set")
    } else {
        format!("download from {} ({what}) into the hub cache {cache}", hub.endpoint)
    }
}
