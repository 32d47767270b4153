//! Helpers shared by the integration tests: where the shipped assets are.
#![allow(dead_code)]

use std::path::PathBuf;

/// `$MIXOUT_SHARED`, else `../shared` beside the checkout. Panics, saying where it looked and
/// what to set, when that folder has no `models/` and `data/glue/`: these tests need the real
/// assets, and a test that skipped without them would pass without checking anything.
pub fn shared() -> PathBuf {
    let (dir, source) = match std::env::var_os("MIXOUT_SHARED") {
        Some(p) => (PathBuf::from(p), "MIXOUT_SHARED"),
        None => {
            (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"), "the default location beside the checkout")
        }
    };
    assert!(
        dir.join("models").is_dir() && dir.join("data/glue").is_dir(),
        "the shipped assets (models/, data/glue/) are expected at {} ({source}); \
         run the tests with MIXOUT_SHARED=/path/to/shared pointing at the project's shared folder",
        dir.display()
    );
    dir
}

/// YAML lines naming the L3 model and the GLUE folder by absolute path, so an experiment
/// parsed in a test finds its assets without MIXOUT_SHARED or MIXOUT_GLUE_DIR being set in
/// the process: tests run on parallel threads, where `std::env::set_var` races with every
/// read of the environment (glibc's `setenv` is not thread-safe).
pub fn l3_assets_yaml() -> String {
    let quoted = |p: PathBuf| format!("'{}'", p.display().to_string().replace('\'', "''"));
    format!("model: {}\ndata_dir: {}\n", quoted(l3()), quoted(glue()))
}

/// The 3-layer MiniLM model folder.
pub fn l3() -> PathBuf {
    shared().join("models/paraphrase-MiniLM-L3-v2")
}

/// The GLUE data folder.
pub fn glue() -> PathBuf {
    shared().join("data/glue")
}

/// libtorch's RNG is global to the process and tests run on parallel threads: tests that
/// seed it and expect reproducible draws hold this lock.
pub fn rng_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A one-setting RTE study on the L3 model (`extra` YAML lines added), resolved as
/// `mixout run` resolves one, and its setting's prepared data.
pub fn l3_study(extra: &str) -> (mixout::study::Study, mixout::train::Prepared) {
    let yaml = format!("task: RTE\n{}{extra}", l3_assets_yaml());
    let exp = mixout_spec::Experiment::parse(std::path::Path::new("t.yaml"), &yaml).unwrap();
    let study = mixout::study::Study::resolve(exp, &mixout::study::Overrides { jobs: 1, ..Default::default() });
    let prep = mixout::train::prepare(&study.settings[0]).unwrap();
    (study, prep)
}

/// Names of the parameters `s` mixes, in the plan's order.
pub fn mixed_names(params: &[(String, Vec<i64>)], s: &mixout_spec::Setting) -> Vec<String> {
    mixout::plan::plan(params, s).unwrap().into_iter().filter(|p| p.mixout.is_some()).map(|p| p.name).collect()
}

/// Copies every file of the folder `src` into `dst`, made anew: a test keeps a saved model
/// folder for a parity script.
pub fn keep_folder(src: &std::path::Path, dst: &std::path::Path) {
    let _ = std::fs::remove_dir_all(dst);
    std::fs::create_dir_all(dst).unwrap();
    for f in std::fs::read_dir(src).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dst.join(f.file_name().unwrap())).unwrap();
    }
}

#[path = "../../crates/mixout-data/tests/common/venv.rs"]
mod venv;
#[allow(unused_imports)]
pub use venv::venv_python;

/// The repository's `scripts/` folder.
pub fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts")
}
