//! Finding what a study names on disk, once: the shared assets folder, paths written in an
//! experiment file, model folders (one resolver with one message for every command) and
//! task data. Everything after resolution takes these typed values; nothing resolves again.

use crate::error::{Error, Result};
use crate::files::ModelFiles;
use mixout_data::TaskSpec;
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
/// file `near`), a model name under `shared/models`, or a hub id (`hub` feature). Every
/// command resolves models here, so the same input gets the same answer and message.
pub fn resolve_model(model: &str, near: Option<&Path>) -> Result<ModelFiles> {
    let given = Path::new(model);
    let candidates = [
        Some(near.map_or(given.to_path_buf(), |e| resolve_path(given, e))),
        find_shared(near).map(|s| s.join("models").join(model)),
    ];
    if let Some(dir) = candidates.into_iter().flatten().find(|p| p.is_dir()) {
        return ModelFiles::from_dir(&dir);
    }
    crate::hub::resolve_hub(model)
}

/// The task of a setting, its data located: a custom task with its paths resolved beside the
/// experiment file, or a GLUE task in `data_dir`, `$MIXOUT_GLUE_DIR` or `shared/data/glue`.
pub fn resolve_task(setting: &Setting, experiment: &Path) -> Result<TaskSpec> {
    if let Some(custom) = &setting.custom_task {
        let mut c = custom.clone();
        c.train = resolve_path(&c.train, experiment);
        c.dev = resolve_path(&c.dev, experiment);
        return Ok(TaskSpec::custom(&c)?);
    }
    let name = setting.task.as_deref().unwrap_or("RTE");
    Ok(TaskSpec::glue(name, &glue_dir(setting.data_dir.as_deref(), Some(experiment))?)?)
}

/// The GLUE data folder: `data_dir` (resolved beside `experiment`), else `$MIXOUT_GLUE_DIR`,
/// else `shared/data/glue`.
pub fn glue_dir(data_dir: Option<&Path>, experiment: Option<&Path>) -> Result<PathBuf> {
    if let Some(d) = data_dir {
        return Ok(experiment.map(|e| resolve_path(d, e)).unwrap_or_else(|| d.to_path_buf()));
    }
    if let Ok(d) = std::env::var("MIXOUT_GLUE_DIR") {
        return Ok(PathBuf::from(d));
    }
    find_shared(experiment).map(|s| s.join("data/glue")).ok_or_else(|| {
        Error::Invalid(
            "data_dir: not given and no `shared/data/glue` found beside the checkout; set `data_dir:` or MIXOUT_GLUE_DIR"
                .into(),
        )
    })
}
