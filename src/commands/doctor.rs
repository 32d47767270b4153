//! `mixout doctor`: what the binary will train on; exit 1 when `device: cuda` would fail.

/// Runs `mixout doctor`.
pub fn run() -> anyhow::Result<()> {
    let d = mixout::doctor::diagnose();
    print!("{}", d.text);
    if !d.cuda_ok {
        // Non-zero so job scripts can stop before queueing GPU work on a machine without one.
        std::process::exit(1);
    }
    Ok(())
}
