//! The torch venv's Python, for the tests that write parquet files with pyarrow or serve
//! files with `scripts/fake-hub.py`. Shared with the root crate's tests (`#[path]`).

use std::path::PathBuf;

/// `$MIXOUT_VENV/bin/python` (`make test` sets it; else the venv's default place), which
/// must import pyarrow. Panics with the command to type when it cannot.
pub fn venv_python() -> PathBuf {
    let venv = std::env::var_os("MIXOUT_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/mixout/venv-torch-2.11.0")))
        .unwrap_or_default();
    let py = venv.join("bin/python");
    let ok = std::process::Command::new(&py).args(["-c", "import pyarrow"]).output().is_ok_and(|o| o.status.success());
    assert!(ok, "{} cannot import pyarrow: run `make setup` (it installs pyarrow into the torch venv)", py.display());
    py
}
