//! Writes the report of a synthetic 20-restart RTE sweep, for looking at the figures:
//! `cargo run -p mixout-report --example demo_report -- OUT_DIR` (results go to
//! `OUT_DIR/results`, the report to `OUT_DIR/report`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: demo_report OUT_DIR")?);
    let results = out.join("results");
    common::demo_sweep(&results);
    let report = mixout_report::write_report(&results, &out.join("report"))?;
    println!("{}", report.table);
    for f in &report.files {
        println!("wrote {}", f.display());
    }
    Ok(())
}
