//! `mixout doctor`: what the binary will train on, and where a study's assets would come
//! from; exit 1 when `device: cuda` would fail.

use std::path::PathBuf;

/// Arguments of `mixout doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// A study whose model and data sources to show (a local folder, the hub cache, or a
    /// download); default `experiments/rte/cpu.yaml` when it is in the current folder.
    pub study: Option<PathBuf>,
}

/// Runs `mixout doctor`.
pub fn run(a: &DoctorArgs) -> anyhow::Result<()> {
    let default = PathBuf::from("experiments/rte/cpu.yaml");
    let study = a.study.clone().or_else(|| default.is_file().then_some(default));
    let d = mixout::doctor::diagnose_study(study.as_deref());
    print!("{}", d.text);
    if !d.cuda_ok {
        // Non-zero so job scripts can stop before queueing GPU work on a machine without one.
        std::process::exit(1);
    }
    Ok(())
}
