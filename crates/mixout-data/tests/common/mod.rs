//! Locating the shared data and models outside the repository.

use std::path::PathBuf;

/// The `shared` folder: `$MIXOUT_SHARED`, else `<workspace>/../shared`.
///
/// Returns `None` (and says so on stderr) only when the default location is absent, so
/// a clone without the data still passes its offline tests; when `MIXOUT_SHARED` is set
/// it must exist, so a CI job that means to test real data cannot skip by accident.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MIXOUT_SHARED") {
        let dir = PathBuf::from(dir);
        assert!(dir.is_dir(), "MIXOUT_SHARED={} is not a directory", dir.display());
        return Some(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: no shared data at {} (set MIXOUT_SHARED)", dir.display());
        None
    }
}

/// `shared/data/glue`.
#[allow(dead_code)]
pub fn glue_dir() -> Option<PathBuf> {
    shared_dir().map(|d| d.join("data/glue"))
}

/// A model folder in `shared/models`.
#[allow(dead_code)]
pub fn model_dir(name: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("models").join(name))
}
