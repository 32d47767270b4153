//! Locating the shared data and models outside the repository.

use std::path::PathBuf;

#[allow(dead_code)]
pub mod venv;

/// The `shared` folder: `$MIXOUT_SHARED`, else `shared/` beside the checkout
/// (`<workspace>/../shared`), as the root crate's tests and the harness itself look for it.
///
/// Panics when the folder is missing, saying where it looked and how to point the tests
/// elsewhere: these tests check the real GLUE files and models, and one that skipped
/// without them would pass having checked nothing.
pub fn shared_dir() -> PathBuf {
    let (dir, source) = match std::env::var_os("MIXOUT_SHARED") {
        Some(dir) => (PathBuf::from(dir), "MIXOUT_SHARED"),
        None => {
            // crates/mixout-data -> crates -> workspace -> the folder holding it.
            let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3).unwrap_or("/".as_ref());
            (beside.join("shared"), "the default location beside the checkout")
        }
    };
    assert!(
        dir.is_dir(),
        "the shared assets (data/glue/, models/) are expected at {} ({source}), which is not a folder; \
         run the tests with MIXOUT_SHARED=/path/to/shared pointing at the project's shared folder",
        dir.display()
    );
    dir
}

/// `shared/data/glue`, which must exist.
#[allow(dead_code)]
pub fn glue_dir() -> PathBuf {
    existing(shared_dir().join("data/glue"))
}

/// A model folder in `shared/models`, which must exist.
#[allow(dead_code)]
pub fn model_dir(name: &str) -> PathBuf {
    existing(shared_dir().join("models").join(name))
}

fn existing(dir: PathBuf) -> PathBuf {
    assert!(
        dir.is_dir(),
        "{} is missing from the shared assets (set MIXOUT_SHARED=/path/to/shared to use another copy)",
        dir.display()
    );
    dir
}
