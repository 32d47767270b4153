//! Wall time and peak memory of a large report: writes a synthetic study of 50 settings
//! × 40 seeds (2,000 result files, groups of 5) and reports it, printing the time of
//! each step and the peak resident set size (`VmHWM` of `/proc/self/status`).
//! `cargo run --release -p mixout-report --example report_bench -- [SETTINGS SEEDS]`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

/// Peak resident set size in MiB, from `/proc/self/status` (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let settings: usize = args.next().as_deref().unwrap_or("50").parse()?;
    let seeds: u64 = args.next().as_deref().unwrap_or("40").parse()?;
    let dir = tempfile::tempdir()?;
    let results = dir.path().join("results");
    let t0 = Instant::now();
    common::synthetic_study(&results, "bench", settings, seeds, 5);
    let written = t0.elapsed();
    let before = peak_rss_mib().unwrap_or(f64::NAN);
    let t1 = Instant::now();
    let report = mixout_report::write_report(&results, &dir.path().join("report"))?;
    let reported = t1.elapsed();
    println!(
        "{} result files ({settings} settings × {seeds} seeds): written in {:.2} s, reported in {:.2} s \
         ({} files, {} figures); peak RSS {:.0} MiB (before the report: {:.0} MiB)",
        settings * seeds as usize,
        written.as_secs_f64(),
        reported.as_secs_f64(),
        report.files.len(),
        report.figures.len(),
        peak_rss_mib().unwrap_or(f64::NAN),
        before
    );
    Ok(())
}
