//! Helpers shared by the integration tests: where the shipped assets are.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the checkout (or `$MIXOUT_SHARED`).
pub fn shared() -> PathBuf {
    if let Ok(p) = std::env::var("MIXOUT_SHARED") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(p.join("models").is_dir(), "the shipped assets are expected at {} (or set MIXOUT_SHARED)", p.display());
    p
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
