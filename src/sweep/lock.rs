//! One trainer per run: a lock file beside the run's result, held (an OS file lock) while
//! the run trains. The OS drops the lock when its process dies, however it dies, so a
//! killed sweep never leaves a run locked, and a resumed sweep never trains a run that a
//! surviving process is still training.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// A held run lock; released on drop.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    /// The lock file.
    pub path: PathBuf,
}

/// The lock file of the result file `result`: `.<name>.lock` beside it (hidden, so reports
/// never read it).
pub fn lock_path(result: &Path) -> PathBuf {
    let name = result.file_stem().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    result.with_file_name(format!(".{name}.lock"))
}

/// Takes the lock of a run's result file; `Ok(None)` when another process holds it.
pub fn try_lock(result: &Path) -> Result<Option<RunLock>> {
    let path = lock_path(result);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let file =
        OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(RunLock { _file: file, path })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_taker_until_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let result = tmp.path().join("mix").join("mix-seed1.json");
        let held = try_lock(&result).unwrap().expect("free at first");
        assert!(held.path.ends_with("mix/.mix-seed1.lock"));
        assert!(try_lock(&result).unwrap().is_none(), "a second taker is refused");
        drop(held);
        assert!(try_lock(&result).unwrap().is_some(), "free again after drop");
    }
}
