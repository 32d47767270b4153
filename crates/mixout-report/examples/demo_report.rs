//! Writes the report of a synthetic study, for looking at the figures and the page:
//! `cargo run -p mixout-report --example demo_report -- OUT_DIR [SETTINGS GROUP_SIZE]`.
//! Without SETTINGS, the 20-restart RTE sweep of the tests; with them, that many
//! settings × 5 restarts in groups of GROUP_SIZE (0: no groups). Results go to
//! `OUT_DIR/results`, the report to `OUT_DIR/report`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: demo_report OUT_DIR [SETTINGS GROUP_SIZE]")?);
    let results = out.join("results");
    match (args.next(), args.next()) {
        (Some(n), group) => {
            let group: usize = group.as_deref().unwrap_or("0").parse()?;
            common::synthetic_study(&results, "demo", n.parse()?, 5, group);
        }
        (None, _) => common::demo_sweep(&results),
    }
    let report = mixout_report::write_report(&results, &out.join("report"))?;
    println!("{}", report.table);
    for f in &report.files {
        println!("wrote {}", f.display());
    }
    Ok(())
}
